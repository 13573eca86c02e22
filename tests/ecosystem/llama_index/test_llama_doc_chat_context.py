"""Chat engine, ``chat_mode="context"``: retrieved context in the system prompt, a small memory.

Source: run-llama/llama_index, docs/examples/chat_engine/chat_engine_context.ipynb ("Get started in 5 lines of
code": ``ChatMemoryBuffer.from_defaults(token_limit=1500)``, ``index.as_chat_engine(chat_mode="context",
memory=memory, system_prompt=...)``, a follow-up question). Changed: the LLM, the embeddings.
"""

from __future__ import annotations

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.memory import ChatMemoryBuffer

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def test_context_chat_engine_sends_the_retrieved_text_and_continues_the_branch(
    llm: ChatRoutes, embed_model: MockEmbedding
) -> None:
    Settings.llm, Settings.embed_model = llm, embed_model
    index = VectorStoreIndex.from_documents(ESSAY)
    memory = ChatMemoryBuffer.from_defaults(token_limit=1500)
    chat_engine = index.as_chat_engine(
        chat_mode="context",
        memory=memory,
        system_prompt=(
            "You are a chatbot, able to have normal interactions, as well as talk"
            " about an essay discussing Paul Grahams life."
        ),
    )
    before = conversations(llm)
    response = chat_engine.chat("Hello!")
    response = chat_engine.chat("What did Paul Graham do growing up?")
    (conversation,) = conversations(llm) - before
    held = branch(llm, conversation)
    assert [role for role, _ in held] == ["user", "assistant"] * 2
    first = held[0][1]
    assert "about an essay discussing Paul Grahams life" in first  # the system prompt reached the model
    assert any(doc.text in first for doc in ESSAY)  # and so did the retrieved context
    assert held[2][1].endswith("What did Paul Graham do growing up?")
    assert held[3][1] == str(response) and "2 prior messages" in str(response)
    assert [m.content for m in memory.get_all()][::2] == ["Hello!", "What did Paul Graham do growing up?"]
