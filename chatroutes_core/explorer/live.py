"""Live updates: ``GET /explorer/api/changes`` (SSE), pushed from the local server's change feed or polled."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter()


@router.get("/changes")
async def changes(request: Request, cid: str | None = None, since: str | None = None) -> Any:
    raise NotImplementedError
