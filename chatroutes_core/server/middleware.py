"""Pure ASGI middleware (no response buffering, so streams stay unbuffered).

Outermost first: :class:`RequestLog` records ``(method, path)`` and turns an exception that escapes the
app into a complete JSON 500 (Starlette's error middleware answers, then re-raises, and uvicorn closes a
keep-alive connection on any exception: the client's next request on it would meet a reset);
:class:`EncodedSlashGuard` refuses encoded slashes in paths (404); :class:`KeyCheck` answers 401 to an
API request without a known key before anything reads its body; :class:`BodyLimit` reads the body once,
answers 413 past the limit and turns an empty body into ``{}`` (the official SDK sends
``Content-Type: application/json`` with no body); :class:`Knobs` applies injected HTTP faults and the added
latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import HTTPConnection

from .errors import error_body, logger
from .faults import fault_response
from .routes.deps import api_key_from
from .state import ServerState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_BODY_METHODS = {"POST", "PUT", "PATCH"}


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


_INTERNAL = {"success": False, "error": "Internal server error", "message": "Internal server error"}
PARENT_CHECK = (b"chatroutes-parent-check", b"enforced")


class RequestLog:
    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.state.record_request(scope["method"], scope["path"])
        self.state.in_flight += 1  # one event loop: no lock needed

        async def announce(message: Message) -> None:
            # Every answer says that a send's parentMessageId is enforced (409 TIP_MOVED), so clients may
            # send at a tip they have not read and let the server decide (see docs/ARCHITECTURE.md).
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), PARENT_CHECK]}
            await send(message)

        started = complete = False

        async def track(message: Message) -> None:
            nonlocal started, complete
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True
            await announce(message)

        try:
            await self.app(scope, receive, track)
        except Exception as exc:
            if started and not complete:
                raise  # a half-sent answer: only closing the connection tells the client it is cut
            if not started:
                logger.error(
                    "unhandled error on %s %s: %s", scope["method"], scope["path"], type(exc).__name__
                )
                await _send_json(track, 500, _INTERNAL)
            # else: the error handler already answered in full; the connection stays usable
        finally:
            self.state.in_flight -= 1


class EncodedSlashGuard:
    """404 for a path holding an encoded slash: Starlette routes on the decoded path, so an id such as
    ``conv_1/branches/br_2`` (sent as ``conv_1%2Fbranches%2Fbr_2``) would otherwise reach another route.
    No id this server issues contains a slash."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"%2f" in (scope.get("raw_path") or b"").lower():
            await _send_json(send, 404, error_body(404, "Not found"))
            return
        await self.app(scope, receive, send)


class KeyCheck:
    """401 first: an API request without a known key gets no other answer (not a 400 for its body)."""

    def __init__(self, app: ASGIApp, state: ServerState, prefix: str) -> None:
        self.app = app
        self.state = state
        self.prefix = prefix.rstrip("/") + "/"
        # The health check, and the account routes the JS SDK calls without a key (they answer with a 404 that
        # says the local server has no accounts, rather than a 401 that reads as a wrong key).
        self.public = {self.prefix + "autobranch/health"} | {
            self.prefix + f"auth/{route}" for route in ("register", "login", "refresh")
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.startswith(self.prefix) and path not in self.public:
            key = api_key_from(HTTPConnection(scope))
            if key is None:
                message = "Missing API key: send 'Authorization: ApiKey <key>'"
                await _send_json(send, 401, error_body(401, message))
                return
            if self.state.store.owner_of(key) is None:
                await _send_json(send, 401, error_body(401, "Invalid API key"))
                return
        await self.app(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.state.max_body_bytes
        too_large = error_body(413, f"Request body too large (limit {limit} bytes)")
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, too_large)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_json(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if not body.strip():
            body = b"{}"
        scope = dict(scope)
        scope["headers"] = [
            (k, v) for k, v in scope.get("headers") or [] if k.lower() != b"content-length"
        ] + [(b"content-length", str(len(body)).encode())]
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Knobs:
    """Injected HTTP faults (before or after the route) and added latency."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or "/_admin/" in path:
            await self.app(scope, receive, send)
            return
        state = self.state
        owner = None
        if state.owner_knobs or state.faults.pending:  # knobs set over HTTP belong to the key that set them
            key = api_key_from(HTTPConnection(scope))
            owner = state.store.owner_of(key) if key else None
        latency = state.latency_for(owner)
        if latency > 0:
            await asyncio.sleep(latency)
        fault = state.faults.take(scope["method"], scope["path"], stream=False, owner=owner)
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.when == "after":

            async def discard(message: Message) -> None:
                return None

            with contextlib.suppress(Exception):  # the fault replaces whatever happened
                await self.app(scope, receive, discard)
        status, headers, body = fault_response(fault)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
