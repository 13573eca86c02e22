"""``ChatRoutesClient`` and ``AsyncChatRoutesClient``: options, resources, lifecycle, ``with_options``.

Example:
    >>> from chatroutes_core import ChatRoutesClient
    >>> with ChatRoutesClient() as client:  # doctest: +SKIP
    ...     conv = client.conversations.create(title="Plans")
    ...     reply = client.messages.send(conv.id, content="Hello")
    ...     print(reply.message.content)
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from functools import cached_property
from types import TracebackType
from typing import Any

import httpx
from pydantic import SecretStr
from typing_extensions import Self

from ._exceptions import ConfigurationError
from ._retry import RetryPolicy
from ._transport import AsyncTransport, SyncTransport, default_async_http, validate_base_url
from ._types import DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven, Timeout
from .resources import (
    AsyncAutoBranch,
    AsyncBranches,
    AsyncCheckpoints,
    AsyncConversations,
    AsyncMessages,
    AutoBranch,
    Branches,
    Checkpoints,
    Conversations,
    Messages,
)

__all__ = ["DEFAULT_BASE_URL", "AsyncChatRoutesClient", "ChatRoutesClient"]

DEFAULT_BASE_URL = "https://api.chatroutes.com/api/v1"
API_KEY_ENV = "CHATROUTES_API_KEY"
BASE_URL_ENV = "CHATROUTES_BASE_URL"


def _resolve(
    api_key: str | SecretStr | None, base_url: str | None, max_retries: int, allow_insecure_http: bool
) -> tuple[SecretStr | None, str]:
    if isinstance(api_key, str):
        api_key = SecretStr(api_key) if api_key else None
    if api_key is None and os.environ.get(API_KEY_ENV):
        api_key = SecretStr(os.environ[API_KEY_ENV])
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return api_key, validate_base_url(url, allow_insecure_http=allow_insecure_http)


def _masked(key: SecretStr | None) -> str:
    if key is None:
        return "None"
    value = key.get_secret_value()
    return f"'{value[:3]}****'" if len(value) > 12 else "'****'"


class _ClientOptions:
    """The options both clients share, and their ``repr`` (which never shows the key)."""

    _api_key: SecretStr | None
    base_url: str
    timeout: Timeout
    max_retries: int
    allow_insecure_http: bool

    def _set_options(
        self,
        api_key: str | SecretStr | None,
        base_url: str | None,
        timeout: Timeout,
        max_retries: int,
        allow_insecure_http: bool,
    ) -> None:
        self._api_key, self.base_url = _resolve(api_key, base_url, max_retries, allow_insecure_http)
        self.timeout = timeout
        self.max_retries = max_retries
        self.allow_insecure_http = allow_insecure_http

    @property
    def api_key(self) -> str | None:
        """The API key in use (never shown by ``repr``)."""
        return self._api_key.get_secret_value() if self._api_key is not None else None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(api_key={_masked(self._api_key)}, base_url={self.base_url!r}, "
            f"max_retries={self.max_retries})"
        )

    def _changed(self, **changes: Any) -> dict[str, Any]:
        current: dict[str, Any] = {
            "api_key": self._api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "allow_insecure_http": self.allow_insecure_http,
        }
        current.update({k: v for k, v in changes.items() if not isinstance(v, NotGiven)})
        return current


class ChatRoutesClient(_ClientOptions):
    """Synchronous ChatRoutes client.

    Args:
        api_key: defaults to ``$CHATROUTES_API_KEY``; a missing key raises ``ConfigurationError`` at the first
            call, not here.
        base_url: defaults to ``$CHATROUTES_BASE_URL`` or ``https://api.chatroutes.com/api/v1``. Plain http
            is refused for non-loopback hosts unless ``allow_insecure_http=True``.
        timeout: seconds or ``httpx.Timeout`` (default: connect 5 s, 600 s between received chunks).
        max_retries: retries after the first attempt (see ``_retry.py`` for which calls and failures).
        http_client: your own ``httpx.Client`` (proxies, transports); it is not closed by ``close()``.
        sleep, rng: injectable ``time.sleep`` and ``random.random`` for the retry delays (tests).
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.Client | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        self._set_options(api_key, base_url, timeout, max_retries, allow_insecure_http)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout)
        self._sleep = sleep
        self._rng = rng
        self._transport = SyncTransport(
            self._http,
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=timeout,
            policy=RetryPolicy(max_retries=max_retries),
            sleep=sleep,
            rng=rng,
        )

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self._transport)

    @cached_property
    def messages(self) -> Messages:
        return Messages(self._transport)

    @cached_property
    def branches(self) -> Branches:
        return Branches(self._transport)

    @cached_property
    def checkpoints(self) -> Checkpoints:
        return Checkpoints(self._transport)

    @cached_property
    def autobranch(self) -> AutoBranch:
        return AutoBranch(self._transport)

    def with_options(
        self,
        *,
        api_key: str | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        allow_insecure_http: bool | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool (which it never closes)."""
        options = self._changed(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries,
            allow_insecure_http=allow_insecure_http,
        )  # fmt: skip
        return type(self)(http_client=self._http, sleep=self._sleep, rng=self._rng, **options)

    def close(self) -> None:
        """Close the connection pool (unless passed in as ``http_client`` or shared by ``with_options``)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncChatRoutesClient(_ClientOptions):
    """Asynchronous ChatRoutes client; the same methods as :class:`ChatRoutesClient`, awaited.

    Use ``async with AsyncChatRoutesClient() as client:`` or ``await client.close()``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
        allow_insecure_http: bool = False,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        self._set_options(api_key, base_url, timeout, max_retries, allow_insecure_http)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else default_async_http(timeout)
        self._sleep = sleep
        self._rng = rng
        self._transport = AsyncTransport(
            self._http,
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=timeout,
            policy=RetryPolicy(max_retries=max_retries),
            sleep=sleep,
            rng=rng,
        )

    @cached_property
    def conversations(self) -> AsyncConversations:
        return AsyncConversations(self._transport)

    @cached_property
    def messages(self) -> AsyncMessages:
        return AsyncMessages(self._transport)

    @cached_property
    def branches(self) -> AsyncBranches:
        return AsyncBranches(self._transport)

    @cached_property
    def checkpoints(self) -> AsyncCheckpoints:
        return AsyncCheckpoints(self._transport)

    @cached_property
    def autobranch(self) -> AsyncAutoBranch:
        return AsyncAutoBranch(self._transport)

    def with_options(
        self,
        *,
        api_key: str | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        allow_insecure_http: bool | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool (which it never closes)."""
        options = self._changed(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries,
            allow_insecure_http=allow_insecure_http,
        )  # fmt: skip
        return type(self)(http_client=self._http, sleep=self._sleep, rng=self._rng, **options)

    async def close(self) -> None:
        """Close the connection pool (unless passed in as ``http_client`` or shared by ``with_options``)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
