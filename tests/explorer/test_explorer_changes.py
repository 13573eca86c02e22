"""The change feed: the server's pub/sub and ``/_changes``, and the explorer's push and poll streams."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import httpx
import pytest
from explorer_helpers import ExplorerThread, seed

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
