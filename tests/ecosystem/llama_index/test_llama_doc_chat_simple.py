"""Chat engine, ``chat_mode="simple"``, with streaming and ``reset()``.

Source: run-llama/llama_index,
docs/src/content/docs/framework/module_guides/deploying/chat_engines/usage_pattern.mdx
("Get Started", "Available Chat Modes: simple", "Streaming"). Changed: the LLM (ChatRoutes), the embeddings
(MockEmbedding).
"""

from __future__ import annotations

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import VectorStoreIndex
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def test_simple_chat_engine_keeps_one_branch_and_reset_starts_another(
    llm: ChatRoutes, embed_model: MockEmbedding
) -> None:
    index = VectorStoreIndex.from_documents(ESSAY, embed_model=embed_model)
    chat_engine = index.as_chat_engine(chat_mode="simple", llm=llm)
    assert isinstance(chat_engine, SimpleChatEngine)
    before = conversations(llm)

    response = chat_engine.chat("Tell me a joke.")
    streaming_response = chat_engine.stream_chat("Tell me another one.")
    streamed = "".join(token for token in streaming_response.response_gen)

    (conversation,) = conversations(llm) - before
    held = branch(llm, conversation)
    assert held == [
        ("user", "Tell me a joke."),
        ("assistant", str(response)),
        ("user", "Tell me another one."),
        ("assistant", streamed),
    ]
    assert "2 prior messages" in streamed  # the second turn saw the first

    chat_engine.reset()
    chat_engine.chat("Tell me a joke.")
    assert len(conversations(llm) - before) == 2  # a reset conversation is a new one
