"""The only I/O in the client: ``SyncTransport`` and ``AsyncTransport``, twins that differ by ``await``.

Each executes a :class:`~chatroutes_core._http.request.Call` with the retry policy of ``retry.py`` on an httpx
client made on first use (``_pool.py``), and tells the call's :class:`ServerInfo` what each response says
about the server. This is the
one choke point where httpx errors become ours: only the ``httpx.TransportError`` family is mapped (to
``APIConnectionError`` / ``APITimeoutError``); anything else propagates untouched. Log records (logger
``"chatroutes"``, DEBUG) hold method, path, status and attempt, never headers or bodies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from .._exceptions import APIConnectionError, APITimeoutError, ConfigurationError, UsageError
from .._types import NotGiven, Timeout
from .._version import __version__
from .pool import LazyHTTP
from .progress import AsyncProgress, Progress, classify, request_sent, what_was_sent
from .request import Call, decode_json, error_body, error_from_response, parse_result
from .retry import RetryPolicy, parse_retry_after

__all__ = [
    "PARENT_CHECK_HEADER",
    "AsyncProgress",
    "AsyncTransport",
    "Progress",
    "ServerInfo",
    "SyncTransport",
    "classify",
    "map_transport_error",
    "missing_key_message",
    "request_sent",
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


def _encode_body(call: Call[Any]) -> bytes:
    """The JSON body as UTF-8, or :class:`UsageError` for text that is not valid Unicode (before sending)."""
    text = json.dumps(dict(call.body or {}), ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError as exc:
        raise UsageError(
            f"the body of {call.method} {call.path} holds text that is not valid Unicode (a lone surrogate "
            f"at character {exc.start} of its JSON); nothing was sent"
        ) from None


def map_transport_error(exc: httpx.TransportError, secret: str | None = None) -> APIConnectionError:
    """``httpx.TimeoutException`` -> ``APITimeoutError``; other transport errors -> ``APIConnectionError``.

    The message names the request that failed (``POST https://host/api/v1/...``; URLs never hold the key)
    and says what is known of it (:attr:`APIConnectionError.request_sent`): not sent, not sent whole, or
    sent whole with no response.
    """
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    try:
        request: httpx.Request | None = exc.request
    except RuntimeError:
        request = None
    target = f" calling {request.method} {request.url}" if request is not None else ""
    sent = request_sent(exc)
    kind = "Request timed out" if isinstance(exc, httpx.TimeoutException) else "Connection error"
    text = f"{kind}{target} ({detail}); {what_was_sent(exc, sent)}."
    if secret:
        text = text.replace(secret, "****")
    error: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error = APITimeoutError(text, request=request, request_sent=sent)
    else:
        error = APIConnectionError(text, request=request, request_sent=sent)
    error.__cause__ = exc
    return error


PARENT_CHECK_HEADER = "ChatRoutes-Parent-Check"


def missing_key_message(how: str) -> str:
    """What to do without an API key: give one (``how``: ``api_key=...`` for the library, ``--api-key KEY``
    for the command line) or the environment variable, or run the local server, which needs no account."""
    return (
        f"no ChatRoutes API key: pass {how} or set CHATROUTES_API_KEY. No account? Run a local "
        "ChatRoutes-compatible server with `chatroutes serve` (in another terminal) and paste the two "
        "`export` lines it prints (CHATROUTES_BASE_URL and CHATROUTES_API_KEY)"
    )


class ServerInfo:
    """What the clients have learned about the server at one base URL (shared by the provider's clients).

    ``parent_check``: True once a response carried ``ChatRoutes-Parent-Check: enforced`` (the server answers
    409 ``TIP_MOVED`` when a send's ``parentMessageId`` is not the branch tip); False once a 2xx came
    without it; None while nothing is known. A learned True is never undone by a later response without the
    header (an HTML error page from a proxy says nothing about the server behind it).
    """

    __slots__ = ("base_url", "parent_check")

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.parent_check: bool | None = None

    def observe(self, response: httpx.Response) -> None:
        value = response.headers.get(PARENT_CHECK_HEADER)
        if value is not None and value.strip().lower() == "enforced":
            self.parent_check = True
        elif self.parent_check is None and response.is_success:
            self.parent_check = False

    def __repr__(self) -> str:
        return f"ServerInfo(base_url={self.base_url!r}, parent_check={self.parent_check!r})"


class _Base:
    """Everything the twins share: headers, request arguments, retry bookkeeping (no I/O)."""

    is_async = False
    lazy_http: LazyHTTP[Any]
    sleep: Callable[[float], Any]

    def __init__(
        self,
        http: LazyHTTP[Any],
        *,
        base_url: str,
        api_key: SecretStr | None,
        timeout: Timeout,
        policy: RetryPolicy,
        sleep: Callable[[float], Any] | None = None,
        rng: Callable[[], float] | None = None,
        server: ServerInfo | None = None,
    ) -> None:
        self.lazy_http = http
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = timeout
        self.policy = policy
        self.sleep = sleep or (asyncio.sleep if self.is_async else time.sleep)
        self.rng: Callable[[], float] = rng or random.random
        self.server = server if server is not None else ServerInfo(base_url)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def secret(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key is not None else None

    def check_ready(self) -> None:
        """Raise :class:`ConfigurationError` if no API key is configured (before any request)."""
        if not self.secret:
            raise ConfigurationError(missing_key_message("api_key=..."))

    def attempts(
        self, call: Call[Any], http: httpx.Client | httpx.AsyncClient
    ) -> Iterator[tuple[int, httpx.Request]]:
        """The attempts at ``call``, endless: how many retries came before, and a fresh request."""
        for retries in itertools.count():
            yield retries, http.build_request(**self.request_args(call))

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
            content = _encode_body(call)
        if call.idempotency_key:
            headers["Idempotency-Key"] = call.idempotency_key
        if call.extra_headers:
            headers.update(call.extra_headers)
        return {
            "method": call.method,
            "url": self.base_url + call.path,
            "params": dict(call.query) if call.query else None,
            "content": content,
            "headers": headers,
            "timeout": self.timeout if isinstance(call.timeout, NotGiven) else call.timeout,
            # how far each attempt gets, so an error can say whether the request left (see Progress)
            "extensions": {"trace": AsyncProgress() if self.is_async else Progress()},
        }

    def delay_after_failure(self, call: Call[Any], exc: httpx.TransportError, retries: int) -> float:
        """How long to wait before retrying after ``exc``; raises our error when no retry is due."""
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
        if delay is None:
            raise map_transport_error(exc, self.secret) from exc
        return delay

    def accepted(self, call: Call[Any], response: httpx.Response, retries: int) -> bool:
        """Record what ``response`` says about the server; True for a 2xx."""
        log.debug("%s %s -> %d (attempt %d)", call.method, call.path, response.status_code, retries + 1)
        self.server.observe(response)
        return response.is_success

    def delay_after_status(self, call: Call[Any], response: httpx.Response, retries: int) -> float:
        """How long to wait before retrying a non-2xx (body read); raises its error when no retry is due."""
        body = error_body(response)
        error = error_from_response(response, body, secret=self.secret, base_url=self.base_url)
        retry_after = parse_retry_after(response.headers, body)  # honoured on 503 as well as on 429
        delay = self.policy.after_status(call.method, response.status_code, retries, self.rng, retry_after)
        if delay is None:
            raise error
        log.debug("retrying %s %s in %.2fs", call.method, call.path, delay)
        return delay


class SyncTransport(_Base):
    """Executes calls on an ``httpx.Client`` (made on first use) with retries."""

    lazy_http: LazyHTTP[httpx.Client]
    sleep: Callable[[float], None]

    @property
    def http(self) -> httpx.Client:
        return self.lazy_http.get()

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
        self.check_ready()  # before the pool is made: a client without a key never makes one
        http = self.http
        for retries, request in self.attempts(call, http):
            try:
                response = http.send(request, stream=call.stream)
            except httpx.TransportError as exc:
                self.sleep(self.delay_after_failure(call, exc, retries))
            else:
                if self.accepted(call, response, retries):
                    return response
                try:
                    response.read()
                except httpx.TransportError:
                    pass  # the status alone decides
                finally:
                    response.close()
                self.sleep(self.delay_after_status(call, response, retries))
        raise AssertionError("unreachable: attempts() never ends")


class AsyncTransport(_Base):
    """Executes calls on an ``httpx.AsyncClient`` (made on first use) with retries; the twin of
    :class:`SyncTransport`."""

    is_async = True
    lazy_http: LazyHTTP[httpx.AsyncClient]
    sleep: Callable[[float], Awaitable[None]]

    @property
    def http(self) -> httpx.AsyncClient:
        return self.lazy_http.get()

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
        self.check_ready()  # before the pool is made: a client without a key never makes one
        http = self.http
        for retries, request in self.attempts(call, http):
            try:
                response = await http.send(request, stream=call.stream)
            except httpx.TransportError as exc:
                await self.sleep(self.delay_after_failure(call, exc, retries))
            else:
                if self.accepted(call, response, retries):
                    return response
                try:
                    await response.aread()
                except httpx.TransportError:
                    pass  # the status alone decides
                finally:
                    await response.aclose()
                await self.sleep(self.delay_after_status(call, response, retries))
        raise AssertionError("unreachable: attempts() never ends")
