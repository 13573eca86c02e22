"""An unhandled server error is a complete JSON 500, and the keep-alive connection stays usable after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatroutes_core import ChatRoutesClient, ServerError
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def _break_once(monkeypatch: pytest.MonkeyPatch, srv: LocalServer, method: str) -> None:
    original = getattr(srv.state.store, method)
    calls = {"n": 0}

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a bug in a route")
        return original(*args, **kwargs)

    monkeypatch.setattr(srv.state.store, method, broken)


def test_after_an_unhandled_500_the_next_five_sends_on_the_same_client_succeed(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url, max_retries=0) as client:
        conv = client.conversations.create(title="t")
        _break_once(monkeypatch, server, "list_conversations")
        with pytest.raises(ServerError) as caught:
            client.conversations.list()
        assert caught.value.status_code == 500
        replies = [client.messages.send(conv.id, content=f"turn {i}") for i in range(5)]
    assert len({r.message.id for r in replies}) == 5
    assert server.count_messages(conv.id) == 10


def test_the_500_is_a_complete_json_body_and_the_connection_is_reused(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ports: list[Any] = []
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"ApiKey {server.api_key}"}, timeout=5
    ) as http:
        http.get("/conversations").raise_for_status()
        _break_once(monkeypatch, server, "list_conversations")
        broken = http.get("/conversations", extensions={"trace": lambda name, info: ports.append(name)})
        assert broken.status_code == 500
        assert broken.headers["content-type"] == "application/json"
        assert broken.json() == {
            "success": False,
            "error": "Internal server error",
            "message": "Internal server error",
        }
        ports.clear()
        after = http.get("/conversations", extensions={"trace": lambda name, info: ports.append(name)})
    assert after.status_code == 200
    assert not any(name.startswith("connection.connect_tcp") for name in ports)  # the same connection
