"""Issue 25 phase 2: every LangChain class resolves its clients from its own fields (``ClientSettings``).

The router used to ignore its key and URL (``shared_client()`` read only the environment), and the history
had no ``timeout``/``max_retries`` at all.
"""

from __future__ import annotations

import pytest
from langchain_core.runnables import RunnableLambda

from chatroutes_core import ChatRoutesClient
from chatroutes_core.errors import APITimeoutError, AuthenticationError, ConfigurationError, ServerError
from chatroutes_core.testing import LocalServer
from langchain_chatroutes import AutoBranchRouter, ChatRoutesChatMessageHistory

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)


def _router(server: LocalServer, **fields: object) -> AutoBranchRouter:
    routes = {
        "billing": (RunnableLambda(lambda x: "billing"), "invoices, refunds, payments"),
        "tech": (RunnableLambda(lambda x: "tech"), "technical questions about the API"),
    }
    return AutoBranchRouter(routes, detector="api", default="tech", **fields)  # type: ignore[arg-type]


def _detections(server: LocalServer) -> int:
    return sum(1 for method, path in server.requests if method == "POST" and "autobranch" in path)


def test_the_router_uses_its_key_and_url(fresh_server: LocalServer) -> None:
    router = _router(fresh_server, api_key=fresh_server.api_key, base_url=fresh_server.base_url)
    assert router.invoke("I need a refund for my last invoice") in ("billing", "tech")
    assert _detections(fresh_server) == 1
    assert fresh_server.api_key not in repr(router)


async def test_the_router_uses_its_key_and_url_async(fresh_server: LocalServer) -> None:
    router = _router(fresh_server, api_key=fresh_server.api_key, base_url=fresh_server.base_url)
    assert await router.ainvoke("I need a refund for my last invoice") in ("billing", "tech")
    assert _detections(fresh_server) == 1


def test_the_router_sends_its_own_key(fresh_server: LocalServer) -> None:
    router = _router(fresh_server, api_key="cr_not_this_servers_key", base_url=fresh_server.base_url)
    with pytest.raises(AuthenticationError):
        router.invoke("I need a refund for my last invoice")


def _conversation(server: LocalServer) -> str:
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        return client.conversations.create(title="t").id


def test_the_history_uses_its_max_retries(fresh_server: LocalServer) -> None:
    conversation_id = _conversation(fresh_server)
    history = ChatRoutesChatMessageHistory(
        conversation_id, api_key=fresh_server.api_key, base_url=fresh_server.base_url, max_retries=0
    )
    fresh_server.reset_requests()
    fresh_server.inject(503, method="GET")  # retried by default: with max_retries=0 it is the answer
    with pytest.raises(ServerError):
        _ = history.messages
    assert len(fresh_server.requests) == 1


async def test_the_history_uses_its_timeout(fresh_server: LocalServer) -> None:
    conversation_id = _conversation(fresh_server)
    history = ChatRoutesChatMessageHistory(
        conversation_id, api_key=fresh_server.api_key, base_url=fresh_server.base_url,
        timeout=0.05, max_retries=0,
    )  # fmt: skip
    fresh_server.set_latency(0.5)
    try:
        with pytest.raises(APITimeoutError):
            await history.aget_messages()
    finally:
        fresh_server.set_latency(0.0)


def test_a_bad_max_retries_is_refused_before_any_request() -> None:
    # checked when the client is looked up (construction stays a few microseconds), before any request:
    # nothing listens on port 9, so a request would be a connection error
    history = ChatRoutesChatMessageHistory(
        "conv_1", api_key="k", base_url="http://127.0.0.1:9/api/v1", max_retries=-1
    )
    with pytest.raises(ConfigurationError, match="max_retries"):
        _ = history.messages
