"""SSE streaming (one event per chunk, no buffering) and injected faults."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from server_helpers import Api

from chatroutes_core.testing import LocalServer


def _events(response: httpx.Response) -> list[Any]:
    out: list[Any] = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            data = line[6:]
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


def test_stream_events_and_storage(api: Api) -> None:
    conv = api.conversation()
    with api.http.stream(
        "POST", f"/conversations/{conv['id']}/messages/stream", json={"content": "hey"}
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = _events(r)
    assert events[-1] == "[DONE]"
    complete = events[-2]
    contents = events[:-2]
    assert all(e["type"] == "content" and e["model"] == "gpt-5-2025-08-07" for e in contents)
    assert len(contents) > 5
    text = "".join(e["content"] for e in contents)
    assert complete["type"] == "complete" and complete["message"]["content"] == text
    assert complete["usage"]["completionTokens"] == complete["message"]["tokenCount"]
    stored = api.history(conv["id"], api.main_branch(conv["id"])["id"])
    assert [m["id"] for m in stored][-1] == complete["message"]["id"]
    assert len(stored) == 2


def test_stream_honours_branch_id(api: Api) -> None:
    conv = api.conversation()
    reply = api.send(conv["id"], "one")["message"]
    branch = api.fork(conv["id"], reply["id"], title="side")
    body = {"content": "two", "branchId": branch["id"]}
    with api.http.stream("POST", f"/conversations/{conv['id']}/messages/stream", json=body) as r:
        events = _events(r)
    assert events[-2]["message"]["branchId"] == branch["id"]
    assert "on branch 'side'" in events[-2]["message"]["content"]


def test_stream_errors_before_first_byte_are_json(api: Api) -> None:
    conv = api.conversation()
    r = api.http.post(f"/conversations/{conv['id']}/messages/stream", json={"content": "x", "model": "nope"})
    assert r.status_code == 400 and r.json()["error"] == "Unsupported model: nope"
    assert (
        api.http.post("/conversations/conv_missing/messages/stream", json={"content": "x"}).status_code == 404
    )


def test_first_token_arrives_before_the_stream_completes(fresh_server: LocalServer) -> None:
    """Each event is flushed as produced: with 0.1 s per token the first arrives long before the end."""
    fresh_server.set_token_delay(0.1)
    api = Api(fresh_server)
    conv = api.conversation()
    arrivals: list[tuple[float, str]] = []
    with api.http.stream("POST", f"/conversations/{conv['id']}/messages/stream", json={"content": "hi"}) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                arrivals.append((time.perf_counter(), line))
    produced = fresh_server.last_stream_timings
    assert len(produced) == len(arrivals)
    first_arrival, last_arrival = arrivals[0][0], arrivals[-1][0]
    lag = first_arrival - produced[0]
    print(f"\ntime from production to arrival of the first token: {lag * 1000:.2f} ms")
    # the first token was received before the second one was even produced (0.1 s later)
    assert first_arrival < produced[1]
    assert last_arrival - first_arrival > 0.1 * (len(arrivals) - 4)
    api.close()


def test_official_sdk_stream_gets_events_one_by_one(fresh_server: LocalServer) -> None:
    from chatroutes import ChatRoutes

    fresh_server.set_token_delay(0.05)
    sdk = ChatRoutes(api_key=fresh_server.api_key, base_url=fresh_server.base_url, retry_attempts=0)
    conv = sdk.conversations.create({"title": "s"})
    seen: list[float] = []
    sdk.messages.stream(conv["id"], {"content": "x"}, on_chunk=lambda c: seen.append(time.perf_counter()))
    produced = fresh_server.last_stream_timings
    assert seen[0] < produced[1]  # not held back until later events


def test_cut_stream_drops_connection(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    conv = api.conversation()
    fresh_server.inject(cut_after=3)
    lines: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        api.http.stream("POST", f"/conversations/{conv['id']}/messages/stream", json={"content": "x"}) as r,
    ):
        lines.extend(line for line in r.iter_lines() if line.startswith("data: "))
    assert len(lines) == 3
    assert fresh_server.count_messages(conv["id"]) == 0  # cut before the exchange was stored
    api.close()


def test_stall_stream(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    conv = api.conversation()
    fresh_server.inject(stall_after=2, stall_seconds=0.5)
    with api.http.stream("POST", f"/conversations/{conv['id']}/messages/stream", json={"content": "x"}) as r:
        events = _events(r)
    timings = fresh_server.last_stream_timings
    assert events[-1] == "[DONE]"
    assert timings[2] - timings[1] >= 0.5
    api.close()


def test_http_faults_before_and_after(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    conv = api.conversation()
    path = f"/conversations/{conv['id']}/messages"
    fresh_server.inject(503, path="/messages$", method="POST")
    r = api.http.post(path, json={"content": "x"})
    assert r.status_code == 503 and r.json()["success"] is False
    assert fresh_server.count_messages(conv["id"]) == 0
    fresh_server.inject(500, path="/messages$", when="after")
    assert api.http.post(path, json={"content": "x"}).status_code == 500
    assert fresh_server.count_messages(conv["id"]) == 2  # stored, then answered with an error
    fresh_server.inject(429, retry_after=2)
    r = api.http.get("/conversations")
    assert r.status_code == 429 and r.headers["retry-after"] == "2" and r.json()["retryAfter"] == 2
    fresh_server.inject(502, body="html")
    r = api.http.get("/conversations")
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html") and "<html>" in r.text
    fresh_server.inject(200, body="malformed")
    r = api.http.get("/conversations")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    fresh_server.inject(200, body="success_false")
    assert api.http.get("/conversations").json() == {"success": False}
    fresh_server.inject(500, count=2)
    assert [api.http.get("/conversations").status_code for _ in range(3)] == [500, 500, 200]
    with pytest.raises(ValueError):
        fresh_server.inject()
    api.close()


def test_latency_and_request_log(fresh_server: LocalServer) -> None:
    api = Api(fresh_server)
    fresh_server.reset_requests()
    fresh_server.set_latency(0.3)
    started = time.perf_counter()
    api.http.get("/conversations")
    assert time.perf_counter() - started >= 0.3
    assert fresh_server.requests == [("GET", "/api/v1/conversations")]
    api.close()


@pytest.mark.integration
def test_admin_routes_only_with_test_knobs() -> None:
    with LocalServer(test_knobs=True) as srv:
        api = Api(srv)
        api.ok("POST", "/_admin/faults", json={"status": 418, "path": "/conversations$"})
        assert api.http.get("/conversations").status_code == 418
        api.ok("POST", "/_admin/knobs", json={"latency": 0.0, "token_delay": 0.01})
        assert srv.state.token_delay_for(srv.state.store.owner_of(srv.api_key)) == 0.01
        api.close()
    with LocalServer() as srv:
        api = Api(srv)
        assert api.http.post("/_admin/faults", json={"status": 418}).status_code == 404
        api.close()
