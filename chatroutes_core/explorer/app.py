"""``create_explorer_app``: the branch explorer as a FastAPI app (pages, assets, JSON/SSE API).

    app = create_explorer_app(base_url="http://127.0.0.1:8787/api/v1", api_key=key)
    print(app.state.explorer.link("127.0.0.1", 8788))   # the one link, with the one-time token

The app talks to a ChatRoutes API only through the core client (``AsyncChatRoutesClient``); the key stays
in this process. ``docs/explorer.md`` describes the routes and the security model.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._catalog import SUPPORTED_MODELS
from .._client import AsyncChatRoutesClient
from .._exceptions import ChatRoutesError, ConfigurationError, UsageError
from . import actions, api, live
from .context import ClientFactory, ExplorerContext, api_host, error_response, map_error, session_of
from .security import COOKIE, SecurityHeaders, Sessions

__all__ = ["create_explorer_app"]

STATIC = Path(__file__).parent / "static"
_log = logging.getLogger("chatroutes_core.explorer")

_UNAUTHORIZED = (
    "<!doctype html><meta charset=utf-8><title>ChatRoutes explorer</title>"
    "<p>Not signed in. Open the link printed by <code>chatroutes serve</code> or "
    "<code>chatroutes explore</code> (it holds a one-time token; start the command again for a new one)."
)

_MEDIA = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml",
          ".png": "image/png", ".json": "application/json", ".woff2": "font/woff2"}  # fmt: skip


def _signed_in(request: Request) -> bool:
    ctx: ExplorerContext = request.app.state.explorer
    return ctx.sessions.csrf(session_of(request)) is not None


def _unauthorized() -> HTMLResponse:
    return HTMLResponse(_UNAUTHORIZED, status_code=401)


def _index(request: Request) -> Response:
    if not _signed_in(request):
        return _unauthorized()
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


def create_explorer_app(
    client_factory: ClientFactory | None = None,
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    feed: object | None = None,
    owner: str | None = None,
    poll_seconds: float = 1.0,
    models: Sequence[str] | None = None,
    relay: bool = True,
) -> FastAPI:
    """The explorer app.

    Args:
        client_factory: makes the ``AsyncChatRoutesClient`` the app uses (called once per event loop);
            by default one for ``base_url`` and ``api_key`` (or ``CHATROUTES_BASE_URL`` /
            ``CHATROUTES_API_KEY``).
        base_url: the ChatRoutes API (used when no ``client_factory`` is given; shown as host only).
        api_key: its key; it never leaves this process.
        feed: a :class:`chatroutes_core.server.changes.ChangeFeed` to push changes from (with ``owner``,
            the hash of the key whose changes to push); without it the app polls.
        poll_seconds: the polling period without a feed.
        relay: without ``feed``, use the API's own change feed when it has one (``GET <base>/_changes``,
            the local server's) before falling back to polling; ``False``: always poll.
        models: model names offered by the page (the core catalog by default).
    """
    if poll_seconds <= 0:
        raise UsageError(f"poll_seconds must be positive, got {poll_seconds!r}")
    if client_factory is None:
        if not (api_key or os.environ.get("CHATROUTES_API_KEY")):
            raise ConfigurationError("the explorer needs an API key: set CHATROUTES_API_KEY or pass api_key")

        def client_factory() -> AsyncChatRoutesClient:
            return AsyncChatRoutesClient(api_key=api_key, base_url=base_url)

        probe = AsyncChatRoutesClient(api_key=api_key, base_url=base_url)  # checks key and URL now
        shown = str(probe.base_url)
    else:
        shown = base_url or "(client)"
    from ..server.changes import ChangeFeed

    ctx = ExplorerContext(
        client_factory=client_factory,
        api_base=api_host(shown),
        sessions=Sessions(),
        feed=feed if isinstance(feed, ChangeFeed) else None,
        owner=owner,
        poll_seconds=poll_seconds,
        models=list(models) if models is not None else list(SUPPORTED_MODELS),
        upstream_checked=not relay,
    )
    app = FastAPI(title="ChatRoutes explorer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.explorer = ctx

    @app.get("/", include_in_schema=False)
    async def root(request: Request, token: str | None = None) -> Response:
        if token is not None:
            session = ctx.sessions.redeem(token)
            if session is not None:
                response = RedirectResponse("/", status_code=303)
                response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/")
                return response
            if _signed_in(request):
                return RedirectResponse("/", status_code=303)  # a reload of the used link: drop the token
            return _unauthorized()
        return _index(request)

    @app.get("/c/{cid}", include_in_schema=False)
    @app.get("/c/{cid}/b/{bid}", include_in_schema=False)
    @app.get("/c/{cid}/b/{bid}/m/{mid}", include_in_schema=False)
    async def deep_link(request: Request) -> Response:
        return _index(request)

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str, request: Request) -> Response:
        if not _signed_in(request):
            return _unauthorized()
        files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
        path = files.get(name)
        if path is None:
            return error_response("no such asset", 404, "NotFound")
        return FileResponse(path, media_type=_MEDIA.get(path.suffix, "application/octet-stream"))

    guard = [Depends(api.require_session)]
    app.include_router(api.router, prefix="/explorer/api", dependencies=guard)
    app.include_router(actions.router, prefix="/explorer/api", dependencies=guard)
    app.include_router(live.router, prefix="/explorer/api", dependencies=guard)

    @app.exception_handler(ChatRoutesError)
    async def _chatroutes_error(request: Request, exc: ChatRoutesError) -> JSONResponse:
        message, status, kind = map_error(exc)
        return error_response(message, status, kind)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return error_response(f"invalid request: {problems}", 400, "ValidationError")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(str(exc.detail), exc.status_code, "HTTPError")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("explorer: unexpected error on %s %s", request.method, request.url.path)
        message, status, kind = map_error(exc)
        return error_response(message, status, kind)

    app.add_middleware(SecurityHeaders)
    return app
