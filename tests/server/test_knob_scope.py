"""Test knobs set over HTTP belong to the key that set them; a bad fault pattern is a 400."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from server_helpers import Api

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture
def two_keys() -> Iterator[tuple[Api, Api]]:
    with LocalServer(test_knobs=True) as srv:
        a, b = Api(srv), Api(srv, api_key=srv.new_api_key())
        yield a, b
        a.close()
        b.close()


def test_a_script_without_a_conversation_is_the_next_reply_of_its_own_key_only(
    two_keys: tuple[Api, Api],
) -> None:
    a, b = two_keys
    conv_a, conv_b = a.conversation(), b.conversation()
    assert b.ok("POST", "/_admin/script", json={"replies": ["B's scripted reply"]}) == {"pending": 1}
    assert "offline echo" in a.send(conv_a["id"], "hi")["message"]["content"]
    assert b.send(conv_b["id"], "hi")["message"]["content"] == "B's scripted reply"


def test_a_fault_fires_on_the_requests_of_the_key_that_queued_it(two_keys: tuple[Api, Api]) -> None:
    a, b = two_keys
    assert b.ok(
        "POST", "/_admin/faults", json={"status": 500, "method": "GET", "path": "/conversations$", "count": 2}
    ) == {"pending": 1}
    assert a.http.get("/conversations").status_code == 200
    assert a.ok("DELETE", "/_admin/faults") is None  # clears A's faults only
    assert b.http.get("/conversations").status_code == 500
    stream_fault = {"cut_after": 0, "path": "/messages/stream$"}
    a.ok("POST", "/_admin/faults", json=stream_fault)
    conv_b = b.conversation()
    with b.http.stream("POST", f"/conversations/{conv_b['id']}/messages/stream", json={"content": "x"}) as r:
        assert "[DONE]" in r.read().decode()  # A's stream cut is not B's
    assert b.http.get("/conversations").status_code == 500  # B's second one is still queued


def test_latency_and_token_delay_apply_to_their_own_key(two_keys: tuple[Api, Api]) -> None:
    a, b = two_keys
    assert b.ok("POST", "/_admin/knobs", json={"latency": 0.5}) == {"latency": 0.5, "tokenDelay": 0.0}
    started = time.perf_counter()
    a.http.get("/conversations")
    assert time.perf_counter() - started < 0.4
    started = time.perf_counter()
    b.http.get("/conversations")
    assert time.perf_counter() - started >= 0.5


@pytest.mark.parametrize("pattern", ["((", "[", "*x", "(?P<", "a{2,1}"])
def test_a_fault_path_that_is_not_a_regular_expression_is_a_400(
    two_keys: tuple[Api, Api], pattern: str
) -> None:
    a, _ = two_keys
    r = a.http.post("/_admin/faults", json={"status": 500, "path": pattern})
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "VALIDATION_ERROR" and "regular expression" in r.json()["error"]
    assert a.http.get("/conversations").status_code == 200
