"""One suggestion per thing: drop a suggestion that only repeats a nested one of another kind.

Overlap resolution (``_rules``) lets a point of one kind sit inside a point of another kind. Read as a
person reads them, some of those pairs are the same thing twice:

- a request of a multi-intent message that *is* a choice or a conditional ("I'm not sure whether to reset
  my password or contact support"): the choice names it better, so the intent goes;
- a conditional whose question is a choice ("If rates drop, should I refinance or keep my rate?"), or a
  "whether … or …": one choice, not a conditional plus an alternative.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

from ._text import content_words

__all__ = ["one_per_thing"]

# A request that asks which option to take: "Should I take the offer in Seattle or stay in Austin?"
_CHOICE_QUESTION = re.compile(r"(?:should|shall|which|whether|do|does|is|are|would|can)\b[^?]*\?", re.I)
_EXTRA_WORDS = 3  # an intent with at most this many content words outside its nested point is that point


def one_per_thing(text: str, shaped: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``shaped`` (suggestion fields, sorted by start) without suggestions that repeat a nested one.

    The nested points are found by bisection over the sorted spans of each kind, so this stays linear.
    """
    choices = sorted((s["start"], s["end"]) for s in shaped if s["kind"] == "alternative")
    choice_set = set(choices)
    inner = sorted((s["start"], s["end"]) for s in shaped if s["kind"] in ("alternative", "conditional"))
    kept: list[dict[str, Any]] = []
    for s in shaped:
        a, b = s["start"], s["end"]
        if s["kind"] == "multi_intent" and any(
            len(content_words(text[a:x] + " " + text[y:b])) <= _EXTRA_WORDS
            or ((x, y) in choice_set and bool(_CHOICE_QUESTION.match(text, a, b)))
            for x, y in _nested(inner, a, b)
        ):
            continue
        if s["kind"] == "conditional" and any(True for _ in _nested(choices, a, b)):
            continue
        kept.append(s)
    return kept


def _nested(spans: list[tuple[int, int]], a: int, b: int) -> Iterator[tuple[int, int]]:
    """The spans of sorted ``spans`` that lie inside ``[a, b]``."""
    i = bisect_left(spans, (a, a))
    while i < len(spans) and spans[i][0] < b:
        if spans[i][1] <= b:
            yield spans[i]
        i += 1
