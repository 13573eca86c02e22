"""LangChain quickstart: ChatChatRoutes in a chain, continuing a branch, forking on an edit, streaming.

Runs against the live API when CHATROUTES_API_KEY is set, otherwise against a local ChatRoutes-compatible
server started in-process (its offline responder is deterministic, not a language model).
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from langchain_chatroutes import ChatChatRoutes


def main() -> None:
    with ExitStack() as stack:
        if os.environ.get("CHATROUTES_API_KEY"):
            model = ChatChatRoutes(model="gpt-5")  # key and base URL from the environment
        else:
            from chatroutes_core.testing import LocalServer

            srv = stack.enter_context(LocalServer())
            model = ChatChatRoutes(model="gpt-5", api_key=srv.api_key, base_url=srv.base_url)

        # 1. A chain, as with any LangChain chat model.
        chain = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("human", "{q}")])
        print((chain | model | StrOutputParser()).invoke({"q": "What is a fjord?"}))

        # 2. Every reply knows where it sits in the tree; pass it back and the branch continues (1 request).
        history = [SystemMessage("Answer briefly."), HumanMessage("Plan a weekend in Kyoto.")]
        first = model.invoke(history)
        print("reply at:", first.response_metadata["chatroutes"])
        longer = model.invoke([*history, first, HumanMessage("Make it three days.")])
        print("same branch:", longer.response_metadata["chatroutes"]["branch_id"])

        # 3. Edit an earlier turn: the list now leaves the branch before its tip, so ChatRoutes forks there.
        edited = model.invoke([*history, first, HumanMessage("Make it a food tour instead.")])
        print("forked to:", edited.response_metadata["chatroutes"]["branch_id"])

        # 4. Stream tokens; usage and the reply's ids arrive on the last chunk.
        for chunk in model.stream([*history, first, HumanMessage("Any tips for trains?")]):
            print(chunk.content, end="", flush=True)
        print()

        # 5. Bind a conversation and branch through the run's config (as RunnableWithMessageHistory does).
        ref = edited.response_metadata["chatroutes"]
        config = {
            "configurable": {
                "chatroutes_conversation_id": ref["conversation_id"],
                "chatroutes_branch_id": ref["branch_id"],
            }
        }
        print(model.invoke("And where should we eat first?", config=config).content)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
