"""AutoBranchRouter: send each intent of a request to its own chain, each on its own ChatRoutes branch.

Runs as written: with CHATROUTES_API_KEY set it talks to the ChatRoutes API (or CHATROUTES_BASE_URL);
without one it starts the local ChatRoutes-compatible server in-process (needs the `[server]` extra).

    python examples/router.py
"""

from __future__ import annotations

import asyncio
import os
from contextlib import ExitStack

from langchain_core.prompts import ChatPromptTemplate

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from langchain_chatroutes import AutoBranchRouter, ChatChatRoutes


def connect(stack: ExitStack) -> tuple[ChatRoutesClient, dict[str, str]]:
    """The live API when a key is set, else a LocalServer on loopback with a temporary database."""
    if os.environ.get("CHATROUTES_API_KEY"):
        return stack.enter_context(ChatRoutesClient()), {}
    from chatroutes_core.testing import LocalServer

    server = stack.enter_context(LocalServer())
    options = {"api_key": server.api_key, "base_url": server.base_url}
    return stack.enter_context(ChatRoutesClient(**options)), options


def build_router(
    client: ChatRoutesClient, options: dict[str, str], async_client: AsyncChatRoutesClient | None = None
) -> AutoBranchRouter:
    model = ChatChatRoutes(model="gpt-5", **options)
    billing = ChatPromptTemplate.from_messages(
        [("system", "You are the billing desk."), ("human", "{input}")]
    )
    tech = ChatPromptTemplate.from_messages([("system", "You are API support."), ("human", "{input}")])
    return AutoBranchRouter(
        {
            "billing": (billing | model, "invoices, payments, refunds and charges"),
            "tech": (tech | model, "technical questions about the API, the SDK and errors"),
        },
        default="tech",
        detector="api",  # or "local": the same detector, offline, no request
        client=client,
        async_client=async_client,
    )


def main() -> None:
    with ExitStack() as stack:
        client, options = connect(stack)
        router = build_router(client, options)

        # One intent: the route's output comes back unchanged, and streams chunk by chunk.
        print("single intent, streamed:")
        for chunk in router.stream("I was charged twice on my last invoice"):
            print(chunk.content, end="", flush=True)
        print("\n")

        # Several intents in a conversation: one branch per route, run concurrently.
        conversation = client.conversations.create(title="Support chat", model="gpt-5")
        client.messages.send(conversation.id, content="Hi, I'm Ana from Acme.")
        request = "I need help with billing and also have a technical question about the API"
        replies = router.invoke({"input": request, "conversation_id": conversation.id})
        for route, reply in replies.items():
            print(f"{route}: {reply.content}")
            print(f"  on branch {reply.response_metadata['chatroutes']['branch_id']}")

        print("\nbranches:")
        for branch in client.conversations.get_tree(conversation.id).iter_branches():
            print(f"  {branch.title}")

        # The same, natively async, with the suggestions seen as a custom event.
        async def traced() -> None:
            async with AsyncChatRoutesClient(**options) as async_client:
                arouter = build_router(client, options, async_client)
                async for event in arouter.astream_events(request, version="v2"):
                    if event["event"] == "on_custom_event":
                        print("\nsuggestions:", event["data"]["routes"])

        asyncio.run(traced())


if __name__ == "__main__":
    main()
