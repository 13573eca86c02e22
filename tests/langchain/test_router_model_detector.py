"""AutoBranchRouter(detector=<chat model>): the model finds the branch points through structured output,
its spans are checked, the offline patterns stand in when it fails, and the run metadata says who decided.

The models here are scripted fakes: LangChain's ``GenericFakeChatModel`` (no structured output: the JSON is
read from its reply) and ``ScriptedStructuredModel`` (a fake whose ``with_structured_output`` answers).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import Field

from chatroutes_core.autobranch import DETECTION_PROMPT, DETECTION_SCHEMA, detect
from langchain_chatroutes.router import AutoBranchRouter

TEXT = "Our export to PDF stopped working. Do you have a student discount?"
BUG, SALE = "Our export to PDF stopped working", "Do you have a student discount?"
ROUTES_DESC = {"bugs": "bug reports: the export, PDF files, something stopped working",
               "sales": "student discount, prices and plans"}  # fmt: skip


def echo(tag: str) -> Runnable[Any, Any]:
    return RunnableLambda(lambda x: {"route": tag, "got": x}, name=f"echo_{tag}")


def router(detector: Any, **kwargs: Any) -> AutoBranchRouter:
    routes = {name: (echo(name), desc) for name, desc in ROUTES_DESC.items()}
    return AutoBranchRouter(routes, detector=detector, **{"default": "bugs", **kwargs})


def answer(*triggers: str, text: str = TEXT, **fields: Any) -> dict[str, Any]:
    points = []
    for trigger in triggers:
        start = text.index(trigger)
        points.append({"kind": "multi_intent", "title": trigger[:20], "triggerText": trigger, "start": start,
                       "end": start + len(trigger), "confidence": 0.9, **fields})  # fmt: skip
    return {"branchPoints": points}


def fake_chat(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))


class ScriptedStructuredModel(GenericFakeChatModel):
    """A scripted fake chat model with structured output: records each call, answers the scripted object."""

    structured_answers: list[Any] = Field(default_factory=list)
    calls: list[tuple[Any, list[BaseMessage]]] = Field(default_factory=list)

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        def respond(messages: list[BaseMessage]) -> Any:
            self.calls.append((schema, messages))
            return self.structured_answers.pop(0)

        return RunnableLambda(respond)


class FailingChatModel(GenericFakeChatModel):
    """A scripted fake chat model whose every call fails."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("model down")


def test_the_patterns_alone_miss_both_requests() -> None:
    assert detect(TEXT, suggestions_count=10) == []


def test_a_chat_model_without_structured_output_detects_from_its_json_reply() -> None:
    model = fake_chat(json.dumps(answer(BUG, SALE)), "unused")
    result = router(model).invoke(TEXT)
    assert {name: out["got"]["input"] for name, out in result.items()} == {"bugs": BUG, "sales": SALE}
    assert result["sales"]["got"]["suggestion"]["reasoning"].startswith("Found by the model")
    assert next(model.messages).content == "unused"  # exactly one model call per request


def test_a_chat_model_with_structured_output_is_asked_with_the_fixed_prompt_and_schema() -> None:
    model = ScriptedStructuredModel(messages=iter([]), structured_answers=[answer(BUG, SALE)], calls=[])
    assert set(router(model).invoke(TEXT)) == {"bugs", "sales"}
    [(schema, messages)] = model.calls
    assert schema == DETECTION_SCHEMA
    assert [(m.type, m.content) for m in messages] == [("system", DETECTION_PROMPT), ("human", TEXT)]


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (lambda: fake_chat(json.dumps(answer(BUG, start=3))), "none of the model's 1 branch points matched"),
        (lambda: fake_chat("I think there are two requests."), "the model's answer is not JSON"),
        (lambda: FailingChatModel(messages=iter([])), "the model failed: RuntimeError"),
    ],
)
async def test_the_patterns_stand_in_and_the_trace_says_why(model: Any, reason: str) -> None:
    text = "I need help with billing and also have a technical question about the API"
    chosen = router(model())
    events = [e async for e in chosen.astream_events({"input": text}, version="v2")]
    [start] = [e for e in events if e["event"] == "on_chain_start" and e["name"] == "AutoBranchRouter"]
    assert start["metadata"]["autobranch_detector"].startswith("local (fallback: ")
    assert reason in start["metadata"]["autobranch_detector"]
    assert len(start["metadata"]["autobranch_suggestions"]) == 2  # the patterns' two intents


async def test_async_and_the_trace_names_the_model_that_decided() -> None:
    model = fake_chat(json.dumps(answer(BUG, SALE)))
    events = [e async for e in router(model).astream_events(TEXT, version="v2")]
    [start] = [e for e in events if e["event"] == "on_chain_start" and e["name"] == "AutoBranchRouter"]
    assert start["metadata"]["autobranch_detector"] == "model:GenericFakeChatModel"
    assert [s["triggerText"] for s in start["metadata"]["autobranch_suggestions"]] == [BUG, SALE]
    assert set(start["metadata"]["autobranch_routes"]) == {"bugs", "sales"}


def test_local_and_api_detectors_are_named_in_the_trace_too() -> None:
    seen: list[dict[str, Any]] = []

    routes = {"bugs": (RunnableLambda(lambda x, config: seen.append(config["metadata"]) or x), "bug reports")}
    AutoBranchRouter(routes, detector="local", default="bugs").invoke("Hello there")
    assert seen[-1]["autobranch_detector"] == "local"
