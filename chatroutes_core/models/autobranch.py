"""AutoBranch: suggested branch points in a text, and the service health."""

from __future__ import annotations

from typing import Literal

from ._base import ChatRoutesModel

__all__ = [
    "BranchPointSpan",
    "BranchSuggestion",
    "HealthStatus",
    "SuggestBranchesResponse",
    "SuggestionMetadata",
]


class BranchPointSpan(ChatRoutesModel):
    """Character offsets of the trigger text: ``text[start:end]``."""

    start: int
    end: int


class BranchSuggestion(ChatRoutesModel):
    """One place where the conversation could split."""

    id: str | None = None
    title: str = ""
    description: str = ""
    trigger_text: str = ""
    branch_point: BranchPointSpan | None = None
    confidence: float = 0.0
    reasoning: str | None = None
    estimated_divergence: Literal["low", "medium", "high"] | str | None = None


class SuggestionMetadata(ChatRoutesModel):
    """How the suggestions were found."""

    detection_method: str | None = None
    total_branch_points_found: int | None = None
    model_used: str | None = None


class SuggestBranchesResponse(ChatRoutesModel):
    """Result of ``autobranch.suggest_branches`` / ``analyze_text``."""

    suggestions: list[BranchSuggestion]
    metadata: SuggestionMetadata | None = None


class HealthStatus(ChatRoutesModel):
    """Result of ``autobranch.health``."""

    status: str
    version: str | None = None
    service: str | None = None
