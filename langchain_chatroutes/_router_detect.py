"""How ``AutoBranchRouter`` finds branch points: the API, the offline patterns, a callable, or a model.

Each detector returns the suggestions and who decided (``"api"``, ``"local"``, ``"callable"``,
``"model:<name>"``); the router records the latter in its run metadata (``autobranch_detector``).

A LangChain model as the detector (``detector=<any chat model or LLM>``) is asked once per request, with
the fixed prompt ``chatroutes_core.autobranch.DETECTION_PROMPT`` as the system message and the text as the
human message, through ``with_structured_output(DETECTION_SCHEMA)`` when the model has structured output,
else for the JSON in its reply. Its points are checked against the text (``autobranch.from_model``); the
offline patterns stand in when the call fails, the answer is unusable or no span matches.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseLanguageModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from chatroutes_core.autobranch import DETECTION_PROMPT, DETECTION_SCHEMA, ModelDetection, from_model
from chatroutes_core.autobranch import detect as local_detect
from chatroutes_core.integration import RouteSuggestion, normalize_suggestion

__all__ = ["Detection", "arun_model", "is_model", "model_name", "run_local", "run_model"]

Detection = tuple[list[RouteSuggestion], str]


def is_model(detector: object) -> bool:
    return isinstance(detector, BaseLanguageModel)


def model_name(model: Any) -> str:
    for field in ("model_name", "model", "model_id"):
        value = getattr(model, field, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def _messages(text: str) -> list[BaseMessage]:
    return [SystemMessage(DETECTION_PROMPT), HumanMessage(text)]


def _reply_content(reply: Any) -> Any:
    return reply.content if isinstance(reply, BaseMessage) else reply


def _structured(model: Any) -> Runnable[Any, Any]:
    """The model with structured output when it has it, else the model and the text of its reply."""
    try:
        structured: Runnable[Any, Any] = model.with_structured_output(DETECTION_SCHEMA)
    except NotImplementedError:
        plain: Runnable[Any, Any] = model | RunnableLambda(_reply_content)
        return plain
    return structured


def _decided(found: ModelDetection) -> Detection:
    suggestions = [normalize_suggestion(s) for s in found.suggestions]
    if found.fallback_reason is None:
        return suggestions, found.decided_by
    return suggestions, f"local (fallback: {found.fallback_reason})"


def run_model(model: Any, text: str, config: RunnableConfig, threshold: float, count: int) -> Detection:
    try:
        answer: object = _structured(model).invoke(_messages(text), config)
    except Exception as exc:  # the patterns stand in for a failing model
        answer = exc
    name = model_name(model)
    return _decided(from_model(text, answer, model=name, threshold=threshold, suggestions_count=count))


async def arun_model(
    model: Any, text: str, config: RunnableConfig, threshold: float, count: int
) -> Detection:
    try:
        answer: object = await _structured(model).ainvoke(_messages(text), config)
    except Exception as exc:
        answer = exc
    name = model_name(model)
    return _decided(from_model(text, answer, model=name, threshold=threshold, suggestions_count=count))


def run_local(text: str, threshold: float, count: int) -> Detection:
    found = local_detect(text, threshold=threshold, suggestions_count=count)
    return [normalize_suggestion(s) for s in found], "local"
