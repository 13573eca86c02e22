"""The explorer's locks: the one-time token, the session cookie, CSRF and the security headers.

The browser proves itself with a one-time token printed in the link (as Jupyter does); ``GET /?token=T``
trades it for an HttpOnly, SameSite=Strict cookie and the token is gone. Every state-changing request under
``/explorer/api/`` also carries ``X-CSRF-Token``, which only a page served by this process can read (from
``/explorer/api/session``). Every response carries a Content-Security-Policy that forbids inline script and
every origin but this one.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "cr_explorer"
CSRF_HEADER = "x-csrf-token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Sessions:
    """The one-time token and the sessions it was traded for (session id -> CSRF token).

    Thread-safe: the lock guards the token and the session table.
    """

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    _used: bool = False
    _sessions: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:  # neither the token nor a session id is ever printed
        return f"Sessions(open={len(self._sessions)}, token_used={self._used})"

    def redeem(self, token: str) -> str | None:
        """A new session id for the unused one-time token (None for any other text, or a second time)."""
        with self._lock:
            if self._used or not hmac.compare_digest(token.encode(), self.token.encode()):
                return None
            self._used = True
            session = secrets.token_urlsafe(32)
            self._sessions[session] = secrets.token_urlsafe(32)
            return session

    def csrf(self, session: str | None) -> str | None:
        """The CSRF token of a session (None when the session is unknown)."""
        if not session:
            return None
        with self._lock:
            for known, csrf in self._sessions.items():
                if hmac.compare_digest(known.encode(), session.encode()):
                    return csrf
        return None

    def csrf_ok(self, session: str | None, header: str | None) -> bool:
        expected = self.csrf(session)
        return expected is not None and header is not None and hmac.compare_digest(expected, header)


def cookie_header(session: str) -> str:
    return f"{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/"


class SecurityHeaders:
    """Adds the CSP, nosniff, no-referrer and no-store headers to every response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": [*kept, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
