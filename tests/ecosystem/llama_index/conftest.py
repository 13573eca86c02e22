"""Fixtures for the LlamaIndex ecosystem examples (``tests/ecosystem/llama_index``).

Each example is taken from LlamaIndex's own docs, tutorials or docstrings and changed only where the brief
allows: the LLM line (``ChatRoutes`` on the session ``LocalServer``), the embeddings (``MockEmbedding``,
offline) and, where the offline responder cannot make the model's decision, scripted replies
(``LocalServer.script``, consumed in order by whatever conversation generates next). The essay the examples
index is a short stand-in for ``paul_graham_essay.txt`` (no download).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from llama_index.core import Settings
from llama_index.core.embeddings import MockEmbedding

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import ChatRoutes


@pytest.fixture
def llm(local_server: LocalServer) -> ChatRoutes:
    return ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)


@pytest.fixture
def embed_model() -> MockEmbedding:
    return MockEmbedding(embed_dim=8)


@pytest.fixture(autouse=True)
def _settings_restored() -> Iterator[None]:
    llm, embed = Settings._llm, Settings._embed_model
    yield
    Settings._llm, Settings._embed_model = llm, embed


@pytest.fixture
def script(local_server: LocalServer) -> Iterator[Callable[..., None]]:
    """Queue the next model outputs (any conversation); whatever is left is dropped after the test."""

    def queue(*replies: str) -> None:
        local_server.script(None, *replies)

    local_server.clear_scripts()
    yield queue
    local_server.clear_scripts()
