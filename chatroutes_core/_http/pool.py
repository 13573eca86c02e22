"""HTTP pools: one SSL context per process, httpx clients made on first use, sharded async pools.

Nothing here runs at construction of a ChatRoutes client: :class:`LazyHTTP` makes its httpx client on the
first request, with :func:`shared_ssl_context` (loaded once per process) instead of a CA bundle per pool.
"""

from __future__ import annotations

import ssl
import threading
import urllib.request
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

import httpx

from .._exceptions import UsageError
from .._types import Timeout

__all__ = [
    "LazyHTTP",
    "ShardedAsyncTransport",
    "default_async_http",
    "default_sync_http",
    "shared_ssl_context",
]


def shared_ssl_context() -> ssl.SSLContext:
    """The process's one verifying SSL context, made on first use (thread-safe).

    Loading the CA bundle is what makes ``httpx.Client()`` cost ~15 ms; every pool this package makes uses
    this context instead. It honours ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` as httpx does (read once).
    """
    context = _SSL[0] if _SSL else None
    if context is None:
        with _SSL_LOCK:
            if not _SSL:
                _SSL.append(httpx.create_ssl_context(trust_env=True))
            context = _SSL[0]
    return context


_SSL: list[ssl.SSLContext] = []  # the cache of shared_ssl_context(), guarded by _SSL_LOCK
_SSL_LOCK = threading.Lock()


def _proxies_in_environment() -> bool:
    return any(scheme != "no" for scheme in urllib.request.getproxies())  # "no" is NO_PROXY


def default_sync_http(timeout: Timeout) -> httpx.Client:
    """The ``httpx.Client`` a sync client makes for itself on its first request."""
    return httpx.Client(timeout=timeout, verify=shared_ssl_context())


def default_async_http(timeout: Timeout) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` an async client makes for itself on its first request.

    Pools are sharded (see :class:`ShardedAsyncTransport`) unless proxy environment variables are set:
    httpx applies those only to a client whose transport it builds itself.
    """
    if _proxies_in_environment():
        return httpx.AsyncClient(timeout=timeout, verify=shared_ssl_context())
    return httpx.AsyncClient(timeout=timeout, transport=ShardedAsyncTransport())


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Up to ``shards`` small connection pools, made as concurrency needs them; a request goes to the least
    busy one.

    httpcore's pool re-examines every connection for every waiting request each time a request starts or
    ends, so one pool serving tens of concurrent requests spends much of its CPU on bookkeeping: measured
    in ``make bench`` ("connection pools"), 64 concurrent sends at 250 ms latency cost about 1.6x the client
    CPU and 1.15x the wall time in one pool that they cost spread over 16. A pool is added only when every
    existing one is busy, so sequential use keeps one pool; all share :func:`shared_ssl_context`.
    """

    def __init__(self, shards: int = 16, limits: httpx.Limits | None = None) -> None:
        if shards < 1:
            raise ValueError("shards must be at least 1")
        total = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._limits = httpx.Limits(
            max_connections=None if total.max_connections is None else -(-total.max_connections // shards),
            max_keepalive_connections=None
            if total.max_keepalive_connections is None
            else -(-total.max_keepalive_connections // shards),
            keepalive_expiry=total.keepalive_expiry,
        )
        self.shards = shards
        self._pools: list[httpx.AsyncHTTPTransport] = []
        self._busy: list[int] = []

    def _pick(self) -> int:
        if self._busy:
            index = min(range(len(self._busy)), key=self._busy.__getitem__)
            if self._busy[index] == 0 or len(self._pools) == self.shards:
                return index
        self._pools.append(httpx.AsyncHTTPTransport(verify=shared_ssl_context(), limits=self._limits))
        self._busy.append(0)
        return len(self._pools) - 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = self._pick()  # no await between the pick and the increment: one loop, no race
        self._busy[index] += 1
        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            self._busy[index] -= 1
            raise
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _Released(stream, self._busy, index)
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that marks its pool one request less busy when closed (once)."""

    def __init__(self, stream: httpx.AsyncByteStream, busy: list[int], index: int) -> None:
        self._stream = stream
        self._busy = busy
        self._index: int | None = index

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._index is not None:
                self._busy[self._index] -= 1
                self._index = None


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class LazyHTTP(Generic[H]):
    """The httpx client behind a ChatRoutes client and its ``with_options`` copies.

    Made on the first request (under a lock: a sync client may be shared by threads), so constructing a
    ChatRoutes client does no I/O and loads nothing. A client given by the caller is used as is and never
    closed here; one made here is closed by :meth:`close` of the ChatRoutes client that made it.
    """

    def __init__(self, make: Callable[[], H] | None = None, given: H | None = None) -> None:
        if (make is None) == (given is None):
            raise ValueError("give exactly one of make= and given=")
        self._make: Callable[[], H] | None = make
        self._client: H | None = given
        self.owned = given is None
        self.closed = False
        self._lock = threading.Lock()

    def get(self) -> H:
        """The httpx client, made now if this is the first request."""
        client = self._client
        if client is None or self.closed:
            with self._lock:
                if self.closed:
                    raise UsageError("this client is closed; create a new one")
                if self._client is None:
                    assert self._make is not None
                    self._client = self._make()
                client = self._client
        return client

    @property
    def made(self) -> H | None:
        """The httpx client if it exists yet (never makes one)."""
        return self._client

    def release(self) -> H | None:
        """Mark closed; return the httpx client the caller must close (None: none made, or it was given)."""
        with self._lock:
            self.closed = True
            return self._client if self.owned else None
