"""Core client quickstart: conversations, messages, streaming, a fork, the tree, AutoBranch.

Runs as written: with CHATROUTES_API_KEY set it talks to the ChatRoutes API (or CHATROUTES_BASE_URL);
without one it starts the local ChatRoutes-compatible server in-process (needs the `[server]` extra).

    python examples/core_client.py
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from chatroutes_core import ChatRoutesClient


def connect(stack: ExitStack) -> ChatRoutesClient:
    """The live API when a key is set, else a LocalServer on loopback with a temporary database."""
    if os.environ.get("CHATROUTES_API_KEY"):
        return stack.enter_context(ChatRoutesClient())
    from chatroutes_core.testing import LocalServer

    server = stack.enter_context(LocalServer())
    return stack.enter_context(ChatRoutesClient(api_key=server.api_key, base_url=server.base_url))


def main() -> None:
    with ExitStack() as stack:
        client = connect(stack)

        conversation = client.conversations.create(title="Quickstart", model="gpt-5")
        reply = client.messages.send(conversation.id, content="Name three uses of a conversation tree.")
        print("reply:", reply.message.content)
        print("usage:", reply.usage.total_tokens, "tokens; model:", reply.model)

        print("stream: ", end="")
        with client.messages.stream(conversation.id, content="And one more?") as stream:
            for event in stream:
                if event.type == "content":
                    print(event.content, end="", flush=True)
        print()

        # Fork at the first reply: the new branch inherits everything up to it.
        branch = client.branches.fork(
            conversation.id, fork_point_message_id=reply.message.id, title="Another angle"
        )
        client.branches.send_message(conversation.id, branch.id, content="Answer for a five-year-old.")
        history = client.branches.get_history(conversation.id, branch.id)
        print(f"branch {branch.id}: {len(history)} messages in its full history")

        tree = client.conversations.get_tree(conversation.id)
        for b in tree.iter_branches():
            print(f"  {'*' if b.is_main else '-'} {b.title or b.id} (fork point: {b.fork_point_message_id})")

        found = client.autobranch.suggest_branches(
            text="Should I deploy on Fly.io or Render, and how do I set up CI?", threshold=0.5
        )
        for s in found.suggestions:
            print(f"  suggestion: {s.title!r} on {s.trigger_text!r} ({s.confidence:.2f})")


if __name__ == "__main__":
    main()
