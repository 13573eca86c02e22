"""Offline AutoBranch detector: where could a conversation split?

A pure, deterministic function of the text (no I/O, no model): regular expressions and string work only.
It finds four kinds of branch point and describes each as a :class:`Suggestion`:

- ``multi_intent``: several independent requests in one message ("I need help with billing and also have a
  technical question about the API", "How do I reset my password? Also, what does the Pro plan cost?").
- ``enumeration``: numbered or bulleted lists, inline ``1) … 2) …`` lists, "first, …; second, …", and
  "I have two questions: …".
- ``alternative``: "X or Y" in a decision ("should I use Flask or FastAPI?"), "X vs Y", "either X or Y",
  "whether to X or Y", and a sentence starting with "Alternatively".
- ``conditional``: "if X then Y, otherwise Z", "if X, do A; if Y, do B".

Idioms that only look like branch points ("rock and roll", "an hour or so", "more or less", "sooner or
later", "whether or not", "either way", "one or two") never fire.

:func:`detect` returns typed suggestions (with the sub-parts of each point in ``options``);
:func:`suggest_branches` returns the hosted API's wire shape (``POST /autobranch/suggest-branches``), which
the local server serves. Overlapping candidates are resolved by confidence before thresholding, so ids
(``branch-<n>``, in text order) do not depend on ``threshold`` or ``suggestions_count``.

Example:
    >>> [s.kind for s in detect("Should I use Flask or FastAPI for my API?")]
    ['alternative']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from ._autobranch_rules import Candidate, Kind, points

__all__ = ["Divergence", "Kind", "Suggestion", "detect", "suggest_branches"]

Divergence = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class Suggestion:
    """One place where the text could branch.

    ``text[start:end] == trigger_text`` always holds; ``options`` are the sub-parts (each intent, list
    item, alternative or conditional outcome), in text order.
    """

    id: str
    title: str
    description: str
    trigger_text: str
    start: int
    end: int
    confidence: float
    reasoning: str
    estimated_divergence: Divergence
    kind: Kind
    options: tuple[str, ...]

    def to_wire(self) -> dict[str, Any]:
        """The hosted API's camelCase ``BranchSuggestion`` object."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "triggerText": self.trigger_text,
            "branchPoint": {"start": self.start, "end": self.end},
            "confidence": self.confidence,
            "reasoning": self.reasoning,
            "estimatedDivergence": self.estimated_divergence,
        }


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
        ValueError: ``text`` is empty or not a string, ``threshold`` is not a number in ``[0, 1]``, or
            ``suggestions_count`` is not a positive integer.

    Example:
        >>> s = detect("I need help with billing and also have a technical question about the API")[0]
        >>> s.kind, s.options
        ('multi_intent', ('I need help with billing', 'have a technical question about the API'))
    """
    _validate(text, threshold, suggestions_count)
    found = _all_points(text)
    kept = [s for s in found if s.confidence >= threshold]
    kept.sort(key=lambda s: (-s.confidence, s.start))
    return kept[:suggestions_count]


def suggest_branches(text: str, *, threshold: float = 0.7, suggestions_count: int = 3) -> dict[str, Any]:
    """The hosted ``SuggestBranchesResponse`` shape, computed offline (``detectionMethod: "pattern"``).

    ``metadata.totalBranchPointsFound`` counts every point at or above ``threshold``, so it can exceed the
    number of suggestions returned.
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


def _validate(text: object, threshold: object, suggestions_count: object) -> None:
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text must be a non-empty string")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ValueError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    if math.isnan(threshold) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    if isinstance(suggestions_count, bool) or not isinstance(suggestions_count, int):
        raise ValueError(f"suggestions_count must be a positive integer, got {suggestions_count!r}")
    if suggestions_count < 1:
        raise ValueError(f"suggestions_count must be at least 1, got {suggestions_count}")


def _all_points(text: str) -> list[Suggestion]:
    """Every non-overlapping point in text order, with stable ids."""
    return [_to_suggestion(text, c, f"branch-{i}") for i, c in enumerate(points(text), start=1)]


# ------------------------------------------------------------------------------------ suggestion shaping

_TITLES: dict[str, str] = {
    "multi_intent": "Separate requests",
    "enumeration": "List items",
    "alternative": "Alternatives",
    "conditional": "Conditional paths",
}


def _short(option: str, limit: int = 40) -> str:
    return option if len(option) <= limit else option[: limit - 1].rstrip() + "…"


def _to_suggestion(text: str, c: Candidate, ident: str) -> Suggestion:
    shown = " / ".join(_short(o, 32) for o in c.options[:4])
    n = len(c.options)
    if c.kind == "multi_intent":
        description = f"The message makes {n} separate requests; answer each on its own branch: {shown}."
        divergence: Divergence = "high"
    elif c.kind == "enumeration":
        description = f"A list of {n} items; explore each item on its own branch: {shown}."
        divergence = "high" if n >= 4 else "medium"
    elif c.kind == "alternative":
        description = f"The message weighs {n} alternatives; compare them on separate branches: {shown}."
        divergence = "medium"
    else:
        description = f"What happens depends on whether {_short(c.condition, 60)}; branch for: {shown}."
        divergence = "medium"
    title = f"{_TITLES[c.kind]}: {' vs '.join(_short(o, 24) for o in c.options[:3])}"
    return Suggestion(
        id=ident,
        title=title,
        description=description,
        trigger_text=text[c.start : c.end],
        start=c.start,
        end=c.end,
        confidence=c.confidence,
        reasoning=c.reasoning,
        estimated_divergence=divergence,
        kind=c.kind,
        options=c.options,
    )
