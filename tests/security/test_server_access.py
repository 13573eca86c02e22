"""The local server's boundaries: ids cannot change the route, keys cannot see each other, bodies are capped,
and the server listens on loopback unless told otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatroutes_core import ChatRoutesClient, NotFoundError, UsageError
from chatroutes_core.models import Branch, Conversation, Message
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(max_body_bytes=4096) as srv:
        yield srv


@pytest.fixture(scope="module")
def world(server: LocalServer) -> Iterator[tuple[ChatRoutesClient, Conversation, Branch, Message]]:
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        conv = client.conversations.create(title="mine")
        reply = client.messages.send(conv.id, content="hello").message
        branch = client.branches.list(conv.id)[0]
        yield client, conv, branch, reply


def raw(server: LocalServer, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"ApiKey {key or server.api_key}"}
    return httpx.request(method, server.base_url + path, headers=headers, **kwargs)


# -- path injection ------------------------------------------------------------------------------------------


def injected_ids(conv: Conversation, branch: Branch) -> list[str]:
    return [
        "../autobranch/health",
        "..",
        ".",
        "a/b?x#y",
        "x%2Fy",
        "%2e%2e",
        f"{conv.id}/branches/{branch.id}",  # would reach route #17 if the server decoded %2F before routing
        f"{conv.id}/tree",
        f"{conv.id}?branchId={branch.id}",
        f"{conv.id}#frag",
    ]


def test_ids_cannot_reach_another_route_through_the_client(world: Any, server: LocalServer) -> None:
    # an id holding a delimiter is refused by the client before any request; one that only looks like an
    # encoded delimiter ("x%2Fy") is sent percent-encoded, as one segment, and names nothing
    client, conv, branch, reply = world
    before = len(server.requests)
    for evil in injected_ids(conv, branch):
        refused = any(ch in "/?#" for ch in evil) or evil in (".", "..")
        calls = [
            lambda e=evil: client.conversations.get(e),
            lambda e=evil: client.messages.list(e),
            lambda e=evil: client.conversations.get_tree(e),
            lambda e=evil: client.branches.get_messages(conv.id, e),
            lambda e=evil: client.messages.update(e, content="x"),
        ]
        for call in calls:
            with pytest.raises(UsageError if refused else NotFoundError):
                call()
    encoded_only = [
        e for e in injected_ids(conv, branch) if not any(ch in "/?#" for ch in e) and e not in (".", "..")
    ]
    assert len(server.requests) - before == 5 * len(encoded_only)
    # the real objects are untouched and still reachable
    assert [m.id for m in client.messages.list(conv.id)][-1] == reply.id


@pytest.mark.parametrize(
    "path",
    [
        "/conversations/{c}%2Fbranches%2F{b}/messages",
        "/conversations/{c}%2ftree",
        "/conversations/{c}%2Fbranches",
        "/conversations/%2E%2E%2Fautobranch%2Fhealth",
        "/conversations/{c}/branches/{b}%2F..%2F{b}/messages",
        "/messages/..%2Fconversations",
    ],
)
def test_encoded_slashes_in_raw_paths_do_not_route(path: str, world: Any, server: LocalServer) -> None:
    _, conv, branch, _ = world
    response = raw(server, "GET", path.format(c=conv.id, b=branch.id))
    assert response.status_code in (404, 405), response.text[:200]
    assert response.json()["success"] is False


# -- cross-key access ----------------------------------------------------------------------------------------


def test_another_key_sees_nothing_and_changes_nothing(world: Any, server: LocalServer) -> None:
    client, conv, branch, reply = world
    other_key = server.new_api_key()
    before = server.count_messages(conv.id)
    with ChatRoutesClient(api_key=other_key, base_url=server.base_url) as other:
        assert all(c.id != conv.id for c in other.conversations.list().conversations)
        attempts = [
            lambda: other.conversations.get(conv.id),
            lambda: other.conversations.get_tree(conv.id),
            lambda: other.conversations.update(conv.id, title="stolen"),
            lambda: other.messages.list(conv.id),
            lambda: other.messages.send(conv.id, content="intrude"),
            lambda: other.messages.update(reply.id, content="rewritten"),
            lambda: other.branches.list(conv.id),
            lambda: other.branches.get_messages(conv.id, branch.id),
            lambda: other.branches.fork(conv.id, fork_point_message_id=reply.id, title="f"),
            lambda: other.branches.send_message(conv.id, branch.id, content="intrude"),
            lambda: other.checkpoints.create(conv.id, branch_id=branch.id, anchor_message_id=reply.id),
            lambda: other.checkpoints.list(conv.id),
            lambda: other.messages.delete(reply.id),
            lambda: other.branches.delete(conv.id, branch.id),
            lambda: other.conversations.delete(conv.id),
        ]
        for attempt in attempts:
            with pytest.raises(NotFoundError):
                attempt()
    assert server.count_messages(conv.id) == before
    assert client.conversations.get(conv.id).title == "mine"
    assert reply.id in [m.id for m in client.messages.list(conv.id)]


def test_another_keys_checkpoint_is_a_404(world: Any, server: LocalServer) -> None:
    client, conv, branch, reply = world
    checkpoint = client.checkpoints.create(conv.id, branch_id=branch.id, anchor_message_id=reply.id)
    with ChatRoutesClient(api_key=server.new_api_key(), base_url=server.base_url) as other:
        with pytest.raises(NotFoundError):
            other.checkpoints.recreate(checkpoint.id)
        with pytest.raises(NotFoundError):
            other.checkpoints.delete(checkpoint.id)
    assert checkpoint.id in [c.id for c in client.checkpoints.list(conv.id)]


def test_no_key_or_a_wrong_key_is_a_401(server: LocalServer) -> None:
    assert httpx.get(server.base_url + "/conversations").status_code == 401
    assert raw(server, "GET", "/conversations", key="cr_local_sk_wrong").status_code == 401


# -- body size -----------------------------------------------------------------------------------------------


def test_an_oversized_body_is_a_413_and_stores_nothing(world: Any, server: LocalServer) -> None:
    _, conv, _, _ = world
    before = server.count_messages(conv.id)
    big = {"content": "x" * 5000}
    response = raw(server, "POST", f"/conversations/{conv.id}/messages", json=big)
    assert response.status_code == 413 and response.json()["success"] is False

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        yield b'{"content": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    streamed = raw(server, "POST", f"/conversations/{conv.id}/messages", content=chunks())
    assert streamed.status_code == 413
    assert server.count_messages(conv.id) == before


def test_a_body_under_the_limit_is_accepted(world: Any, server: LocalServer) -> None:
    _, conv, _, _ = world
    response = raw(server, "POST", f"/conversations/{conv.id}/messages", json={"content": "x" * 3000})
    assert response.status_code == 200


# -- bind address --------------------------------------------------------------------------------------------


def test_local_server_listens_on_loopback(server: LocalServer) -> None:
    assert httpx.URL(server.base_url).host == "127.0.0.1"


def test_chatroutes_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from chatroutes_core import cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: seen.update(sockets=sockets))
    assert cli.main(["serve", "--db", ":memory:", "--api-key", "cr_local_sk_test", "--port", "0"]) == 0
    (sock,) = seen["sockets"]
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()
