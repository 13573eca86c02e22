"""AutoBranch: suggestions from the offline detector (``chatroutes_core.autobranch``) and a health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..bodies import SuggestBranchesBody
from ..errors import ApiError
from ..wire import ok
from .deps import Owner, State

router = APIRouter(tags=["autobranch"])

SERVICE_VERSION = "1.0.0"


@router.post("/autobranch/suggest-branches")
async def suggest_branches(body: SuggestBranchesBody, state: State, owner: Owner) -> dict[str, Any]:
    if not body.text.strip():
        raise ApiError(400, "text must not be empty")
    try:  # imported lazily: the detector is a separate module
        from chatroutes_core.autobranch import suggest_branches as detect
    except ImportError:
        raise ApiError(503, "The AutoBranch detector is not available") from None
    if body.hybrid_detection:  # the upstream model when there is one, else the patterns and why (hybrid.py)
        from ..hybrid import hybrid_suggest

        hybrid = await hybrid_suggest(
            body.text,
            threshold=body.threshold,
            suggestions_count=body.suggestions_count,
            responder=state.responder,
        )
        return ok(hybrid)
    result: dict[str, Any] = detect(
        body.text, threshold=body.threshold, suggestions_count=body.suggestions_count
    )
    return ok(result)


@router.get("/autobranch/health")
async def health() -> dict[str, Any]:
    """Public: a health check answers with or without a key (it reveals nothing about any account)."""
    try:
        import chatroutes_core.autobranch  # noqa: F401
    except ImportError:
        status = "degraded"
    else:
        status = "healthy"
    return ok({"status": status, "version": SERVICE_VERSION, "service": "autobranch"})
