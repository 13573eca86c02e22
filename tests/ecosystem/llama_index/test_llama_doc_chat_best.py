"""Chat engine, ``chat_mode="best"`` (the default of ``index.as_chat_engine()``).

Source: run-llama/llama_index, docs/examples/chat_engine/chat_engine_best.ipynb
(``index.as_chat_engine(chat_mode="best", llm=llm, verbose=True)``, then ``chat``) and the chat-engine usage
pattern (``chat_engine = index.as_chat_engine()``). Changed: the LLM, the embeddings. In llama-index-core
0.14 ``best`` builds a ``CondensePlusContextChatEngine`` for every LLM (the agent modes were removed): the
same class ``MockLLM`` gets, checked here.
"""

from __future__ import annotations

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.chat_engine import CondensePlusContextChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import MockLLM

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def test_best_mode_is_what_mock_llm_gets_and_its_turns_share_a_branch(
    local_server: LocalServer, embed_model: MockEmbedding
) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    index = VectorStoreIndex.from_documents(ESSAY, embed_model=embed_model)
    mock_engine = index.as_chat_engine(chat_mode="best", llm=MockLLM(), verbose=True)
    Settings.llm = llm
    chat_engine = index.as_chat_engine()  # "best" is the default
    assert type(chat_engine) is type(mock_engine) is CondensePlusContextChatEngine
    before = conversations(llm)
    chat_engine.chat("What did Paul Graham do growing up?")
    response = chat_engine.chat("And after that?")
    (conversation,) = conversations(llm) - before
    held = branch(llm, conversation)
    assert [role for role, _ in held] == ["user", "assistant"] * 2 and held[-1][1] == str(response)
