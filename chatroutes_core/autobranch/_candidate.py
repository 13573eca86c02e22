"""What every AutoBranch rule produces: a :class:`Candidate` branch point (a span and its sub-parts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Candidate", "Kind"]

Kind = Literal["multi_intent", "enumeration", "alternative", "conditional"]


@dataclass(frozen=True)
class Candidate:
    """A possible branch point: ``text[start:end]`` and its sub-parts (``options``).

    ``parts`` (multi-intent points only) holds the span of each option: ``text[a:b] == options[i]``.
    """

    kind: Kind
    start: int
    end: int
    confidence: float
    options: tuple[str, ...]
    reasoning: str
    condition: str = ""
    parts: tuple[tuple[int, int], ...] = ()
