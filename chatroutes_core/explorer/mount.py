"""Serving the explorer beside an API app in one process (``chatroutes serve``), and quiet access logs."""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["Combined", "RedactToken", "redact_access_log"]


API_DOCS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


class Combined:
    """One ASGI app: paths under ``api_prefix``, the API's OpenAPI pages (and lifespan) go to ``api``,
    every other to ``explorer``.

    The API app keeps its own 404s and error shapes; the explorer never sees an API path.
    """

    def __init__(self, api: ASGIApp, explorer: ASGIApp, api_prefix: str = "/api/") -> None:
        self.api, self.explorer, self.api_prefix = api, explorer, api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "lifespan" or path.startswith(self.api_prefix) or path in API_DOCS:
            await self.api(scope, receive, send)
        else:
            await self.explorer(scope, receive, send)


_TOKEN = re.compile(r"token=[^&\s\"]+")


class RedactToken(logging.Filter):
    """Replaces the one-time token in access-log lines by ``token=***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN.sub("token=***", a) if isinstance(a, str) else a for a in record.args)
        record.msg = _TOKEN.sub("token=***", str(record.msg))
        return True


def redact_access_log() -> None:
    """Install :class:`RedactToken` on uvicorn's access logger (once)."""
    log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactToken) for f in log.filters):
        log.addFilter(RedactToken())
