"""`--responder openai` checks the upstream's status, content type, framing, size and time before storing.

A scripted OpenAI-compatible upstream on loopback answers each request as its ``mode`` says.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from server_helpers import Api, LoopbackApp

from chatroutes_core.server import OpenAICompatibleResponder
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

MAX_REPLY = 2000


def _chunk(text: str) -> bytes:
    return f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': text}}]})}\n\n".encode()


class ScriptedUpstream(LoopbackApp):
    def __init__(self) -> None:
        self.mode = "ok"
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions() -> Response:
            mode = self.mode
            if mode == "html":
                return Response(
                    "<html><body><h1>Welcome to nginx!</h1></body></html>", media_type="text/html"
                )
            if mode == "redirect":
                return RedirectResponse("http://127.0.0.1:9/elsewhere", status_code=302)
            if mode == "json":
                return JSONResponse(
                    {"choices": [{"message": {"role": "assistant", "content": "whole reply"}}]}
                )
            if mode == "json_garbage":
                return JSONResponse({"object": "list", "data": []})

            async def events() -> AsyncIterator[bytes]:
                if mode == "ok":
                    yield _chunk("fine ")
                    yield _chunk("reply")
                    yield b"data: [DONE]\n\n"
                elif mode == "bad_json":
                    yield b"data: {not json at all\n\n"
                    yield b"data: [DONE]\n\n"
                elif mode == "lone_done":
                    yield b"data: [DONE]\n\n"
                elif mode == "truncated":
                    yield _chunk("partial ")
                    yield _chunk("text")
                elif mode == "huge":
                    for _ in range(10):
                        yield _chunk("x" * (MAX_REPLY // 4))
                    yield b"data: [DONE]\n\n"
                elif mode == "hang":
                    yield _chunk("slow ")
                    await asyncio.sleep(3)
                    yield b"data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        self.serve(app)


@pytest.fixture(scope="module")
def upstream() -> Iterator[ScriptedUpstream]:
    with ScriptedUpstream() as fake:
        yield fake


@pytest.fixture
def server(upstream: ScriptedUpstream) -> Iterator[LocalServer]:
    responder = OpenAICompatibleResponder(
        f"http://127.0.0.1:{upstream.port}/v1", "m", read_timeout=0.5, max_reply_bytes=MAX_REPLY
    )
    with LocalServer(responder=responder, lock_wait=0.3) as srv:
        yield srv


def _stream_events(api: Api, conversation_id: str) -> list[Any]:
    path = f"/conversations/{conversation_id}/messages/stream"
    with api.http.stream("POST", path, json={"content": "hi"}) as r:
        assert r.status_code == 200
        lines = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    return [line if line == "[DONE]" else json.loads(line) for line in lines]


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("html", "text/html, not an event stream"),
        ("bad_json", "not JSON"),
        ("lone_done", "[DONE] without any chunk"),
        ("redirect", "upstream answered 302"),
        ("truncated", "ended without [DONE]"),
        ("huge", f"over {MAX_REPLY} bytes"),
        ("json_garbage", "malformed completion"),
        ("hang", "ReadTimeout"),
    ],
)
def test_a_bad_upstream_answer_is_a_502_and_an_error_event_with_nothing_stored(
    upstream: ScriptedUpstream, server: LocalServer, mode: str, why: str
) -> None:
    upstream.mode = mode
    api = Api(server)
    conv = api.conversation()
    r = api.http.post(f"/conversations/{conv['id']}/messages", json={"content": "hi"})
    assert r.status_code == 502, r.text
    assert why in r.json()["error"] and r.json()["code"] == "UPSTREAM_ERROR"
    events = _stream_events(api, conv["id"])
    assert events[-1]["type"] == "error" and why in events[-1]["error"]
    assert "[DONE]" not in events and not any(e["type"] == "complete" for e in events)
    assert server.count_messages(conv["id"]) == 0
    api.close()


@pytest.mark.parametrize(("mode", "text"), [("ok", "fine reply"), ("json", "whole reply")])
def test_a_good_upstream_answer_is_stored(
    upstream: ScriptedUpstream, server: LocalServer, mode: str, text: str
) -> None:
    upstream.mode = mode
    api = Api(server)
    conv = api.conversation()
    assert api.send(conv["id"], "hi")["message"]["content"] == text
    events = _stream_events(api, conv["id"])
    assert events[-1] == "[DONE]" and events[-2]["message"]["content"] == text
    assert server.count_messages(conv["id"]) == 4
    api.close()


def test_a_send_behind_a_hung_upstream_gets_a_503_at_once(upstream: ScriptedUpstream) -> None:
    upstream.mode = "hang"
    url = f"http://127.0.0.1:{upstream.port}/v1"
    responder = OpenAICompatibleResponder(url, "m", read_timeout=1.5)
    with LocalServer(responder=responder, lock_wait=0.3) as server:
        api, other = Api(server), Api(server)
        conv = api.conversation()
        path = f"/conversations/{conv['id']}/messages"
        out: list[Any] = []
        first = threading.Thread(target=lambda: out.append(other.http.post(path, json={"content": "a"})))
        first.start()
        time.sleep(0.2)
        started = time.perf_counter()
        second = api.http.post(path, json={"content": "b"})
        waited = time.perf_counter() - started
        first.join(10)
        assert second.status_code == 503 and second.json()["code"] == "BRANCH_BUSY", second.text
        assert second.headers["retry-after"] == "1"
        assert waited < 1.2
        assert out[0].status_code == 502  # the hung reply hit the read timeout: nothing is stored later
        assert server.count_messages(conv["id"]) == 0
        api.close()
        other.close()


def test_limits_must_be_positive() -> None:
    for option in ("connect_timeout", "read_timeout", "total_timeout", "max_reply_bytes"):
        with pytest.raises(ValueError, match=option):
            OpenAICompatibleResponder("http://127.0.0.1:9", "m", **{option: 0})
