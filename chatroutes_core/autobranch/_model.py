"""Branch points from a language model: the fixed prompt, the answer's schema, validation and the merge.

Pure (no I/O): the local server's hybrid detection (``server/hybrid.py``), ``AutoBranchRouter(detector=<chat
model>)`` and ``AutoBranchSelector(detector=<LLM>)`` send :data:`DETECTION_PROMPT` (the text as the user
message), read the answer with :func:`model_points`, and ``autobranch.merge_points`` merges it with the
patterns.
A point is kept only if its span exists in the text and ``text[start:end] == triggerText``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from ._candidate import Kind
from ._titles import intent_title, short
from ._wire import BranchPoint

__all__ = ["DETECTION_PROMPT", "DETECTION_SCHEMA", "ModelAnswerError", "ModelPoint", "model_points"]

DETECTION_PROMPT = (
    "You find branch points in a user's message: places where a conversation could split into separate "
    "threads. Count one branch point per separate intent (request or question), one per choice between "
    "alternatives, and one per conditional ('if X, ...'); a greeting, a statement, an idiom or a list that "
    "is not a choice is none. Answer with JSON only, no prose: "
    '{"branchPoints": [{"kind": "multi_intent" | "alternative" | "conditional", "title": "<a short noun '
    'phrase or question a person would write, at most 6 words>", "triggerText": "<the exact substring of '
    'the message>", "start": <its character offset>, "end": <start + its length>, "confidence": <0 to 1>}]}. '
    'Use {"branchPoints": []} when there is none.'
)
# The same answer as a JSON schema (for structured output).
DETECTION_SCHEMA: dict[str, Any] = {
    "title": "BranchPoints",
    "description": "The branch points of a user's message.",
    "type": "object",
    "properties": {
        "branchPoints": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["multi_intent", "alternative", "conditional"]},
                    "title": {"type": "string"},
                    "triggerText": {"type": "string"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                    "confidence": {"type": "number"},
                },
                "required": ["kind", "title", "triggerText", "start", "end"],
            },
        }
    },
    "required": ["branchPoints"],
}
_KINDS: frozenset[str] = frozenset({"multi_intent", "alternative", "conditional"})
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")
_TITLE_LIMIT = 60


@dataclass(frozen=True)
class ModelPoint(BranchPoint):
    """A branch point a model found, checked against the text."""

    kind: Kind


class ModelAnswerError(ValueError):
    """The model's answer is not the JSON object :data:`DETECTION_PROMPT` asks for (the reason says why)."""


def model_points(text: str, answer: object) -> tuple[list[ModelPoint], int]:
    """The valid branch points of a model's ``answer`` (a JSON string or the parsed object), and the number
    of points rejected (a span that does not exist or whose text is not ``triggerText``, an unknown kind).

    Raises:
        ModelAnswerError: ``answer`` is not JSON, or not ``{"branchPoints": [...]}`` (or a bare list).
    """
    if isinstance(answer, str):
        try:
            answer = json.loads(_FENCE.sub("", answer))
        except ValueError:
            raise ModelAnswerError("the model's answer is not JSON") from None
    items = answer.get("branchPoints") if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise ModelAnswerError("the model's answer has no branchPoints list")
    kept: list[ModelPoint] = []
    rejected = 0
    for item in items:
        point = _point(text, item)
        if point is None:
            rejected += 1
        else:
            kept.append(point)
    return kept, rejected


def _point(text: str, item: object) -> ModelPoint | None:
    if not isinstance(item, dict):
        return None
    kind, trigger, start, end = item.get("kind"), item.get("triggerText"), item.get("start"), item.get("end")
    if kind not in _KINDS or not isinstance(trigger, str) or not trigger.strip():
        return None
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        return None
    if not 0 <= start < end <= len(text) or text[start:end] != trigger:
        return None
    confidence = item.get("confidence", 0.8)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or math.isnan(confidence):
        confidence = 0.8
    title = item.get("title")
    title = " ".join(title.split()) if isinstance(title, str) else ""
    if not title or len(title) > _TITLE_LIMIT:
        title = intent_title(trigger)
    return ModelPoint(
        id="model",
        title=title,
        description=f"Found by the model: {short(' '.join(trigger.split()), 60)}.",
        trigger_text=trigger,
        start=start,
        end=end,
        confidence=round(min(1.0, max(0.0, float(confidence))), 2),
        kind=kind,  # one of _KINDS
    )
