"""Live updates: ``GET /explorer/api/changes?cid=&since=`` (SSE of change events).

Push (``chatroutes serve``): the local server's change feed hands over each committed write as it happens.
Poll (any other API): every ``pollSeconds`` one request reads the newest page of conversations (``limit``
20) and compares ``updatedAt``; a conversation whose stamp moved is announced as a ``conversation`` change
(the page then refetches that conversation's graph). Either way each event is
``{"conversationId", "branchId", "kind", "id", "version"}``; a ``reset`` event asks for a full reload.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from .._request import check_id
from .context import ExplorerContext, context, map_error

router = APIRouter()

POLL_PAGE = 20  # conversations read per poll
HEARTBEAT = 15.0


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _wanted(change: dict[str, Any], cid: str | None) -> bool:
    return cid is None or change.get("conversationId") in (cid, None)


async def _push(ctx: ExplorerContext, cid: str | None, since: int | None) -> AsyncIterator[bytes]:
    assert ctx.feed is not None and ctx.owner is not None
    sub = ctx.feed.subscribe(ctx.owner)
    try:
        last = ctx.feed.version if since is None else since
        yield _event("hello", {"live": "push", "version": str(last)})
        backlog = ctx.feed.since(ctx.owner, last)
        if backlog is None:
            yield _event("reset", {"version": str(ctx.feed.version)})
        for change in backlog or ():
            last = change.version
            if _wanted(change.json(), cid):
                yield _event("change", {**change.json(), "version": str(change.version)})
        while True:
            got = await sub.get(HEARTBEAT)
            if got is None:
                yield b": keep-alive\n\n"
            elif got.version > last:
                last = got.version
                if _wanted(got.json(), cid):
                    yield _event("change", {**got.json(), "version": str(got.version)})
    finally:
        sub.close()


async def _snapshot(ctx: ExplorerContext) -> dict[str, str | None]:
    page = await ctx.client().conversations.list(page=1, limit=POLL_PAGE)
    return {c.id: c.updated_at for c in page.conversations}


async def _poll(ctx: ExplorerContext, cid: str | None) -> AsyncIterator[bytes]:
    """Announce conversations whose ``updatedAt`` moved (one list request per period).

    The first snapshot is taken before ``hello``: what is written after the greeting is announced.
    """
    counter = itertools.count(1)
    seen: dict[str, str | None] | None = None
    failure: tuple[str, int, str] | None = None
    try:
        seen = await _snapshot(ctx)
    except Exception as exc:  # reported below; the next period tries again
        failure = map_error(exc)
    yield _event("hello", {"live": "poll", "pollSeconds": ctx.poll_seconds, "version": "0"})
    quiet_since = time.monotonic()
    while True:
        if failure is not None:
            yield _event("error", {"message": failure[0], "status": failure[1]})
            failure = None
        await asyncio.sleep(ctx.poll_seconds)
        try:
            now = await _snapshot(ctx)
        except Exception as exc:  # an unreachable API is reported and polled again, never a dead stream
            failure = map_error(exc)
            continue
        if seen is not None:
            changed = [i for i, stamp in now.items() if seen.get(i, "\0") != stamp]
            changed += [i for i in seen if i not in now and len(now) < POLL_PAGE]  # deleted
            for conversation_id in changed:
                if cid is None or conversation_id == cid:
                    change = {"conversationId": conversation_id, "branchId": None, "kind": "conversation",
                              "id": conversation_id, "version": str(next(counter))}  # fmt: skip
                    yield _event("change", change)
                    quiet_since = time.monotonic()
        seen = now
        if time.monotonic() - quiet_since > HEARTBEAT:
            quiet_since = time.monotonic()
            yield b": keep-alive\n\n"


@router.get("/changes")
async def changes(request: Request, cid: str | None = None, since: str | None = None) -> StreamingResponse:
    """Change events for conversation ``cid`` (or all), after version ``since`` (push mode)."""
    if cid:
        check_id(cid, "cid")
    ctx = context(request)
    start = int(since) if since and since.isdigit() else None
    events = _push(ctx, cid or None, start) if ctx.live == "push" else _poll(ctx, cid or None)
    return StreamingResponse(events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})
