"""LlamaIndex quickstart: a query engine and a chat engine on ChatRoutes.

Runs against the live API when CHATROUTES_API_KEY is set, otherwise against a local ChatRoutes-compatible
server started in-process (its offline responder is deterministic, not a language model).
"""

from __future__ import annotations

import os
from contextlib import ExitStack

from llama_index.core import Document, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding

from llama_index_chatroutes import ChatRoutes


def main() -> None:
    with ExitStack() as stack:
        if os.environ.get("CHATROUTES_API_KEY"):
            llm = ChatRoutes(model="gpt-5")
        else:
            from chatroutes_core.testing import LocalServer

            srv = stack.enter_context(LocalServer())
            llm = ChatRoutes(api_key=srv.api_key, base_url=srv.base_url)

        docs = [Document(text="ChatRoutes keeps every conversation as a tree of branches.")]
        index = VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))
        print(index.as_query_engine(llm=llm).query("How are conversations stored?"))

        conversation = llm.client.conversations.create(title="LlamaIndex quickstart")
        engine = index.as_chat_engine(chat_mode="condense_plus_context", llm=llm.bind(conversation.id))
        print(engine.chat("What does ChatRoutes keep?"))
        print(engine.chat("And how is it shaped?"))
        print("conversation:", conversation.id)


if __name__ == "__main__":
    main()
