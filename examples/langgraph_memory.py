"""LangGraph memory quickstart: a MessagesState graph whose threads are ChatRoutes branches.

Ordinary turns continue one branch; time travel (editing an earlier turn with ``update_state``) becomes a
ChatRoutes fork; ``load_branch_state`` resumes any branch in a new thread. No adapter code in the graph.

Runs as written: with CHATROUTES_API_KEY set it talks to the ChatRoutes API (or CHATROUTES_BASE_URL);
without one it starts the local ChatRoutes-compatible server in-process (needs the `[server]` extra).

    python examples/langgraph_memory.py
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph

from chatroutes_core import ChatRoutesClient
from langchain_chatroutes import ChatChatRoutes
from langchain_chatroutes.langgraph import load_branch_state, thread_config


def connect(stack: ExitStack) -> tuple[ChatRoutesClient, ChatChatRoutes]:
    """The live API when a key is set, else a LocalServer on loopback with a temporary database."""
    if os.environ.get("CHATROUTES_API_KEY"):
        return stack.enter_context(ChatRoutesClient()), ChatChatRoutes(model="gpt-5")
    from chatroutes_core.testing import LocalServer

    server = stack.enter_context(LocalServer())
    client = stack.enter_context(ChatRoutesClient(api_key=server.api_key, base_url=server.base_url))
    return client, ChatChatRoutes(model="gpt-5", api_key=server.api_key, base_url=server.base_url)


def build_graph(model: ChatChatRoutes) -> Any:
    """The plain LangGraph chatbot: one node that calls the model on the state's messages."""

    def chat(state: MessagesState) -> dict[str, list[BaseMessage]]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("chat", chat)
    graph.add_edge(START, "chat")
    graph.add_edge("chat", END)
    return graph.compile(checkpointer=InMemorySaver())


def where(message: BaseMessage) -> dict[str, str]:
    """The ChatRoutes place of a reply: conversation_id, branch_id, message_id."""
    return dict(message.response_metadata["chatroutes"])


def main() -> None:
    with ExitStack() as stack:
        client, model = connect(stack)
        graph = build_graph(model)
        config = {"configurable": {"thread_id": "trip"}}

        for question in ["Plan three days in Kyoto.", "Add a day trip.", "Where should I eat?"]:
            state = graph.invoke({"messages": [HumanMessage(question)]}, config)
        original = where(state["messages"][-1])
        print(f"3 turns on branch {original['branch_id']} of {original['conversation_id']}")

        # Time travel: edit the second question in the checkpoint taken just before the model answered it.
        before = next(
            s
            for s in graph.get_state_history(config)
            if s.next == ("chat",) and len(s.values["messages"]) == 3
        )
        edited = HumanMessage("Add a day of hiking instead.", id=before.values["messages"][-1].id)
        forked = graph.invoke(None, graph.update_state(before.config, {"messages": [edited]}))
        fork = where(forked["messages"][-1])
        print(f"edited turn 2 -> ChatRoutes fork {fork['branch_id']}")

        print("\nthe tree:")
        for branch in client.conversations.get_tree(original["conversation_id"]).iter_branches():
            history = load_branch_state(client, original["conversation_id"], branch.id)["messages"]
            print(f"  {branch.title!r}: {len(history)} messages")
            for message in history:
                print(f"     {message.type:>5}: {str(message.content)[:80]}")

        # Resume the fork in a brand-new thread: the model continues that branch (no re-upload).
        state = load_branch_state(client, fork["conversation_id"], fork["branch_id"])
        resumed = graph.invoke(
            {"messages": [*state["messages"], HumanMessage("Which trail?")]},
            thread_config(fork["conversation_id"], fork["branch_id"]),
        )
        print(
            "\nresumed on",
            where(resumed["messages"][-1])["branch_id"],
            "->",
            resumed["messages"][-1].content[:80],
        )


if __name__ == "__main__":
    main()
