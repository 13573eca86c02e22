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
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ..integration import check_id
from ..server.changes import RESET
from .context import ExplorerContext, context, map_error
from .upstream import ensure_live

router = APIRouter()

POLL_PAGE = 20  # conversations read per poll
HEARTBEAT = 15.0


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _wanted(change: dict[str, Any], cid: str | None) -> bool:
    return cid is None or change.get("conversationId") in (cid, None)


async def _push(ctx: ExplorerContext, cid: str | None, since: int | None) -> AsyncIterator[bytes]:
    assert ctx.feed is not None and ctx.owner is not None
    feed = ctx.feed
    last = feed.version if since is None else since
    yield _event("hello", {"live": "push", "version": str(last)})
    async with aclosing(feed.follow(ctx.owner, last, HEARTBEAT)) as changes:
        async for change in changes:
            if change is None:
                yield b": keep-alive\n\n"
            elif change == RESET:
                yield _event("reset", {"version": str(feed.version)})
            elif _wanted(change.json(), cid):
                yield _event("change", {**change.json(), "version": str(change.version)})


async def _snapshot(ctx: ExplorerContext) -> dict[str, str | None]:
    page = await ctx.client().conversations.list(page=1, limit=POLL_PAGE)
    return {c.id: c.updated_at for c in page.conversations}


Notice = tuple[str, dict[str, Any]]  # (event name, data)


class Poller:
    """One poll loop for every open change stream of one event loop: the cost does not grow with tabs.

    Runs while at least one stream listens; each period it reads one page and hands every listener the
    conversations whose ``updatedAt`` moved (or the error). Used from its event loop only.
    """

    def __init__(self, ctx: ExplorerContext) -> None:
        self.ctx = ctx
        self.listeners: set[asyncio.Queue[Notice]] = set()
        self.seen: dict[str, str | None] | None = None
        self.task: asyncio.Task[None] | None = None
        self.counter = itertools.count(1)
        self.lock = asyncio.Lock()

    async def listen(self) -> asyncio.Queue[Notice]:
        """A new listener; the first one takes the snapshot changes are measured from."""
        queue: asyncio.Queue[Notice] = asyncio.Queue()
        async with self.lock:  # two first streams at once start one loop, not two
            if self.task is None or self.task.done():
                try:
                    self.seen = await _snapshot(self.ctx)
                except Exception as exc:  # reported; the loop tries again
                    message, status, _ = map_error(exc)
                    queue.put_nowait(("error", {"message": message, "status": status}))
                self.task = asyncio.get_running_loop().create_task(self._run())
            self.listeners.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue[Notice]) -> None:
        self.listeners.discard(queue)

    def _tell(self, notice: Notice) -> None:
        for queue in self.listeners:
            queue.put_nowait(notice)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.ctx.poll_seconds)
            if not self.listeners:
                return  # the last stream closed: stop polling
            try:
                now = await _snapshot(self.ctx)
            except Exception as exc:  # an unreachable API is reported and polled again, never a dead stream
                message, status, _ = map_error(exc)
                self._tell(("error", {"message": message, "status": status}))
                continue
            seen, self.seen = self.seen, now
            if seen is None:
                continue
            changed = [i for i, stamp in now.items() if seen.get(i, "\0") != stamp]
            changed += [i for i in seen if i not in now and len(now) < POLL_PAGE]  # deleted
            for conversation_id in changed:
                self._tell(("change", {"conversationId": conversation_id, "branchId": None,
                                       "kind": "conversation", "id": conversation_id,
                                       "version": str(next(self.counter))}))  # fmt: skip


def _poller(ctx: ExplorerContext) -> Poller:
    loop = id(asyncio.get_running_loop())
    poller = ctx.pollers.get(loop)
    if not isinstance(poller, Poller):
        poller = ctx.pollers[loop] = Poller(ctx)
    return poller


async def _poll(ctx: ExplorerContext, cid: str | None) -> AsyncIterator[bytes]:
    """The shared poller's notices for ``cid`` (or all); the snapshot is taken before ``hello``."""
    poller = _poller(ctx)
    queue = await poller.listen()
    try:
        yield _event("hello", {"live": "poll", "pollSeconds": ctx.poll_seconds, "version": "0"})
        while True:
            try:
                name, data = await asyncio.wait_for(queue.get(), HEARTBEAT)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if name != "change" or cid is None or data["conversationId"] == cid:
                yield _event(name, data)
    finally:
        poller.leave(queue)


@router.get("/changes")
async def changes(request: Request, cid: str | None = None, since: str | None = None) -> StreamingResponse:
    """Change events for conversation ``cid`` (or all), after version ``since`` (push mode)."""
    if cid:
        check_id(cid, "cid")
    ctx = context(request)
    await ensure_live(ctx)
    start = int(since) if since and since.isdigit() else None
    events = _push(ctx, cid or None, start) if ctx.live == "push" else _poll(ctx, cid or None)
    return StreamingResponse(events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})
