"""What every explorer route shares: the sessions, the core client, the live mode and the error shape."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse

from .._client import AsyncChatRoutesClient
from .._exceptions import APIConnectionError, APIStatusError, ChatRoutesError, UsageError
from ..models import Message
from .security import COOKIE, Sessions

if TYPE_CHECKING:
    from ..server.changes import ChangeFeed

ClientFactory = Callable[[], AsyncChatRoutesClient]


class OwnCache:
    """Bounded LRU of branches' own messages, keyed by conversation and branch, valid for one stamp
    (message count, ``updatedAt``); a branch without a message count is never cached."""

    def __init__(self, maxsize: int = 4096) -> None:
        self._items: OrderedDict[tuple[str, str], tuple[Any, list[Message]]] = OrderedDict()
        self._maxsize = maxsize

    def get(self, cid: str, bid: str, stamp: tuple[Any, ...]) -> list[Message] | None:
        found = self._items.get((cid, bid))
        if found is None or found[0] != stamp or stamp[0] is None:
            return None
        self._items.move_to_end((cid, bid))
        return found[1]

    def put(self, cid: str, bid: str, stamp: tuple[Any, ...], messages: list[Message]) -> None:
        if stamp[0] is None:
            return
        self._items[(cid, bid)] = (stamp, messages)
        self._items.move_to_end((cid, bid))
        while len(self._items) > self._maxsize:
            self._items.popitem(last=False)


@dataclass
class ExplorerContext:
    """The explorer's state; ``app.state.explorer``.

    ``feed`` and ``owner``: the local server's change feed and the owner (key hash) whose changes to push;
    without them the explorer polls every ``poll_seconds``.
    """

    client_factory: ClientFactory
    api_base: str
    sessions: Sessions = field(default_factory=Sessions)
    feed: ChangeFeed | None = None
    owner: str | None = None
    poll_seconds: float = 1.0
    models: list[str] = field(default_factory=list)
    own_cache: OwnCache = field(default_factory=OwnCache)
    tree_read: set[str] = field(default_factory=set)  # conversations read once: later reads go per branch
    pollers: dict[int, object] = field(default_factory=dict)  # one live.Poller per event loop
    upstream_checked: bool = False  # whether the API was asked for its change feed (upstream.py)
    relay: asyncio.Task[None] | None = None  # the task relaying it, when it has one
    _upstream_lock: asyncio.Lock | None = None
    _clients: dict[int, AsyncChatRoutesClient] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"ExplorerContext(api_base={self.api_base!r}, live={self.live!r})"

    def upstream_lock(self) -> asyncio.Lock:
        if self._upstream_lock is None:
            self._upstream_lock = asyncio.Lock()
        return self._upstream_lock

    @property
    def live(self) -> str:
        return "push" if self.feed is not None and self.owner is not None else "poll"

    def client(self) -> AsyncChatRoutesClient:
        """The core client of the running event loop (made on first use)."""
        loop = id(asyncio.get_running_loop())
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = self.client_factory()
        return client

    def link(self, host: str, port: int) -> str:
        """The one link to print: ``http://host:port/?token=...`` (loopback name for a wildcard bind)."""
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/?token={self.sessions.token}"


def api_host(base_url: str) -> str:
    """Only scheme and host of a base URL (never a path, query or userinfo)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def context(request: Request) -> ExplorerContext:
    ctx: ExplorerContext = request.app.state.explorer
    return ctx


def session_of(request: Request) -> str | None:
    return request.cookies.get(COOKIE)


def error_body(message: str, status: int, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "status": status, "type": kind}}


def error_response(message: str, status: int, kind: str) -> JSONResponse:
    return JSONResponse(error_body(message, status, kind), status_code=status)


def map_error(exc: BaseException) -> tuple[str, int, str]:
    """(message, status, type) of an error: the upstream status when there is one, never a trace."""
    kind = type(exc).__name__
    if isinstance(exc, APIStatusError):
        return str(exc), exc.status_code, kind
    if isinstance(exc, UsageError):
        return str(exc), 400, kind
    if isinstance(exc, APIConnectionError):
        return str(exc), 502, kind
    if isinstance(exc, ChatRoutesError):
        status = getattr(exc, "status_code", None)
        return str(exc), status if isinstance(status, int) else 502, kind
    return "internal error in the explorer (see its log)", 500, kind
