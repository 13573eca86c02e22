"""One HTTP stack per process: the clients that adapters share when they were not given one.

:class:`ClientProvider` hands out :class:`ChatRoutesClient` / :class:`AsyncChatRoutesClient` instances keyed
by everything that changes what a request does: base URL, API key (by a SHA-256 digest, never the key itself),
timeout, max_retries, allow_insecure_http, retry_sends and parent_check, and for async clients also the
running event loop (an ``httpx.AsyncClient``'s pool belongs to one loop). Two keys never share a client,
a pool or a cookie jar. All clients of one base URL share one :class:`ServerInfo`, so what one learns about
the server (``enforces_parent_check``) the others know at once.

The clients it hands out are *shared*: their ``close()`` does nothing (an object closes what it created and
nothing it was given); :meth:`ClientProvider.close` / :meth:`ClientProvider.aclose` close them for real.
A lookup takes a lock, a digest and a dict lookup: a few microseconds, no I/O.

Example:
    >>> from chatroutes_core import shared_client, shared_async_client
    >>> client = shared_client()  # api_key / base_url: $CHATROUTES_API_KEY / $CHATROUTES_BASE_URL
    >>> client is shared_client()
    True
    >>> import asyncio
    >>> async def handler():
    ...     return shared_async_client()  # the one of this event loop
    >>> type(asyncio.run(handler())).__name__
    'AsyncChatRoutesClient'
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import SecretStr
from typing_extensions import Unpack

from ._client import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    AsyncChatRoutesClient,
    ChatRoutesClient,
    ClientOptions,
    check_options,
    clean_api_key,
)
from ._exceptions import ConfigurationError, UsageError
from ._http.request import check_timeout
from ._http.transport import ServerInfo
from ._types import DEFAULT_TIMEOUT, Timeout

__all__ = ["ClientProvider", "default_provider", "shared_async_client", "shared_client"]

C = TypeVar("C", ChatRoutesClient, AsyncChatRoutesClient)
Key = tuple[Hashable, ...]


def _timeout_key(timeout: Timeout) -> Hashable:
    # httpx.Timeout is not hashable; two equal timeouts must find the same client.
    if isinstance(timeout, httpx.Timeout):
        return ("timeout", timeout.connect, timeout.read, timeout.write, timeout.pool)
    return timeout


def _key_digest(api_key: str | SecretStr | None) -> str:
    # The key as the client will send it (stripped), so "k" and "k\n" (read from a file) share one client.
    key = clean_api_key(api_key) or clean_api_key(os.environ.get(API_KEY_ENV), API_KEY_ENV)
    return hashlib.sha256(key.get_secret_value().encode()).hexdigest() if key is not None else ""


@dataclass(frozen=True)
class _Wanted:
    """A lookup's options: the constructor's keywords (base URL resolved) and the key they are found by."""

    options: dict[str, Any] = field(repr=False)  # holds the API key
    url: str
    key: Key  # the key's SHA-256 digest, never the key

    @classmethod
    def of(cls, options: ClientOptions) -> _Wanted:
        check_options(options, "ClientProvider lookup")
        url = ClientProvider._url(options.get("base_url"))
        settings = (
            _timeout_key(check_timeout(options.get("timeout", DEFAULT_TIMEOUT), error=ConfigurationError)),
            options.get("max_retries", 2),
            options.get("allow_insecure_http", False),
            bool(options.get("retry_sends", False)),
            options.get("parent_check", "auto"),
        )
        return cls({**options, "base_url": url}, url, (url, _key_digest(options.get("api_key")), *settings))


class _LRU(OrderedDict[Key, C], Generic[C]):
    """At most ``size`` clients; the least recently used one is forgotten (not closed: it may be in use)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def find(self, key: Key) -> C | None:
        client = self.get(key)
        if client is not None:
            self.move_to_end(key)
        return client

    def keep(self, key: Key, client: C) -> None:
        self[key] = client
        while len(self) > self.size:
            self.popitem(last=False)


class ClientProvider:
    """Process-wide shared clients, keyed by options (and event loop, for async). Thread-safe.

    Args:
        max_clients: how many sync clients (and, per event loop, async clients) to keep; the least recently
            used is forgotten past it (a process serving many API keys stays bounded).

    ``client(**options)`` and ``async_client(**options)`` take the client constructor's options:
    ``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``allow_insecure_http``, ``retry_sends``,
    ``parent_check``. Missing ``api_key`` / ``base_url`` resolve from the environment at lookup time, as
    the clients do. ``async_client`` must be called with an event loop running (inside a coroutine).
    """

    def __init__(self, max_clients: int = 64) -> None:
        self._lock = threading.Lock()
        self._max = max_clients
        self._sync: _LRU[ChatRoutesClient] = _LRU(max_clients)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LRU[AsyncChatRoutesClient]] = (
            weakref.WeakKeyDictionary()
        )
        self._servers: dict[str, ServerInfo] = {}

    def __repr__(self) -> str:
        counts = f"sync_clients={len(self._sync)}, event_loops={len(self._async)}"
        return f"ClientProvider({counts}, servers={len(self._servers)})"

    # -- lookups ----------------------------------------------------------------------------------------

    def client(self, **options: Unpack[ClientOptions]) -> ChatRoutesClient:
        """The shared :class:`ChatRoutesClient` for these options (made on the first lookup, no I/O)."""
        wanted = _Wanted.of(options)
        with self._lock:
            return self._lookup(self._sync, ChatRoutesClient, wanted)

    def async_client(self, **options: Unpack[ClientOptions]) -> AsyncChatRoutesClient:
        """The shared :class:`AsyncChatRoutesClient` for these options *and the running event loop*.

        Raises :class:`UsageError` outside a running loop: an async pool belongs to the loop it serves, so
        look the client up where it is used (in the coroutine), not in a constructor.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise UsageError(
                "async_client() needs a running event loop: call it inside the coroutine that uses the client"
            ) from None
        wanted = _Wanted.of(options)
        with self._lock:
            clients = self._async.get(loop)
            if clients is None:
                self._forget_closed_loops()
                clients = self._async[loop] = _LRU(self._max)
            return self._lookup(clients, AsyncChatRoutesClient, wanted)

    def server_info(self, base_url: str | None = None) -> ServerInfo:
        """The one :class:`ServerInfo` of a base URL, shared by every client this provider hands out."""
        url = self._url(base_url)
        with self._lock:
            return self._server(url)

    # -- closing ----------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close every sync client handed out and forget them (a later lookup makes new ones)."""
        with self._lock:
            clients = list(self._sync.values())
            self._sync.clear()
        for client in clients:
            client._shared = False
            client.close()

    async def aclose(self) -> None:
        """Close the async clients of the running event loop and forget them."""
        loop = asyncio.get_running_loop()
        with self._lock:
            clients = list(self._async.pop(loop, {}).values())
        for client in clients:
            client._shared = False
            await client.close()

    # -- internals --------------------------------------------------------------------------------------

    @staticmethod
    def _url(base_url: str | None) -> str:
        return (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")

    def _server(self, url: str) -> ServerInfo:
        info = self._servers.get(url)
        if info is None:
            info = self._servers[url] = ServerInfo(url)
        return info

    def _lookup(self, clients: _LRU[C], cls: type[C], wanted: _Wanted) -> C:
        # under self._lock
        found = clients.find(wanted.key)
        if found is None:
            found = cls(**wanted.options, server_info=self._server(wanted.url))
            found._shared = True
            clients.keep(wanted.key, found)
        return found

    def _forget_closed_loops(self) -> None:
        # A loop that closed can never run its clients again; drop them (their sockets go with them).
        for loop in [loop for loop in self._async if loop.is_closed()]:
            del self._async[loop]

    def _after_fork(self) -> None:
        # A forked child must not reuse its parent's sockets: start empty (nothing is closed here).
        self._lock = threading.Lock()
        self._sync = _LRU(self._max)
        self._async = weakref.WeakKeyDictionary()


default_provider = ClientProvider()
"""The process-wide provider used by :func:`shared_client`, :func:`shared_async_client` and the adapters."""

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=default_provider._after_fork)


shared_client = default_provider.client
"""The process's shared sync client for these options: ``default_provider.client(**options)``."""

shared_async_client = default_provider.async_client
"""The shared async client for these options and the running loop: ``default_provider.async_client``."""
