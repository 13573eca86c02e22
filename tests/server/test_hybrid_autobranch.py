"""Hybrid AutoBranch on the local server against a scripted OpenAI-compatible upstream on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from server_helpers import Api, LoopbackApp

from chatroutes_core.autobranch import DETECTION_PROMPT
from chatroutes_core.server import OpenAICompatibleResponder
from chatroutes_core.server.hybrid import NO_UPSTREAM
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

TEXT = "Hi there. Our export to PDF stopped working. Do you have a student discount?"
MISSED = "Our export to PDF stopped working"  # a statement then a question: the patterns miss both


class ScriptedUpstream(LoopbackApp):
    """An OpenAI-compatible /v1/chat/completions that streams each scripted answer (or fails, or stalls)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[str] = []
        self.status = 200
        self.delay = 0.0
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request) -> Response:
            self.requests.append(await request.json())
            if self.status != 200:
                return JSONResponse({"error": {"message": "boom"}}, status_code=self.status)
            await asyncio.sleep(self.delay)
            answer = self.answers.pop(0)

            async def events() -> AsyncIterator[bytes]:
                for i in range(0, len(answer), 7):
                    chunk = {"choices": [{"index": 0, "delta": {"content": answer[i : i + 7]}}]}
                    yield f"data: {json.dumps(chunk)}\n\n".encode()
                yield b"data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        self.serve(app)


@pytest.fixture
def upstream() -> Iterator[tuple[ScriptedUpstream, Api]]:
    with ScriptedUpstream() as fake:
        responder = OpenAICompatibleResponder(
            f"http://127.0.0.1:{fake.port}/v1", "llama3.2", api_key="up-key"
        )
        with LocalServer(responder=responder) as srv:
            api = Api(srv)
            yield fake, api
            api.close()


def _suggest(api: Api, text: str = TEXT, **fields: Any) -> dict[str, Any]:
    body = {"text": text, "suggestionsCount": 5, "hybridDetection": True, "threshold": 0.7, **fields}
    result: dict[str, Any] = api.ok("POST", "/autobranch/suggest-branches", json=body)
    return result


def _point(trigger: str, text: str = TEXT, **fields: Any) -> dict[str, Any]:
    start = text.index(trigger)
    return {"kind": "multi_intent", "title": "Export to PDF broken", "triggerText": trigger, "start": start,
            "end": start + len(trigger), "confidence": 0.9, **fields}  # fmt: skip


def test_hybrid_asks_the_upstream_with_the_fixed_prompt_and_merges_its_valid_points(
    upstream: tuple[ScriptedUpstream, Api],
) -> None:
    fake, api = upstream
    pattern_only = api.ok("POST", "/autobranch/suggest-branches", json={"text": TEXT, "suggestionsCount": 5})
    assert pattern_only["suggestions"] == []
    assert fake.requests == []  # no hybridDetection: no upstream call
    bad_span = _point("student discount", start=0)  # the span is not the trigger text: dropped
    unknown = _point(MISSED, kind="sarcasm")  # not a kind of branch point: dropped
    fake.answers.append(
        "```json\n" + json.dumps({"branchPoints": [_point(MISSED), bad_span, unknown]}) + "\n```"
    )
    result = _suggest(api)
    assert result["metadata"] == {
        "detectionMethod": "hybrid",
        "totalBranchPointsFound": len(result["suggestions"]),
        "modelUsed": "llama3.2",
        "modelBranchPoints": 1,
        "modelRejected": 2,
    }
    found = {s["triggerText"]: s for s in result["suggestions"]}
    assert found[MISSED]["title"] == "Export to PDF broken"
    assert found[MISSED]["reasoning"].startswith("Found by the model")
    for s in result["suggestions"]:
        assert TEXT[s["branchPoint"]["start"] : s["branchPoint"]["end"]] == s["triggerText"]
    sent = fake.requests[-1]
    assert sent["model"] == "llama3.2" and sent["temperature"] == 0.0
    assert sent["messages"] == [
        {"role": "system", "content": DETECTION_PROMPT},
        {"role": "user", "content": TEXT},
    ]


def test_the_pattern_suggestion_stays_where_both_found_the_same_place(
    upstream: tuple[ScriptedUpstream, Api],
) -> None:
    fake, api = upstream
    text = "Should I learn Python or Rust?"
    fake.answers.append(
        json.dumps({"branchPoints": [_point("Python or Rust", text, kind="alternative", title="X")]})
    )
    result = _suggest(api, text)
    assert [s["title"] for s in result["suggestions"]] == ["Python or Rust"]
    assert result["metadata"]["detectionMethod"] == "hybrid" and result["metadata"]["modelBranchPoints"] == 1


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ({"status": 500}, "the upstream model failed: upstream answered 500"),
        (
            {"answers": ["Sure! Here are the branch points: 1. export"]},
            "unusable: the model's answer is not JSON",
        ),
        ({"answers": ['{"points": []}']}, "unusable: the model's answer has no branchPoints list"),
        ({"answers": ['{"branchPoints": []}'], "delay": 2.0}, "did not answer in 0.3 s"),
    ],
)
def test_a_bad_or_slow_upstream_falls_back_to_the_patterns_with_the_reason(
    upstream: tuple[ScriptedUpstream, Api],
    monkeypatch: pytest.MonkeyPatch,
    script: dict[str, Any],
    reason: str,
) -> None:
    fake, api = upstream
    monkeypatch.setenv("CHATROUTES_HYBRID_TIMEOUT", "0.3")
    for name, value in script.items():
        setattr(fake, name, value)
    result = _suggest(api)  # api.ok: a 2xx envelope, never a 5xx
    meta = result["metadata"]
    assert (
        meta["detectionMethod"] == "pattern" and meta["modelUsed"] is None and meta["hybridRequested"] is True
    )
    assert reason in meta["hybridFallback"]
    assert "up-key" not in json.dumps(result)
    assert [s["triggerText"] for s in result["suggestions"]] == [
        s["triggerText"]
        for s in api.ok("POST", "/autobranch/suggest-branches", json={"text": TEXT, "suggestionsCount": 5})[
            "suggestions"
        ]
    ]


def test_without_an_upstream_the_metadata_says_so(api: Api) -> None:
    result = _suggest(api, "I need help with billing and also have a technical question about the API")
    assert result["metadata"] == {
        "detectionMethod": "pattern",
        "totalBranchPointsFound": 2,
        "modelUsed": None,
        "hybridRequested": True,
        "hybridFallback": NO_UPSTREAM,
    }
