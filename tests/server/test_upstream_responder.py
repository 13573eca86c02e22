"""OpenAICompatibleResponder against a small fake OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from server_helpers import Api, LoopbackApp

from chatroutes_core.server import OpenAICompatibleResponder
from chatroutes_core.server.responders import completions_url
from chatroutes_core.testing import LocalServer
from chatroutes_core.tools import ToolResult, ToolSpec, parse_reply, render_tool_results, render_tools_system

pytestmark = pytest.mark.integration


class FakeOpenAI(LoopbackApp):
    """Answers /v1/chat/completions with a stream of deltas: 'Echo: <last user message>'."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_with: int | None = None
        self.replies: list[str] = []  # when set, the next replies, streamed in 5-character deltas
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            if self.fail_with:
                return JSONResponse({"error": {"message": "boom"}}, status_code=self.fail_with)
            text = "Echo: " + body["messages"][-1]["content"]
            scripted = self.replies.pop(0) if self.replies else None
            pieces = (
                [scripted[i : i + 5] for i in range(0, len(scripted), 5)]
                if scripted is not None
                else [word + " " for word in text.split(" ")]
            )

            async def events() -> AsyncIterator[bytes]:
                yield b'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'
                for piece in pieces:
                    chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    yield f"data: {json.dumps(chunk)}\n\n".encode()
                yield b'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
                yield b"data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        self.serve(app)


@pytest.fixture
def upstream() -> Iterator[tuple[FakeOpenAI, LocalServer]]:
    with FakeOpenAI() as fake:
        responder = OpenAICompatibleResponder(
            f"http://127.0.0.1:{fake.port}/v1", "llama3.2", api_key="up-key"
        )
        with LocalServer(responder=responder) as srv:
            yield fake, srv


def test_send_uses_upstream_with_branch_context(upstream: tuple[FakeOpenAI, LocalServer]) -> None:
    fake, srv = upstream
    api = Api(srv)
    conv = api.conversation()
    first = api.send(conv["id"], "hello", temperature=0.2, maxTokens=50)
    assert first["message"]["content"] == "Echo: hello "
    assert first["model"] == "gpt-5-2025-08-07"
    assert first["message"]["metadata"]["responder"] == "openai"
    sent = fake.requests[-1]
    assert sent["model"] == "llama3.2" and sent["stream"] is True
    assert sent["temperature"] == 0.2 and sent["max_tokens"] == 50
    assert sent["messages"] == [{"role": "user", "content": "hello"}]
    assert fake.headers[-1]["authorization"] == "Bearer up-key"
    api.send(conv["id"], "again")
    assert [m["content"] for m in fake.requests[-1]["messages"]] == ["hello", "Echo: hello ", "again"]
    # a fork sends only its own history
    branch = api.fork(conv["id"], first["message"]["id"])
    api.send(conv["id"], "on fork", branchId=branch["id"])
    assert [m["content"] for m in fake.requests[-1]["messages"]] == ["hello", "Echo: hello ", "on fork"]
    api.close()


def test_stream_forwards_upstream_deltas(upstream: tuple[FakeOpenAI, LocalServer]) -> None:
    _, srv = upstream
    api = Api(srv)
    conv = api.conversation()
    with api.http.stream(
        "POST", f"/conversations/{conv['id']}/messages/stream", json={"content": "a b c"}
    ) as r:
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: {")]
    contents = [e["content"] for e in events if e["type"] == "content"]
    assert contents == ["Echo: ", "a ", "b ", "c "]
    assert events[-1]["type"] == "complete" and events[-1]["message"]["content"] == "Echo: a b c "
    api.close()


def test_upstream_errors_are_502(upstream: tuple[FakeOpenAI, LocalServer]) -> None:
    fake, srv = upstream
    api = Api(srv)
    conv = api.conversation()
    fake.fail_with = 500
    r = api.http.post(f"/conversations/{conv['id']}/messages", json={"content": "x"})
    assert r.status_code == 502 and r.json()["error"] == "Upstream model error: upstream answered 500"
    assert srv.count_messages(conv["id"]) == 0
    with api.http.stream("POST", f"/conversations/{conv['id']}/messages/stream", json={"content": "x"}) as s:
        lines = [line for line in s.iter_lines() if line.startswith("data: ")]
    assert json.loads(lines[-1][6:])["type"] == "error"
    assert "up-key" not in repr(srv.state.responder)
    api.close()


def test_unreachable_upstream_is_502() -> None:
    with LocalServer(responder=OpenAICompatibleResponder("http://127.0.0.1:9", "m")) as srv:
        api = Api(srv)
        conv = api.conversation()
        r = api.http.post(f"/conversations/{conv['id']}/messages", json={"content": "x"})
        assert r.status_code == 502 and "ConnectError" in r.json()["error"]
        api.close()


def test_the_tool_protocol_passes_through_unchanged(upstream: tuple[FakeOpenAI, LocalServer]) -> None:
    fake, srv = upstream
    api = Api(srv)
    conv = api.conversation()
    city = {"type": "object", "properties": {"city": {"type": "string"}}}
    tools = [ToolSpec("get_weather", "Weather.", city)]
    first = f"[system] Be brief.\n\n{render_tools_system(tools)}\n\nWeather in Paris?"
    call = 'Checking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    fake.replies = [call, "Sunny in Paris."]
    sent = api.send(conv["id"], first)["message"]
    assert fake.requests[-1]["messages"] == [{"role": "user", "content": first}]
    assert sent["content"] == call  # stored exactly as the upstream model wrote it, tags split across deltas
    reply = parse_reply(sent["content"], sent["id"], {"get_weather"})
    assert reply.text == "Checking." and reply.tool_calls[0].arguments == {"city": "Paris"}
    results = render_tool_results([ToolResult(reply.tool_calls[0].id, "get_weather", "Sunny")])
    assert api.send(conv["id"], results)["message"]["content"] == "Sunny in Paris."
    assert [m["content"] for m in fake.requests[-1]["messages"]] == [first, call, results]
    api.close()


def test_completions_url_forms() -> None:
    assert completions_url("http://h:11434") == "http://h:11434/v1/chat/completions"
    assert completions_url("http://h:11434/v1/") == "http://h:11434/v1/chat/completions"
    assert completions_url("http://h/v1/chat/completions") == "http://h/v1/chat/completions"
