"""The change feed's HTTP side: the hook that publishes each successful write, and ``GET <prefix>/_changes``.

The feed itself (:class:`~chatroutes_core.server.changes.ChangeFeed`) is a service; this module maps requests
onto it: :class:`ChangeHook` (ASGI middleware) names what a 2xx write changed from its path, body and answer,
and :func:`changes` streams a key's changes as SSE (``event: change`` per change, a comment every 15 s).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import StreamingResponse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..changes import RESET, Change, ChangeFeed, Kind
from ..store import hash_key
from .deps import api_key_from

__all__ = ["ChangeHook", "describe", "install", "router"]

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CAPTURE = 256 * 1024  # bytes of a request or JSON response read to name what changed
HEARTBEAT = 15.0

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
    feed: ChangeFeed = request.app.state.changes
    owner = hash_key(api_key_from(request) or "")

    async def events() -> AsyncIterator[bytes]:
        yield f": version {feed.version}\n\n".encode()
        async with aclosing(feed.follow(owner, since, HEARTBEAT)) as changes:
            async for change in changes:
                if change is None:
                    yield b": keep-alive\n\n"
                elif change == RESET:
                    yield f"event: reset\ndata: {json.dumps({'version': feed.version})}\n\n".encode()
                else:
                    yield _sse(change)

    return StreamingResponse(events(), media_type="text/event-stream")


def install(app: FastAPI, prefix: str) -> ChangeFeed:
    """Give ``app`` a change feed (``app.state.changes``), its hook and ``GET <prefix>/_changes``."""
    feed = ChangeFeed()
    app.state.changes = feed
    app.include_router(router, prefix=prefix)
    app.add_middleware(ChangeHook, feed=feed, prefix=prefix)
    return feed
