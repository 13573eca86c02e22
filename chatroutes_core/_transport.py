"""The only I/O in the client: ``SyncTransport`` and ``AsyncTransport``, twins that differ by ``await``.

Each executes a :class:`~chatroutes_core._request.Call` with the retry policy of ``_retry.py``. This is the
one choke point where httpx errors become ours: only the ``httpx.TransportError`` family is mapped (to
``APIConnectionError`` / ``APITimeoutError``); anything else propagates untouched. Log records (logger
``"chatroutes"``, DEBUG) hold method, path, status and attempt, never headers or bodies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import random
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from ._exceptions import APIConnectionError, APITimeoutError, ConfigurationError
from ._request import Call, decode_json, error_body, error_from_response, parse_result
from ._retry import Failure, RetryPolicy, parse_retry_after
from ._types import Timeout
from ._version import __version__

__all__ = [
    "AsyncTransport",
    "ShardedAsyncTransport",
    "SyncTransport",
    "classify",
    "default_async_http",
    "map_transport_error",
    "validate_base_url",
]

T = TypeVar("T")
log = logging.getLogger("chatroutes")

USER_AGENT = f"chatroutes-integrations/{__version__} python-httpx/{httpx.__version__}"


def validate_base_url(url: str, *, allow_insecure_http: bool = False) -> str:
    """Return ``url`` without a trailing slash, or raise :class:`ConfigurationError`.

    Plain ``http`` is refused unless the host is loopback (the local server) or ``allow_insecure_http``:
    the API key would otherwise cross the network in clear text.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"invalid base_url {url!r}: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {url!r}")
    if parsed.scheme == "http" and not allow_insecure_http and not _is_loopback(parsed.host):
        raise ConfigurationError(
            f"refusing plain-http base_url {url!r} (the API key would travel unencrypted); use https, "
            "a loopback host, or pass allow_insecure_http=True"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def classify(exc: httpx.TransportError) -> Failure:
    """What a transport error proves: CONNECT means the request was never sent."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return Failure.CONNECT
    if isinstance(exc, httpx.TimeoutException):
        return Failure.TIMEOUT
    return Failure.NETWORK


def map_transport_error(exc: httpx.TransportError, secret: str | None = None) -> APIConnectionError:
    """``httpx.TimeoutException`` -> ``APITimeoutError``; other transport errors -> ``APIConnectionError``."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if secret:
        detail = detail.replace(secret, "****")
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:
        request = None
    error: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error = APITimeoutError(f"Request timed out ({detail}).", request=request)
    else:
        error = APIConnectionError(f"Connection error ({detail}).", request=request)
    error.__cause__ = exc
    return error


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Several small connection pools; each request goes to the least busy one.

    httpcore's pool re-examines every connection for every waiting request each time a request starts or
    ends (and polls idle sockets while doing so), so one pool serving tens of concurrent requests spends more
    CPU on bookkeeping than on HTTP: 64 concurrent sends cost about twice the client CPU of the same sends
    spread over 16 pools. Connections are still kept alive and reused; the limits are shared out.
    """

    def __init__(self, shards: int = 16, limits: httpx.Limits | None = None) -> None:
        if shards < 1:
            raise ValueError("shards must be at least 1")
        total = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        per_pool = httpx.Limits(
            max_connections=None if total.max_connections is None else -(-total.max_connections // shards),
            max_keepalive_connections=None
            if total.max_keepalive_connections is None
            else -(-total.max_keepalive_connections // shards),
            keepalive_expiry=total.keepalive_expiry,
        )
        self._pools = [httpx.AsyncHTTPTransport(limits=per_pool) for _ in range(shards)]
        self._busy = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._busy)), key=self._busy.__getitem__)
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


def default_async_http(timeout: Timeout) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` an async client builds for itself.

    Pools are sharded (see :class:`ShardedAsyncTransport`) unless proxy environment variables are set:
    httpx applies those only to a client whose transport it builds itself.
    """
    if any(scheme != "no" for scheme in urllib.request.getproxies()):  # "no" is NO_PROXY
        return httpx.AsyncClient(timeout=timeout)
    return httpx.AsyncClient(timeout=timeout, transport=ShardedAsyncTransport())


class _Base:
    """Everything the twins share: headers, request arguments, retry bookkeeping (no I/O)."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr | None,
        timeout: Timeout,
        policy: RetryPolicy,
        rng: Callable[[], float] | None,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = timeout
        self.policy = policy
        self.rng: Callable[[], float] = rng or random.random

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def secret(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key is not None else None

    def check_ready(self) -> None:
        """Raise :class:`ConfigurationError` if no API key is configured (before any request)."""
        if not self.secret:
            raise ConfigurationError(
                "no ChatRoutes API key: pass api_key=... or set the CHATROUTES_API_KEY environment variable"
            )

    def request_args(self, call: Call[Any]) -> dict[str, Any]:
        self.check_ready()
        headers = {
            "Authorization": f"ApiKey {self.secret}",
            "User-Agent": USER_AGENT,
            "Accept": "text/event-stream" if call.stream else "application/json",
        }
        content: bytes | None = None
        if call.body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(dict(call.body), ensure_ascii=False, separators=(",", ":")).encode()
        if call.idempotency_key:
            headers["Idempotency-Key"] = call.idempotency_key
        return {
            "method": call.method,
            "url": self.base_url + call.path,
            "params": dict(call.query) if call.query else None,
            "content": content,
            "headers": headers,
            "timeout": self.timeout,
        }

    def on_failure(
        self, call: Call[Any], exc: httpx.TransportError, retries: int
    ) -> tuple[float | None, Exception]:
        failure = classify(exc)
        delay = self.policy.after_failure(call.method, failure, retries, self.rng)
        log.debug(
            "%s %s -> %s (attempt %d)%s",
            call.method,
            call.path,
            type(exc).__name__,
            retries + 1,
            f", retrying in {delay:.2f}s" if delay is not None else "",
        )
        return delay, map_transport_error(exc, self.secret)

    def on_status(
        self, call: Call[Any], response: httpx.Response, retries: int
    ) -> tuple[float | None, Exception]:
        body = error_body(response)
        error = error_from_response(response, body, secret=self.secret)
        retry_after = parse_retry_after(response.headers, body)  # honoured on 503 as well as on 429
        delay = self.policy.after_status(call.method, response.status_code, retries, self.rng, retry_after)
        if delay is not None:
            log.debug("retrying %s %s in %.2fs", call.method, call.path, delay)
        return delay, error


class SyncTransport(_Base):
    """Executes calls on an ``httpx.Client`` with retries."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str,
        api_key: SecretStr | None,
        timeout: Timeout,
        policy: RetryPolicy,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(base_url=base_url, api_key=api_key, timeout=timeout, policy=policy, rng=rng)
        self.http = http
        self.sleep: Callable[[float], None] = sleep or time.sleep

    def send(self, call: Call[T]) -> T:
        """Execute ``call`` and parse its result."""
        response = self.open(call)
        try:
            payload = decode_json(response)
        finally:
            response.close()
        return parse_result(call.parse, payload, response)

    def open(self, call: Call[Any]) -> httpx.Response:
        """Send with retries; return the first 2xx response (body unread when ``call.stream``)."""
        retries = 0
        while True:
            request = self.http.build_request(**self.request_args(call))
            try:
                response = self.http.send(request, stream=call.stream)
            except httpx.TransportError as exc:
                delay, error = self.on_failure(call, exc, retries)
                if delay is None:
                    raise error from exc
            else:
                log.debug(
                    "%s %s -> %d (attempt %d)", call.method, call.path, response.status_code, retries + 1
                )
                if response.is_success:
                    return response
                try:
                    response.read()
                except httpx.TransportError:
                    pass  # the status alone decides
                finally:
                    response.close()
                delay, error = self.on_status(call, response, retries)
                if delay is None:
                    raise error
            self.sleep(delay)
            retries += 1


class AsyncTransport(_Base):
    """Executes calls on an ``httpx.AsyncClient`` with retries (the twin of :class:`SyncTransport`)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: SecretStr | None,
        timeout: Timeout,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(base_url=base_url, api_key=api_key, timeout=timeout, policy=policy, rng=rng)
        self.http = http
        self.sleep: Callable[[float], Awaitable[None]] = sleep or asyncio.sleep

    async def send(self, call: Call[T]) -> T:
        """Execute ``call`` and parse its result."""
        response = await self.open(call)
        try:
            payload = decode_json(response)
        finally:
            await response.aclose()
        return parse_result(call.parse, payload, response)

    async def open(self, call: Call[Any]) -> httpx.Response:
        """Send with retries; return the first 2xx response (body unread when ``call.stream``)."""
        retries = 0
        while True:
            request = self.http.build_request(**self.request_args(call))
            try:
                response = await self.http.send(request, stream=call.stream)
            except httpx.TransportError as exc:
                delay, error = self.on_failure(call, exc, retries)
                if delay is None:
                    raise error from exc
            else:
                log.debug(
                    "%s %s -> %d (attempt %d)", call.method, call.path, response.status_code, retries + 1
                )
                if response.is_success:
                    return response
                try:
                    await response.aread()
                except httpx.TransportError:
                    pass  # the status alone decides
                finally:
                    await response.aclose()
                delay, error = self.on_status(call, response, retries)
                if delay is None:
                    raise error
            await self.sleep(delay)
            retries += 1
