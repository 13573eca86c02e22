"""The rules behind ``chatroutes_core.autobranch``: every detector, run segment by segment.

One module per kind of branch point (``_lists``, ``_intents``,
``_alternatives``, ``_conditions``); each yields :class:`Candidate` spans.
:func:`points` runs them on each bounded segment of the text (``_segments``), resolves overlaps
inside the segment, and returns the kept candidates in text order; ``autobranch`` thresholds and shapes them.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left

from ._alternatives import alternatives
from ._candidate import Candidate, Kind
from ._conditions import conditionals
from ._intents import multi_intents
from ._lists import enumerations
from ._segments import SEGMENT_LIMIT, segments
from ._text import sentences

__all__ = ["Candidate", "Kind", "candidates", "points", "resolve_overlaps"]


def candidates(text: str) -> list[Candidate]:
    """Every candidate branch point in ``text``, from every detector (overlaps not resolved, no segments)."""
    spans = sentences(text)
    return [
        *enumerations(text),
        *multi_intents(text, spans),
        *alternatives(text, spans),
        *conditionals(text),
    ]


def points(text: str, *, limit: int = SEGMENT_LIMIT) -> list[Candidate]:
    """The non-overlapping branch points of ``text`` in text order (offsets into ``text``)."""
    found: list[Candidate] = []
    for start, end in segments(text, limit):
        chunk = candidates(text[start:end])
        usable = [c for c in chunk if c.start < c.end and len(c.options) >= 2 and all(c.options)]
        kept = sorted(resolve_overlaps(usable), key=lambda c: (c.start, c.end))
        found.extend(c if start == 0 else _shifted(c, start) for c in kept)
    return found


def resolve_overlaps(found: list[Candidate]) -> list[Candidate]:
    """Greedy by confidence; a point may sit inside one of another kind, never partly across it.

    The kept points of one kind never overlap, so each kind's are kept sorted and a new point is checked
    against its neighbours by bisection: ``O(log n)`` per point instead of a scan of all the kept ones.
    """
    order = sorted(found, key=lambda c: (-c.confidence, c.start, c.end, c.kind))
    chosen: list[Candidate] = []
    kept: dict[str, tuple[list[int], list[int]]] = {}  # kind -> (starts, ends), sorted, disjoint
    for cand in order:
        if all(_fits(cand, kind == cand.kind, starts, ends) for kind, (starts, ends) in kept.items()):
            starts, ends = kept.setdefault(cand.kind, ([], []))
            i = bisect_left(starts, cand.start)
            starts.insert(i, cand.start)
            ends.insert(i, cand.end)
            chosen.append(cand)
    return chosen


def _fits(c: Candidate, same_kind: bool, starts: list[int], ends: list[int]) -> bool:
    """Whether ``c`` is disjoint from, or (another kind) nested with, every span in ``starts``/``ends``."""
    i = bisect_left(starts, c.start)
    if i > 0 and ends[i - 1] > c.start and (same_kind or ends[i - 1] < c.end):
        return False  # the span before overlaps c: same kind, or it crosses c's start
    j = bisect_left(starts, c.end)  # spans starting inside c: starts[i:j]
    # None may be of the same kind, and the last one may not cross c's end.
    return j == i or not (same_kind or (ends[j - 1] > c.end and starts[j - 1] > c.start))


def _shifted(c: Candidate, offset: int) -> Candidate:
    parts = tuple((a + offset, b + offset) for a, b in c.parts)
    return dataclasses.replace(c, start=c.start + offset, end=c.end + offset, parts=parts)
