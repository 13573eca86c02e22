"""What every branch suggestion has: a span of the text, a title and a confidence (:class:`BranchPoint`).

``autobranch.Suggestion`` and ``_routing.RouteSuggestion`` extend it; :meth:`BranchPoint.wire` is the
hosted API's camelCase ``BranchSuggestion`` object for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BranchPoint"]


@dataclass(frozen=True)
class BranchPoint:
    """The fields a suggestion shares with every other (``text[start:end] == trigger_text``)."""

    id: str
    title: str
    description: str
    trigger_text: str
    start: int
    end: int
    confidence: float

    def wire(self, reasoning: str, estimated_divergence: str | None) -> dict[str, Any]:
        """The hosted API's camelCase ``BranchSuggestion`` (its last two fields are the subclasses')."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "triggerText": self.trigger_text,
            "branchPoint": {"start": self.start, "end": self.end},
            "confidence": self.confidence,
            "reasoning": reasoning,
            "estimatedDivergence": estimated_divergence,
        }
