"""Issue 25 phase 2: the chat stores resolve their clients from their fields, ``timeout`` and
``max_retries`` included (they had neither: pydantic dropped the unknown arguments silently)."""

from __future__ import annotations

import pytest

from chatroutes_core import ChatRoutesClient
from chatroutes_core.errors import APITimeoutError, ConfigurationError, ServerError
from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import ChatRoutesChatStore, ChatRoutesMemoryStore

pytestmark = pytest.mark.integration


def _conversation(server: LocalServer) -> str:
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        return client.conversations.create(title="t").id


def test_the_store_uses_its_max_retries(fresh_server: LocalServer) -> None:
    key = _conversation(fresh_server)
    store = ChatRoutesChatStore(api_key=fresh_server.api_key, base_url=fresh_server.base_url, max_retries=0)
    fresh_server.reset_requests()
    fresh_server.inject(503, method="GET")  # retried by default: with max_retries=0 it is the answer
    with pytest.raises(ServerError):
        store.get_messages(key)
    assert len(fresh_server.requests) == 1


async def test_the_memory_store_uses_its_max_retries(fresh_server: LocalServer) -> None:
    key = _conversation(fresh_server)
    store = ChatRoutesMemoryStore(api_key=fresh_server.api_key, base_url=fresh_server.base_url, max_retries=0)
    fresh_server.reset_requests()
    fresh_server.inject(503, method="GET")
    with pytest.raises(ServerError):
        await store.get_messages(key)
    assert len(fresh_server.requests) == 1


async def test_the_store_uses_its_timeout(fresh_server: LocalServer) -> None:
    key = _conversation(fresh_server)
    store = ChatRoutesChatStore(
        api_key=fresh_server.api_key, base_url=fresh_server.base_url, timeout=0.05, max_retries=0
    )
    fresh_server.set_latency(0.5)
    try:
        with pytest.raises(APITimeoutError):
            await store.aget_messages(key)
    finally:
        fresh_server.set_latency(0.0)


def test_a_copy_with_other_options_uses_them(fresh_server: LocalServer) -> None:
    store = ChatRoutesChatStore(api_key=fresh_server.api_key, base_url=fresh_server.base_url)
    copy = store.model_copy(update={"max_retries": 0, "timeout": 3.0})
    assert (copy.client.max_retries, copy.client.timeout) != (store.client.max_retries, store.client.timeout)
    assert copy.client.max_retries == 0


def test_a_bad_max_retries_is_refused_before_any_request() -> None:
    # checked when the client is looked up (construction stays a few microseconds), before any request:
    # nothing listens on port 9, so a request would be a connection error
    store = ChatRoutesChatStore(api_key="k", base_url="http://127.0.0.1:9/api/v1", max_retries=-1)
    with pytest.raises(ConfigurationError, match="max_retries"):
        store.get_messages("conv_1")
