"""The FastAPI application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from . import changes, exchange
from .errors import install_error_handlers
from .middleware import BodyLimit, EncodedSlashGuard, KeyCheck, Knobs, RequestLog
from .responders import Responder
from .routes import admin, auth, autobranch, branches, checkpoints, conversations, messages
from .routes.deps import Replay
from .state import DEFAULT_MAX_BODY_BYTES, ServerState
from .store import Store

API_PREFIX = "/api/v1"


class _QuietStreamCuts(logging.Filter):
    # An injected stream cut is not an error worth a traceback in the server log.
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, exchange.StreamCut)


def _quiet_stream_cuts() -> None:
    log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietStreamCuts) for f in log.filters):
        log.addFilter(_QuietStreamCuts())


def create_app(
    *,
    store: Store | None = None,
    db_path: str | Path = ":memory:",
    api_keys: list[str] | tuple[str, ...] = (),
    responder: Responder | None = None,
    latency: float = 0.0,
    token_delay: float = 0.0,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    partial_context_messages: int = 4,
    test_knobs: bool = False,
    fsync: bool = False,
) -> FastAPI:
    """Build the local ChatRoutes-compatible app.

    Args:
        store: an open store; by default one is opened at ``db_path``.
        db_path: the SQLite file (``":memory:"`` for a throwaway database).
        api_keys: keys to accept (added to the keys already stored in the database).
        responder: where replies come from; :class:`EchoResponder` by default.
        latency: seconds to sleep before answering each API request.
        token_delay: seconds to sleep before each streamed content event.
        max_body_bytes: larger request bodies get a 413.
        partial_context_messages: inherited messages kept in context by ``contextMode: PARTIAL``.
        test_knobs: mount the ``/_admin`` routes (latency, token delay, faults over HTTP).
        fsync: wait for the disk on every commit (see :class:`Store`); off by default.

    The live :class:`ServerState` is ``app.state.server``.
    """
    store = store or Store(db_path, fsync=fsync)
    for key in api_keys:
        store.add_key(key)
    state = ServerState(
        store=store,
        latency=latency,
        token_delay=token_delay,
        max_body_bytes=max_body_bytes,
        partial_context_messages=partial_context_messages,
        test_knobs=test_knobs,
    )
    if responder is not None:
        state.responder = responder
    app = FastAPI(
        title="ChatRoutes-compatible local server",
        version="1.0.0",
        redirect_slashes=False,  # a trailing slash is a different (unknown) path, never a redirect
        description="A local, offline implementation of the ChatRoutes REST API (chatroutes_core.server).",
    )
    app.state.server = state
    install_error_handlers(app)

    @app.exception_handler(Replay)
    async def _replay(request: Request, exc: Replay) -> Response:
        headers = {"Idempotent-Replayed": "true"}
        if exc.record.kind == "sse":
            return StreamingResponse(
                exchange.replay_stream(exc.record.body), media_type="text/event-stream", headers=headers
            )
        return JSONResponse(exc.record.body, status_code=exc.record.status, headers=headers)

    for module in (conversations, messages, branches, checkpoints, autobranch, auth):
        app.include_router(module.router, prefix=API_PREFIX)
    if test_knobs:
        app.include_router(admin.router, prefix=API_PREFIX)
    changes.install(app, API_PREFIX)  # the change feed: app.state.changes (the explorer's live view)
    app.add_middleware(Knobs, state=state)
    app.add_middleware(BodyLimit, state=state)
    app.add_middleware(KeyCheck, state=state, prefix=API_PREFIX)
    app.add_middleware(EncodedSlashGuard, state=state)
    app.add_middleware(RequestLog, state=state)
    _quiet_stream_cuts()
    return app
