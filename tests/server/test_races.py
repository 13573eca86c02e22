"""Races between writers: every rule is checked in the transaction that writes, under the branch locks.

A slow stream holds a branch's lock (the token delay), so the racing requests queue up behind it in a
known order; without the re-checks both writes of each pair were accepted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from server_helpers import Api

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer(lock_wait=30.0) as srv:
        yield srv


def _client(srv: LocalServer) -> httpx.Client:
    return httpx.Client(base_url=srv.base_url, headers={"Authorization": f"ApiKey {srv.api_key}"}, timeout=30)


def _in_thread(
    srv: LocalServer, call: Callable[[httpx.Client], httpx.Response]
) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        with _client(srv) as http:
            out.append(call(http))

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _slow_stream(
    srv: LocalServer, conversation_id: str, branch_id: str
) -> tuple[threading.Thread, list[Any]]:
    """A stream on ``branch_id`` that holds its lock for about a second; returns once it has started."""
    srv.set_token_delay(0.05)
    body = {"content": "a fairly long turn " * 3, "branchId": branch_id}

    def stream(http: httpx.Client) -> httpx.Response:
        with http.stream("POST", f"/conversations/{conversation_id}/messages/stream", json=body) as r:
            r.read()
            return r

    thread, out = _in_thread(srv, stream)
    deadline = time.monotonic() + 5
    while not srv.state.last_stream_timings and time.monotonic() < deadline:
        time.sleep(0.01)  # the first content event: the stream holds the branch lock
    return thread, out


def _queued(srv: LocalServer, waiting: int) -> None:
    deadline = time.monotonic() + 5
    while srv.in_flight < waiting and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)


def test_merging_a_child_into_a_parent_that_is_being_merged_away_is_refused(server: LocalServer) -> None:
    api = Api(server)
    conv = api.conversation()
    cid = conv["id"]
    g_tip = api.send(cid, "on g")["message"]
    g = api.main_branch(cid)
    p = api.fork(cid, g_tip["id"], title="p")
    p_tip = api.send(cid, "on p", branchId=p["id"])["message"]
    c = api.fork(cid, p_tip["id"], title="c")
    api.send(cid, "only on c", branchId=c["id"])

    stream, _ = _slow_stream(server, cid, p["id"])  # holds P's lock
    merges = f"/conversations/{cid}/branches/{{}}/merge"
    p_into_g, p_out = _in_thread(server, lambda http: http.post(merges.format(p["id"])))
    _queued(server, 2)  # P -> G holds G and waits for P
    c_into_p, c_out = _in_thread(server, lambda http: http.post(merges.format(c["id"])))
    _queued(server, 3)  # C -> P waits for P, behind P -> G
    for thread in (stream, p_into_g, c_into_p):
        thread.join(30)
    server.set_token_delay(0)

    assert p_out[0].status_code == 200, p_out[0].text
    assert c_out[0].status_code == 409, c_out[0].text  # P was merged away while C -> P waited
    assert c_out[0].json()["error"] == "The parent branch is not active"
    p_history = [m["content"] for m in api.history(cid, p["id"])]
    assert "only on c" not in p_history  # nothing copied onto the inactive P
    branches = {b["id"]: b for b in api.ok("GET", f"/conversations/{cid}/branches")["branches"]}
    assert branches[c["id"]]["isActive"] is True and branches[p["id"]]["isActive"] is False
    assert "on p" in [m["content"] for m in api.history(cid, g["id"])]
    api.close()


def test_deleting_a_branch_while_someone_forks_at_its_message_is_refused(server: LocalServer) -> None:
    api = Api(server)
    conv = api.conversation()
    cid = conv["id"]
    root = api.send(cid, "root")["message"]
    b = api.fork(cid, root["id"], title="b")
    b_tip = api.send(cid, "on b", branchId=b["id"])["message"]

    stream, _ = _slow_stream(server, cid, b["id"])  # holds B's lock
    delete, d_out = _in_thread(server, lambda http: http.delete(f"/conversations/{cid}/branches/{b['id']}"))
    _queued(server, 2)  # the delete passed its early check and waits for B
    child = api.fork(cid, b_tip["id"], title="child of b")  # a fork takes no branch lock: it commits now
    for thread in (stream, delete):
        thread.join(30)
    server.set_token_delay(0)

    assert d_out[0].status_code == 409, d_out[0].text
    assert d_out[0].json()["error"] == "Branch has child branches; delete them first"
    history = [m["id"] for m in api.history(cid, child["id"])]
    assert len(history) == 4 and history[1] == root["id"] and history[-1] == b_tip["id"]
    tree = api.ok("GET", f"/conversations/{cid}/tree")
    assert len(tree["branches"]) == 1  # one root: nothing orphaned
    api.close()


def test_a_send_waits_for_a_busy_branch_only_as_long_as_lock_wait(tmp_path: Any) -> None:
    with LocalServer(lock_wait=0.3) as srv:
        api = Api(srv)
        conv = api.conversation()
        main = api.main_branch(conv["id"])
        stream, _ = _slow_stream(srv, conv["id"], main["id"])
        started = time.perf_counter()
        second = api.http.post(f"/conversations/{conv['id']}/messages", json={"content": "second"})
        waited = time.perf_counter() - started
        stream.join(30)
        srv.set_token_delay(0)
        assert second.status_code == 503, second.text
        assert second.json()["code"] == "BRANCH_BUSY" and second.headers["retry-after"] == "1"
        assert waited < 0.9
        assert srv.count_messages(conv["id"]) == 2  # only the stream's exchange
        api.close()


@pytest.mark.parametrize("change", ["deactivate", "delete the conversation"])
def test_a_branch_closed_while_its_reply_streams_stores_nothing(server: LocalServer, change: str) -> None:
    api = Api(server)
    conv = api.conversation()
    cid = conv["id"]
    api.send(cid, "first")
    b = api.fork(cid, api.history(cid, api.main_branch(cid)["id"])[-1]["id"], title="b")
    before = server.count_messages()
    stream, out = _slow_stream(server, cid, b["id"])
    if change == "deactivate":  # neither takes the branch lock: they land while the reply streams
        api.ok("PATCH", f"/conversations/{cid}/branches/{b['id']}", json={"isActive": False})
    else:
        assert api.http.delete(f"/conversations/{cid}").status_code == 200
    stream.join(30)
    server.set_token_delay(0)
    events = [line[6:] for line in out[0].text.splitlines() if line.startswith("data: ")]
    assert events[-1] != "[DONE]"
    assert '"type": "error"' in events[-1] or '"type":"error"' in events[-1]
    deleted = 0 if change == "deactivate" else 2  # a conversation delete takes its two messages with it
    assert server.count_messages() == before - deleted  # no exchange stored on a closed branch
    api.close()
