"""Fixtures for the LlamaIndex adapter tests: a ChatRoutes LLM and chat stores on the session LocalServer."""

from __future__ import annotations

import pytest

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes.chat_store import ChatRoutesChatStore, ChatRoutesMemoryStore
from llama_index_chatroutes.llm import ChatRoutes


@pytest.fixture
def llm(local_server: LocalServer) -> ChatRoutes:
    return ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url)


@pytest.fixture
def store(local_server: LocalServer) -> ChatRoutesChatStore:
    return ChatRoutesChatStore(api_key=local_server.api_key, base_url=local_server.base_url)


@pytest.fixture
def memory_store(local_server: LocalServer) -> ChatRoutesMemoryStore:
    return ChatRoutesMemoryStore(api_key=local_server.api_key, base_url=local_server.base_url)
