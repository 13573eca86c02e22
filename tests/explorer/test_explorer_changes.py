"""The change feed: the server's pub/sub and ``/_changes``, and the explorer's push and poll streams."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import httpx
import pytest
from explorer_helpers import ExplorerThread, explorer_for, seed

from chatroutes_core import ChatRoutesClient
from chatroutes_core.server.changes import ChangeFeed, describe
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


async def test_the_feed_numbers_changes_per_owner_and_replays_since_a_version() -> None:
    feed = ChangeFeed(keep=3)
    sub = feed.subscribe("alice")
    first = feed.publish("alice", "message", "conv_1", "br_1", "msg_1")
    feed.publish("bob", "branch", "conv_2", "br_2", "br_2")
    assert await sub.get(1) == first
    assert await sub.get(0.05) is None  # bob's change never reaches alice
    assert [c.version for c in feed.since("alice", 0) or []] == [1]
    for n in range(4):
        feed.publish("alice", "message", "conv_1", None, f"m{n}")
    assert feed.since("alice", 0) is None  # older than what is kept: read everything again
    assert [c.version for c in feed.since("alice", 4) or []] == [5, 6]
    assert [(await sub.get(1)).version for _ in range(4)] == [3, 4, 5, 6]  # type: ignore[union-attr]
    sub.close()
    feed.publish("alice", "message", "conv_1")
    assert await sub.get(0.05) is None


def test_describe_names_what_a_write_changed() -> None:
    assert describe("/conversations/c1/branches/b1/messages", b"", b"")[:3] == ("message", "c1", "b1")  # type: ignore[index]
    assert describe("/conversations/c1/messages/stream", b'{"branchId": "b2"}', b"")[:3] == (
        "message",
        "c1",
        "b2",
    )  # type: ignore[index]
    body = json.dumps({"data": {"branch": {"id": "b9", "conversationId": "c1"}}}).encode()
    assert describe("/conversations/c1/fork", b"", body) == ("branch", "c1", "b9", "b9")
    assert describe("/conversations/c1/checkpoints", b"", b"") == ("checkpoint", "c1", None, None)
    created = json.dumps({"data": {"conversation": {"id": "c7"}}}).encode()
    assert describe("/conversations", b"", created) == ("conversation", "c7", None, "c7")
    assert describe("/autobranch/suggest-branches", b"", b"") is None


def _watch(http: httpx.Client, path: str, act: Callable[[], Any], cid: str, timeout: float = 3.0) -> float:
    """Seconds from ``act()`` until ``path`` (SSE) announces a change of ``cid``."""
    with http.stream("GET", path, timeout=timeout + 2) as stream:
        lines = stream.iter_lines()
        for line in lines:  # wait for the greeting: the stream is subscribed
            if line.startswith(("event: hello", ": version")):
                break
        started = time.monotonic()
        act()
        event = None
        for line in lines:
            if line.startswith("event: "):
                event = line[7:]
            elif (
                line.startswith("data: ")
                and event == "change"
                and json.loads(line[6:])["conversationId"] == cid
            ):
                return time.monotonic() - started
            assert time.monotonic() - started < timeout, "no change event in time"
    raise AssertionError("the stream ended")


def _send(server: LocalServer, cid: str, text: str) -> Callable[[], Any]:
    def act() -> None:
        with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as other:
            other.messages.send(cid, content=text)

    return act


def test_the_server_streams_a_keys_changes_and_hides_other_keys(api_server: LocalServer) -> None:
    ids = seed(api_server, "feed")
    headers = {"Authorization": f"ApiKey {api_server.api_key}"}
    with httpx.Client(base_url=api_server.base_url, headers=headers) as http:
        assert _watch(http, "/_changes", _send(api_server, ids["cid"], "pushed"), ids["cid"]) < 1.0
        version = api_server.app.state.changes.version
        assert version > 0
        # since=0 replays what this key wrote, as events with versions
        with http.stream("GET", "/_changes?since=0") as stream:
            seen = []
            for line in stream.iter_lines():
                if line.startswith("id: "):
                    seen.append(int(line[4:]))
                if seen and seen[-1] == version:
                    break
        assert seen == sorted(seen) and seen[-1] == version
    with httpx.Client(base_url=api_server.base_url) as anonymous:
        assert anonymous.get("/_changes").status_code == 401


def test_push_a_write_by_another_client_appears_within_a_second(
    push_explorer: ExplorerThread, api_server: LocalServer
) -> None:
    ids = seed(api_server, "push")
    http, _ = push_explorer.signed_in()
    with closing(http):
        assert http.get("/explorer/api/session").json()["live"] == "push"
        path = f"/explorer/api/changes?cid={ids['cid']}"
        assert _watch(http, path, _send(api_server, ids["cid"], "from elsewhere"), ids["cid"]) < 1.0


def test_poll_a_write_by_another_client_appears_within_a_second(
    explorer: ExplorerThread, api_server: LocalServer
) -> None:
    ids = seed(api_server, "poll")
    http, _ = explorer.signed_in()
    with closing(http):
        session = http.get("/explorer/api/session").json()
        assert session["live"] == "poll" and session["pollSeconds"] == 0.2
        time.sleep(0.05)  # the conversation's updatedAt must move: stamps have millisecond precision
        path = f"/explorer/api/changes?cid={ids['cid']}"
        assert _watch(http, path, _send(api_server, ids["cid"], "polled"), ids["cid"]) < 1.0


def test_a_closed_change_stream_unsubscribes(push_explorer: ExplorerThread, api_server: LocalServer) -> None:
    feed = api_server.app.state.changes
    owner = push_explorer.app.state.explorer.owner
    http, _ = push_explorer.signed_in()
    with closing(http):
        with http.stream("GET", "/explorer/api/changes") as stream:
            lines = stream.iter_lines()  # kept: dropping the iterator would close the response
            next(lines)  # the greeting: subscribed
            assert len(feed._subscribers.get(owner, ())) == 1
        deadline = time.monotonic() + 3
        while feed._subscribers.get(owner) and time.monotonic() < deadline:
            _send(api_server, seed(api_server, "wake")["cid"], "x")()  # a write makes the stream notice
            time.sleep(0.05)
        assert not feed._subscribers.get(owner)


def test_polling_costs_one_request_per_period_whatever_the_number_of_streams(
    explorer: ExplorerThread, api_server: LocalServer
) -> None:
    ids = seed(api_server, "cheap")
    http, _ = explorer.signed_in()
    other = httpx.Client(base_url=explorer.url, cookies=http.cookies)  # a second tab of the same browser
    with closing(http), closing(other):
        first = http.stream("GET", f"/explorer/api/changes?cid={ids['cid']}")
        second = other.stream("GET", "/explorer/api/changes")
        with first as a, second as b:
            lines_a, lines_b = a.iter_lines(), b.iter_lines()  # kept: dropping one closes its response
            next(lines_a)
            next(lines_b)
            api_server.state.reset_requests()
            time.sleep(1.0)  # five periods of 0.2 s
            lists = [p for m, p in api_server.state.requests if p == "/api/v1/conversations"]
    assert 2 <= len(lists) <= 7, lists  # one list per period for both streams, not one per stream


def test_explore_relays_a_local_servers_feed_from_another_process(api_server: LocalServer) -> None:
    thread = ExplorerThread(explorer_for(api_server, relay=True)).start()
    try:
        ids = seed(api_server, "relay")
        http, _ = thread.signed_in()
        with closing(http):
            assert http.get("/explorer/api/session").json()["live"] == "push"
            path = f"/explorer/api/changes?cid={ids['cid']}"
            assert _watch(http, path, _send(api_server, ids["cid"], "relayed"), ids["cid"]) < 1.0
    finally:
        thread.stop()


def test_an_api_without_a_change_feed_is_polled() -> None:
    from starlette.testclient import TestClient

    from chatroutes_core import AsyncChatRoutesClient
    from chatroutes_core.explorer import create_explorer_app

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/_changes"):
            return httpx.Response(404, json={"success": False, "error": "Not found"})
        return httpx.Response(200, json={"success": True, "conversations": [], "total": 0})

    def client() -> AsyncChatRoutesClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        return AsyncChatRoutesClient(api_key="k", base_url="https://api.example.com/api/v1", http_client=http)

    app = create_explorer_app(client, base_url="https://api.example.com/api/v1")
    with TestClient(app) as http:
        assert (
            http.get(
                app.state.explorer.link("127.0.0.1", 1).split(":1", 1)[1], follow_redirects=False
            ).status_code
            == 303
        )
        assert http.get("/explorer/api/session").json()["live"] == "poll"
