"""Branching memory quickstart: a chat history that is one branch of a ChatRoutes tree.

Runs as written: with CHATROUTES_API_KEY set it talks to the ChatRoutes API (or CHATROUTES_BASE_URL);
without one it starts the local ChatRoutes-compatible server in-process (needs the `[server]` extra).

    python examples/branching_memory.py
"""

from __future__ import annotations

import os
import warnings
from contextlib import ExitStack
from typing import Any

from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import ConfigurableFieldSpec
from langchain_core.runnables.history import RunnableWithMessageHistory

from chatroutes_core import ChatRoutesClient
from langchain_chatroutes import ChatChatRoutes, ChatRoutesChatMessageHistory


def connect(stack: ExitStack) -> tuple[ChatRoutesClient, ChatChatRoutes]:
    """The live API when a key is set, else a LocalServer on loopback with a temporary database."""
    if os.environ.get("CHATROUTES_API_KEY"):
        return stack.enter_context(ChatRoutesClient()), ChatChatRoutes(model="gpt-5")
    from chatroutes_core.testing import LocalServer

    server = stack.enter_context(LocalServer())
    client = stack.enter_context(ChatRoutesClient(api_key=server.api_key, base_url=server.base_url))
    return client, ChatChatRoutes(model="gpt-5", api_key=server.api_key, base_url=server.base_url)


def chat_with_history(client: ChatRoutesClient, model: ChatChatRoutes) -> Any:
    """prompt | model, with its history kept by ChatRoutes (one branch per conversation and branch id)."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You plan trips."), MessagesPlaceholder("history"), ("human", "{question}")]
    )

    # The config keys are ChatChatRoutes' own (chatroutes_*), so the model is bound to the same branch.
    def history_for(
        chatroutes_conversation_id: str, chatroutes_branch_id: str
    ) -> ChatRoutesChatMessageHistory:
        return ChatRoutesChatMessageHistory(chatroutes_conversation_id, chatroutes_branch_id, client=client)

    with warnings.catch_warnings():
        # RunnableWithMessageHistory is deprecated in langchain-core 1.x (LangGraph is the successor, see
        # examples/langgraph_memory.py); it still works, and this history never writes a message twice.
        warnings.simplefilter("ignore")
        return RunnableWithMessageHistory(
            prompt | model,
            history_for,
            input_messages_key="question",
            history_messages_key="history",
            history_factory_config=[
                ConfigurableFieldSpec(id="chatroutes_conversation_id", annotation=str, is_shared=True),
                ConfigurableFieldSpec(id="chatroutes_branch_id", annotation=str, default="", is_shared=True),
            ],
        )


def show(title: str, history: ChatRoutesChatMessageHistory) -> None:
    print(f"\n{title} (branch {history.branch_id}):")
    for message in history.messages:
        print(f"  {message.type:>5}: {str(message.content)[:90]}")


def main() -> None:
    with ExitStack() as stack:
        client, model = connect(stack)
        chain = chat_with_history(client, model)
        conversation = client.conversations.create(title="Trip planner", model="gpt-5")
        main_branch = {"chatroutes_conversation_id": conversation.id, "chatroutes_branch_id": ""}  # "" = main

        for question in ["Plan three days in Kyoto.", "Add a day trip."]:
            reply = chain.invoke({"question": question}, config={"configurable": main_branch})
            print("reply:", reply.content[:90])

        # An alternate history: fork at the first reply and continue there with the same chain.
        history = ChatRoutesChatMessageHistory(conversation.id, client=client)
        first_reply = history.messages[1]
        budget = history.fork(at_message_id=first_reply.id, title="On a budget")
        budget_branch = {
            "chatroutes_conversation_id": conversation.id,
            "chatroutes_branch_id": budget.branch_id,
        }
        chain.invoke({"question": "Make it cheap instead."}, config={"configurable": budget_branch})

        # The history can also send a turn itself: ChatRoutes stores it and replies.
        budget.add_user_message("And where do I sleep?")

        show("main", history)
        show("on a budget", budget)
        print("\nbranches:")
        for info in history.branches():
            mark = "main" if info.is_main else f"forked at {info.fork_point_message_id}"
            print(f"  {info.id}  {info.title!r:<16} {info.message_count} own messages  ({mark})")

        checkpoint = budget.checkpoint()
        print("\ncheckpoint:", checkpoint.id, f"({checkpoint.token_count} tokens)")

        scratch = budget.fork(title="scratch")
        scratch.add_user_message("A throwaway question.")
        scratch.clear()  # deletes the scratch branch's own messages; the inherited prefix stays
        print("scratch after clear():", len(scratch.messages), "messages (all inherited)")


if __name__ == "__main__":
    main()
