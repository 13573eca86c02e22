"""The change feed: what was written, per API key, as numbered events (``GET /api/v1/_changes``, SSE).

After a write request under ``/api/v1`` succeeds (2xx, not an idempotent replay), :class:`ChangeHook`
publishes one :class:`Change` to the :class:`ChangeFeed` for the owner (the hash of the request's key):
``{"conversationId", "branchId", "kind", "id", "version"}`` with ``kind`` one of ``message``, ``branch``,
``conversation``, ``checkpoint``. A streamed send is published when its stream ends. ``version`` is one
counter for the whole feed, so a reader resumes with ``since=<last version seen>``; the feed keeps the last
``keep`` changes of each owner (an older ``since`` gets a ``reset`` event: read everything again).

Readers in the same process (the explorer mounted by ``chatroutes serve``) subscribe directly; others read
``GET /api/v1/_changes?since=N`` with their key: ``event: change`` per change, a comment every 15 s.
Another key's changes are never visible.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import StreamingResponse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .store import hash_key

__all__ = ["Change", "ChangeFeed", "ChangeHook", "install", "router"]

Kind = Literal["message", "branch", "conversation", "checkpoint"]
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CAPTURE = 256 * 1024  # bytes of a request or JSON response read to name what changed
HEARTBEAT = 15.0


@dataclass(frozen=True)
class Change:
    version: int
    conversation_id: str | None
    branch_id: str | None
    kind: Kind
    id: str | None

    def json(self) -> dict[str, Any]:
        return {"conversationId": self.conversation_id, "branchId": self.branch_id, "kind": self.kind,
                "id": self.id, "version": self.version}  # fmt: skip


class Subscription:
    """A reader's queue of changes (fed from any thread); ``async for change in sub``; close when done."""

    def __init__(self, feed: ChangeFeed, owner: str) -> None:
        self._feed, self.owner = feed, owner
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Change] = asyncio.Queue()

    def _deliver(self, change: Change) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, change)

    async def get(self, timeout: float | None = None) -> Change | None:
        """The next change, or None after ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._feed._unsubscribe(self)


class ChangeFeed:
    """Per-owner publish/subscribe with one version counter. Thread-safe: the lock guards everything."""

    def __init__(self, keep: int = 1000) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._keep = keep
        self._recent: dict[str, deque[Change]] = {}
        self._subscribers: dict[str, set[Subscription]] = {}

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def publish(
        self, owner: str, kind: Kind, conversation_id: str | None, branch_id: str | None = None,
        item_id: str | None = None,
    ) -> Change:  # fmt: skip
        with self._lock:
            self._version += 1
            change = Change(self._version, conversation_id, branch_id, kind, item_id)
            self._recent.setdefault(owner, deque(maxlen=self._keep)).append(change)
            subscribers = list(self._subscribers.get(owner, ()))
        for sub in subscribers:
            sub._deliver(change)
        return change

    def since(self, owner: str, version: int) -> list[Change] | None:
        """The owner's changes after ``version``; None when some of them are no longer kept."""
        with self._lock:
            recent = self._recent.get(owner, deque())
            if version >= self._version:
                return []
            if len(recent) == self._keep and recent[0].version > version + 1:
                return None
            return [c for c in recent if c.version > version]

    def subscribe(self, owner: str) -> Subscription:
        sub = Subscription(self, owner)
        with self._lock:
            self._subscribers.setdefault(owner, set()).add(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.get(sub.owner, set()).discard(sub)


# --- what a write changed: from its path, its body and its answer ---------------------------------------

_PATHS: list[tuple[re.Pattern[str], Kind]] = [
    (re.compile(r"/conversations/(?P<c>[^/]+)/branches/(?P<b>[^/]+)/messages"), "message"),
    (re.compile(r"/conversations/(?P<c>[^/]+)/messages(?:/stream)?"), "message"),
    (re.compile(r"/conversations/(?P<c>[^/]+)/(?:branches(?:/(?P<b>[^/]+)(?:/merge)?)?|fork)"), "branch"),
    (re.compile(r"/conversations/(?P<c>[^/]+)/checkpoints"), "checkpoint"),
    (re.compile(r"/conversations(?:/(?P<c>[^/]+))?"), "conversation"),
    (re.compile(r"/checkpoints/[^/]+(?:/recreate)?"), "checkpoint"),
    (re.compile(r"/messages/[^/]+"), "message"),
]


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def describe(
    path: str, request: bytes, response: bytes
) -> tuple[Kind, str | None, str | None, str | None] | None:
    """(kind, conversation id, branch id, item id) of a successful write to ``path`` (below the prefix)."""
    for pattern, kind in _PATHS:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        found = match.groupdict()
        data = _json(response).get("data")
        item = data.get(kind) if isinstance(data, dict) else None
        item = item if isinstance(item, dict) else {}
        if kind == "message" and isinstance(data, dict) and isinstance(data.get("message"), dict):
            item = data["message"]
        cid = (
            found.get("c")
            or item.get("conversationId")
            or (item.get("id") if kind == "conversation" else None)
        )
        bid = found.get("b") or _json(request).get("branchId") or item.get("branchId")
        if kind == "branch":
            bid = bid or item.get("id")
        return kind, cid, bid, item.get("id") if isinstance(item.get("id"), str) else None
    return None


class ChangeHook:
    """ASGI middleware: after a successful write under ``prefix``, publish what it changed to ``feed``."""

    def __init__(self, app: ASGIApp, feed: ChangeFeed, prefix: str) -> None:
        self.app, self.feed, self.prefix = app, feed, prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in _WRITES
            or not path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        request, response = bytearray(), bytearray()
        status = [0, False]  # status, replayed

        async def reading() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request) < _CAPTURE:
                request.extend(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                status[1] = any(k.lower() == b"idempotent-replayed" for k, _ in message.get("headers", []))
            elif message["type"] == "http.response.body" and len(response) < _CAPTURE:
                response.extend(message.get("body", b""))
            await send(message)

        await self.app(scope, reading, sending)
        if not 200 <= int(status[0]) < 300 or status[1]:
            return
        from .routes.deps import api_key_from

        key = api_key_from(HTTPConnection(scope))
        what = describe(path[len(self.prefix) :], bytes(request), bytes(response))
        if key is not None and what is not None:
            self.feed.publish(hash_key(key), what[0], what[1], what[2], what[3])


router = APIRouter(tags=["changes"])


def _sse(change: Change) -> bytes:
    return f"id: {change.version}\nevent: change\ndata: {json.dumps(change.json())}\n\n".encode()


@router.get("/_changes", include_in_schema=False)
async def changes(request: Request, since: int = Query(0, ge=0)) -> StreamingResponse:
    """The caller's changes after ``since``, then live (SSE)."""
    from .routes.deps import api_key_from

    feed: ChangeFeed = request.app.state.changes
    owner = hash_key(api_key_from(request) or "")
    sub = feed.subscribe(owner)
    backlog = feed.since(owner, since)

    async def events() -> AsyncIterator[bytes]:
        try:
            yield f": version {feed.version}\n\n".encode()
            if backlog is None:
                yield f"event: reset\ndata: {json.dumps({'version': feed.version})}\n\n".encode()
            last = since
            for change in backlog or ():
                last = change.version
                yield _sse(change)
            while True:
                got = await sub.get(HEARTBEAT)
                if got is None:
                    yield b": keep-alive\n\n"
                elif got.version > last:
                    last = got.version
                    yield _sse(got)
        finally:
            sub.close()

    return StreamingResponse(events(), media_type="text/event-stream")


def install(app: FastAPI, prefix: str) -> ChangeFeed:
    """Give ``app`` a change feed (``app.state.changes``), its hook and ``GET <prefix>/_changes``."""
    feed = ChangeFeed()
    app.state.changes = feed
    app.include_router(router, prefix=prefix)
    app.add_middleware(ChangeHook, feed=feed, prefix=prefix)
    return feed
