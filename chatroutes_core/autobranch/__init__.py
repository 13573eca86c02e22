"""Offline AutoBranch detector: where could a conversation split?

A pure, deterministic function of the text (no I/O, no model): regular expressions and string work only.
It finds four kinds of branch point and describes them as :class:`Suggestion` objects:

- ``multi_intent``: several independent requests in one message ("I need help with billing and also have a
  technical question about the API", "How do I reset my password? Also, what does the Pro plan cost?").
  Each request is its own suggestion, with a short title ("Billing help", "Technical question about the
  API") and its own span; the suggestions of one message share ``point``.
- ``enumeration``: numbered or bulleted lists, inline ``1) … 2) …`` lists, "first, …; second, …", and
  "I have two questions: …".
- ``alternative``: "X or Y" in a decision ("should I use Flask or FastAPI?"), "X vs Y", "either X or Y",
  "whether to X or Y", and a sentence starting with "Alternatively".
- ``conditional``: "if X then Y, otherwise Z", "if X, do A; if Y, do B", and a request that depends on a
  condition ("If it's cheaper, also tell me how to migrate.").

Idioms that only look like branch points ("rock and roll", "an hour or so", "more or less", "sooner or
later", "whether or not", "either way", "one or two") never fire.

:func:`detect` returns typed suggestions (with the sub-parts of each point in ``options``);
:func:`suggest_branches` returns the hosted API's wire shape (``POST /autobranch/suggest-branches``), which
the local server serves. Overlapping candidates are resolved by confidence before thresholding, so ids
(``branch-<n>``, in text order) do not depend on ``threshold`` or ``suggestions_count``.

The work is linear in the length of the text: the rules run on segments of at most
``_segments.SEGMENT_LIMIT`` characters (cut at paragraph, line or sentence ends), and read only
bounded windows inside them.

Example:
    >>> [s.kind for s in detect("Should I use Flask or FastAPI for my API?")]
    ['alternative']
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

from .._exceptions import UsageError
from ._model import DETECTION_PROMPT, DETECTION_SCHEMA, ModelAnswerError, ModelPoint, model_points
from ._overlap import one_per_thing
from ._rules import Candidate, Kind, points
from ._titles import choice_title, condition_title, intent_title, point_title, short
from ._wire import BranchPoint

__all__ = [
    "DETECTION_PROMPT",
    "DETECTION_SCHEMA",
    "Divergence",
    "Kind",
    "ModelAnswerError",
    "ModelDetection",
    "ModelPoint",
    "Suggestion",
    "detect",
    "from_model",
    "merge_points",
    "model_points",
    "suggest_branches",
]

Divergence = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class Suggestion(BranchPoint):
    """One place where the text could branch.

    The first fields (``id``, ``title``, ``description``, ``trigger_text``, ``start``, ``end``,
    ``confidence``) are every suggestion's (``BranchPoint``); ``text[start:end] == trigger_text`` always
    holds. ``options`` are the sub-parts (list items, alternatives or conditional outcomes), in text order.
    A multi-intent message gives one suggestion per request: its ``options`` is that request alone
    (``(trigger_text,)``), and ``point`` (the branch point's number, 1, 2, … in text order) is shared by
    the requests of one message.
    """

    reasoning: str
    estimated_divergence: Divergence
    kind: Kind
    options: tuple[str, ...]
    point: int = 0

    def to_wire(self) -> dict[str, Any]:
        """The hosted API's camelCase ``BranchSuggestion`` object."""
        return self.wire(self.reasoning, self.estimated_divergence)


# --------------------------------------------------------------------------------------------- public API


def detect(text: str, *, threshold: float = 0.7, suggestions_count: int = 3) -> list[Suggestion]:
    """Find branch points in ``text``, best first.

    Args:
        text: The text to analyse (a user message, usually).
        threshold: Minimum confidence, in ``[0, 1]``, of a returned suggestion.
        suggestions_count: Maximum number of suggestions returned (at least 1).

    Returns:
        At most ``suggestions_count`` suggestions with ``confidence >= threshold``, highest confidence
        first (ties in text order).

    Raises:
        UsageError: ``text`` is empty or not a string, ``threshold`` is not a number in ``[0, 1]``, or
            ``suggestions_count`` is not a positive integer.

    Example:
        >>> found = detect("I need help with billing and also have a technical question about the API")
        >>> [(s.kind, s.title, s.trigger_text) for s in found]  # doctest: +NORMALIZE_WHITESPACE
        [('multi_intent', 'Billing help', 'I need help with billing'),
         ('multi_intent', 'Technical question about the API', 'have a technical question about the API')]
    """
    _validate(text, threshold, suggestions_count)
    found = _all_points(text)
    kept = [s for s in found if s.confidence >= threshold]
    kept.sort(key=lambda s: (-s.confidence, s.start))
    return kept[:suggestions_count]


def suggest_branches(text: str, *, threshold: float = 0.7, suggestions_count: int = 3) -> dict[str, Any]:
    """The hosted ``SuggestBranchesResponse`` shape, computed offline (``detectionMethod: "pattern"``).

    ``metadata.totalBranchPointsFound`` counts every suggestion at or above ``threshold`` (each has its own
    ``branchPoint`` span; a multi-intent message has one per request), so it can exceed the number of
    suggestions returned.
    """
    _validate(text, threshold, suggestions_count)
    found = [s for s in _all_points(text) if s.confidence >= threshold]
    found.sort(key=lambda s: (-s.confidence, s.start))
    return {
        "suggestions": [s.to_wire() for s in found[:suggestions_count]],
        "metadata": {
            "detectionMethod": "pattern",
            "totalBranchPointsFound": len(found),
            "modelUsed": None,
        },
    }


MODEL_REASONING = "Found by the model"


def merge_points(
    pattern: list[Suggestion], model: list[ModelPoint], *, suggestions_count: int = 10
) -> list[Suggestion]:
    """The pattern suggestions plus the model's points that overlap none of them, best first.

    Where both found the same place, the pattern's suggestion stays. A model point's ``reasoning`` starts
    with ``"Found by the model"``; ids are renumbered ``branch-<n>`` in text order.
    """
    taken = [(s.start, s.end) for s in pattern]
    fields = [dataclasses.asdict(s) for s in pattern]
    point = max((s.point for s in pattern), default=0)
    for p in sorted(model, key=lambda p: (p.start, p.end)):
        if any(a < p.end and p.start < b for a, b in taken):
            continue
        taken.append((p.start, p.end))
        point += 1
        fields.append(
            {
                **dataclasses.asdict(p),
                "reasoning": f"{MODEL_REASONING}: a {p.kind.replace('_', '-')} branch point.",
                "estimated_divergence": "medium",
                "options": (p.trigger_text,),
                "point": point,
            }
        )
    fields.sort(key=lambda f: (f["start"], f["end"]))
    merged = [Suggestion(**{**f, "id": f"branch-{i}"}) for i, f in enumerate(fields, start=1)]
    merged.sort(key=lambda s: (-s.confidence, s.start))
    return merged[:suggestions_count]


@dataclass(frozen=True)
class ModelDetection:
    """What a model detector decided: the suggestions, who decided (``"model:<name>"`` or ``"local"``) and,
    when the offline patterns stood in, why."""

    suggestions: list[Suggestion]
    decided_by: str
    fallback_reason: str | None = None


def from_model(
    text: str, answer: object, *, model: str, threshold: float = 0.7, suggestions_count: int = 10
) -> ModelDetection:
    """The suggestions of a model's ``answer`` to :data:`DETECTION_PROMPT`, or the patterns' when it fails.

    ``answer`` is the model's JSON (a string or the parsed object), or the exception its call raised. The
    model's points are checked against ``text`` (:func:`model_points`); the offline patterns stand in
    when the call failed, the answer is not the JSON asked for, or every point it gave was rejected.
    """
    _validate(text, threshold, suggestions_count)
    reason: str
    if isinstance(answer, BaseException):
        reason = f"the model failed: {type(answer).__name__}"
    else:
        try:
            kept, rejected = model_points(text, answer)
        except ModelAnswerError as exc:
            reason = f"the model's answer was unusable: {exc}"
        else:
            if kept or not rejected:
                found = [p for p in kept if p.confidence >= threshold]
                return ModelDetection(
                    merge_points([], found, suggestions_count=suggestions_count), f"model:{model}"
                )
            reason = f"none of the model's {rejected} branch points matched the text"
    found_locally = detect(text, threshold=threshold, suggestions_count=suggestions_count)
    return ModelDetection(found_locally, "local", reason)


def _validate(text: object, threshold: object, suggestions_count: object) -> None:
    if not isinstance(text, str):
        raise UsageError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise UsageError("text must be a non-empty string")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise UsageError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    if math.isnan(threshold) or not 0.0 <= threshold <= 1.0:
        raise UsageError(f"threshold must be between 0 and 1, got {threshold!r}")
    if isinstance(suggestions_count, bool) or not isinstance(suggestions_count, int):
        raise UsageError(f"suggestions_count must be a positive integer, got {suggestions_count!r}")
    if suggestions_count < 1:
        raise UsageError(f"suggestions_count must be at least 1, got {suggestions_count}")


def _all_points(text: str) -> list[Suggestion]:
    """Every suggestion of every non-overlapping point, in text order, with stable ids."""
    shaped = [s for point, c in enumerate(points(text), start=1) for s in _shape(text, c, point)]
    shaped.sort(key=lambda s: (s["start"], s["end"], s["point"]))
    shaped = one_per_thing(text, shaped)
    return [Suggestion(id=f"branch-{i}", **fields) for i, fields in enumerate(shaped, start=1)]


# ------------------------------------------------------------------------------------ suggestion shaping

_TITLES: dict[str, str] = {
    "enumeration": "List items",
    "alternative": "Alternatives",
    "conditional": "Conditional paths",
}


def _point_title(c: Candidate) -> str:
    if c.kind == "alternative":
        return choice_title(c.options)
    if c.kind == "conditional" and c.condition:
        return condition_title(c.condition, c.options[0])
    return point_title(_TITLES[c.kind], c.options)


def _shape(text: str, c: Candidate, point: int) -> list[dict[str, Any]]:
    """The fields (all but ``id``) of a point's suggestions: one per intent for a multi-intent point."""
    if c.kind == "multi_intent":
        n = len(c.options)
        return [
            {
                "title": intent_title(label),
                "description": f"Request {k} of {n} in the message: {short(label, 60)}. Answer it on its "
                "own branch.",
                "trigger_text": text[a:b],
                "start": a,
                "end": b,
                "confidence": c.confidence,
                "reasoning": c.reasoning,
                "estimated_divergence": "high",
                "kind": c.kind,
                "options": (label,),
                "point": point,
            }
            for k, (label, (a, b)) in enumerate(zip(c.options, c.parts, strict=True), start=1)
        ]
    shown = " / ".join(short(o, 32) for o in c.options[:4])
    n = len(c.options)
    divergence: Divergence = "medium"
    if c.kind == "enumeration":
        description = f"A list of {n} items; explore each item on its own branch: {shown}."
        divergence = "high" if n >= 4 else "medium"
    elif c.kind == "alternative":
        description = f"The message weighs {n} alternatives; compare them on separate branches: {shown}."
    else:
        # the synthetic "not <condition>" outcome reads as "otherwise" (a real else-outcome is shown as is)
        outcomes = [o if o != f"not {c.condition}" else "otherwise" for o in c.options[:4]]
        shown = " / ".join(short(o, 32) for o in outcomes)
        description = f"What happens depends on whether {short(c.condition, 60)}; branch for: {shown}."
    suggestion = {
        "title": _point_title(c),
        "description": description,
        "trigger_text": text[c.start : c.end],
        "start": c.start,
        "end": c.end,
        "confidence": c.confidence,
        "reasoning": c.reasoning,
        "estimated_divergence": divergence,
        "kind": c.kind,
        "options": c.options,
        "point": point,
    }
    return [suggestion]
