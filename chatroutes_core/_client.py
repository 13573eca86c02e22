"""``ChatRoutesClient`` and ``AsyncChatRoutesClient``: options, resources, lifecycle, ``with_options``.

Example:
    >>> from chatroutes_core import ChatRoutesClient
    >>> with ChatRoutesClient() as client:  # $CHATROUTES_API_KEY, $CHATROUTES_BASE_URL
    ...     conv = client.conversations.create(title="Plans")
    ...     reply = client.messages.send(conv.id, content="Hello")
    >>> reply.message.role, reply.usage.total_tokens > 0
    ('assistant', True)
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from types import TracebackType
from typing import Any, Generic, Literal, TypedDict, TypeVar, overload

import httpx
from pydantic import SecretStr
from typing_extensions import Self, Unpack

from . import resources
from ._exceptions import ConfigurationError
from ._http.pool import LazyHTTP, default_async_http, default_sync_http
from ._http.request import check_timeout
from ._http.retry import RetryPolicy
from ._http.transport import AsyncTransport, ServerInfo, SyncTransport, validate_base_url
from ._types import DEFAULT_TIMEOUT, NotGiven, Timeout

__all__ = ["DEFAULT_BASE_URL", "AsyncChatRoutesClient", "ChatRoutesClient", "ClientOptions", "ParentCheck"]

DEFAULT_BASE_URL = "https://api.chatroutes.com/api/v1"
API_KEY_ENV = "CHATROUTES_API_KEY"
BASE_URL_ENV = "CHATROUTES_BASE_URL"

ParentCheck = Literal["auto", "enforced", "off"]
_PARENT_CHECKS = ("auto", "enforced", "off")


class ClientOptions(TypedDict, total=False):
    """The options that decide what a client's requests do: the keywords a
    :class:`~chatroutes_core.ClientProvider` lookup takes (each as in the client constructor)."""

    api_key: str | SecretStr | None
    base_url: str | None
    timeout: Timeout
    max_retries: int
    allow_insecure_http: bool
    retry_sends: bool
    parent_check: ParentCheck


_OPTION_NAMES = frozenset(ClientOptions.__annotations__)


def check_options(options: Mapping[str, Any], caller: str) -> None:
    """Refuse a keyword that is not one of :class:`ClientOptions` (``TypeError``, as for any call)."""
    unknown = options.keys() - _OPTION_NAMES
    if unknown:
        raise TypeError(f"{caller} got unexpected option(s): {', '.join(sorted(unknown))}")


def clean_api_key(api_key: str | SecretStr | None, source: str = "api_key") -> SecretStr | None:
    """The key without surrounding whitespace (a key read from a file ends in ``\\n``), or None when blank.

    A key that still holds a control character or a non-ASCII character after that cannot go in a header:
    :class:`ConfigurationError` (at construction, before any request), naming the position, never the key.
    """
    if api_key is None:
        return None
    if isinstance(api_key, SecretStr):
        value = api_key.get_secret_value()
    elif isinstance(api_key, str):
        value = api_key
    else:
        raise ConfigurationError(f"{source} must be a string, got {type(api_key).__name__}")
    stripped = value.strip()
    if not stripped:
        return None
    for position, ch in enumerate(stripped):
        if not (" " <= ch <= "~"):
            kind = "a control character" if ch.isascii() or not ch.isprintable() else "a non-ASCII character"
            raise ConfigurationError(
                f"{source} holds {kind} at position {position} (of {len(stripped)}); an API key is printable "
                "ASCII (the key is not shown)"
            )
    return api_key if stripped == value and isinstance(api_key, SecretStr) else SecretStr(stripped)


def _resolve(
    api_key: str | SecretStr | None, base_url: str | None, max_retries: int, allow_insecure_http: bool
) -> tuple[SecretStr | None, str]:
    api_key = clean_api_key(api_key)
    if api_key is None and os.environ.get(API_KEY_ENV):
        api_key = clean_api_key(os.environ[API_KEY_ENV], API_KEY_ENV)
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
    return api_key, validate_base_url(url, allow_insecure_http=allow_insecure_http)


def _check_parent_check(value: str) -> None:
    if value not in _PARENT_CHECKS:
        raise ConfigurationError(f"parent_check must be one of {_PARENT_CHECKS}, got {value!r}")


def _masked(key: SecretStr | None) -> str:
    if key is None:
        return "None"
    value = key.get_secret_value()
    return f"'{value[:3]}****'" if len(value) > 12 else "'****'"


SyncR = TypeVar("SyncR")
AsyncR = TypeVar("AsyncR")


class _Resource(Generic[SyncR, AsyncR]):
    """A resource, made on first access and kept on the client (like ``cached_property``): the sync class
    on a :class:`ChatRoutesClient`, the async one on an :class:`AsyncChatRoutesClient`."""

    def __init__(self, sync: Callable[[Any], SyncR], async_: Callable[[Any], AsyncR]) -> None:
        self._sync, self._async = sync, async_

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Resource[SyncR, AsyncR]: ...
    @overload
    def __get__(self, obj: ChatRoutesClient, owner: type | None = None) -> SyncR: ...
    @overload
    def __get__(self, obj: AsyncChatRoutesClient, owner: type | None = None) -> AsyncR: ...
    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        transport = obj._transport  # type: ignore[attr-defined]
        make = self._async if transport.is_async else self._sync
        value = obj.__dict__[self._name] = make(transport)
        return value


H = TypeVar("H", httpx.Client, httpx.AsyncClient)
S = TypeVar("S")  # what the injected ``sleep`` returns: None, or an awaitable for the async client


class _ClientOptions(Generic[H, S]):
    """The options both clients share, their one ``__init__``, and their ``repr`` (which never shows the key).

    A subclass names its pool factory (``_default_http``) and its transport (``_transport_class``).
    """

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        http_client: H | None = None,
        allow_insecure_http: bool = False,
        retry_sends: bool = False,
        parent_check: ParentCheck = "auto",
        server_info: ServerInfo | None = None,
        sleep: Callable[[float], S] | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        self._set_options(
            api_key, base_url, timeout, max_retries, allow_insecure_http, retry_sends, parent_check,
            server_info,
        )  # fmt: skip
        self._lazy = (
            LazyHTTP(given=http_client)
            if http_client is not None
            else LazyHTTP(make=partial(self._default_http, timeout))
        )
        self._setup(sleep, rng)

    _default_http: Callable[[Timeout], H]

    conversations = _Resource(resources.Conversations, resources.AsyncConversations)
    messages = _Resource(resources.Messages, resources.AsyncMessages)
    branches = _Resource(resources.Branches, resources.AsyncBranches)
    checkpoints = _Resource(resources.Checkpoints, resources.AsyncCheckpoints)
    autobranch = _Resource(resources.AutoBranch, resources.AsyncAutoBranch)

    _api_key: SecretStr | None
    base_url: str
    timeout: Timeout
    max_retries: int
    allow_insecure_http: bool
    retry_sends: bool
    parent_check: ParentCheck
    _server: ServerInfo
    _shared: bool = False  # made by a ClientProvider: close() leaves it open (the provider closes it)

    def _set_options(
        self,
        api_key: str | SecretStr | None,
        base_url: str | None,
        timeout: Timeout,
        max_retries: int,
        allow_insecure_http: bool,
        retry_sends: bool,
        parent_check: ParentCheck,
        server_info: ServerInfo | None,
    ) -> None:
        self._api_key, self.base_url = _resolve(api_key, base_url, max_retries, allow_insecure_http)
        _check_parent_check(parent_check)
        self.timeout = check_timeout(timeout, error=ConfigurationError)
        self.max_retries = max_retries
        self.allow_insecure_http = allow_insecure_http
        self.retry_sends = bool(retry_sends)
        self.parent_check = parent_check
        if server_info is not None and server_info.base_url != self.base_url:
            raise ConfigurationError("server_info belongs to another base URL")
        self._server = server_info if server_info is not None else ServerInfo(self.base_url)
        self._policy = RetryPolicy(max_retries=max_retries, retry_sends=self.retry_sends)

    @property
    def api_key(self) -> str | None:
        """The API key in use (never shown by ``repr``)."""
        return self._api_key.get_secret_value() if self._api_key is not None else None

    @property
    def server_info(self) -> ServerInfo:
        """What this client (and every client sharing this object) learned about the server."""
        return self._server

    @property
    def enforces_parent_check(self) -> bool | None:
        """Whether the server rejects a send whose ``parent_message_id`` is not the branch tip (409).

        ``parent_check="enforced"`` / ``"off"`` force True / False. With ``"auto"``: True once a response
        carried ``ChatRoutes-Parent-Check: enforced``, False once a 2xx came without it, None before the
        first response. Costs an attribute read; never makes a request.
        """
        if self.parent_check == "enforced":
            return True
        if self.parent_check == "off":
            return False
        return self._server.parent_check

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
            "retry_sends": self.retry_sends,
            "parent_check": self.parent_check,
        }
        current.update({k: v for k, v in changes.items() if not isinstance(v, NotGiven)})
        # same server, same learned facts (a base URL from the environment is resolved the same way)
        same = isinstance(current["base_url"], str) and current["base_url"].rstrip("/") == self.base_url
        current["server_info"] = self._server if same else None
        return current

    _lazy: LazyHTTP[H]
    _transport_class: Callable[..., Any]

    def _setup(self, sleep: Callable[[float], Any] | None, rng: Callable[[], float] | None) -> None:
        self._sleep = sleep
        self._rng = rng
        self._owner = self._lazy.owned
        self._transport = self._transport_class(
            self._lazy,
            base_url=self.base_url,
            api_key=self._api_key,
            timeout=self.timeout,
            policy=self._policy,
            sleep=sleep,
            rng=rng,
            server=self._server,
        )

    @property
    def _http(self) -> H:
        """The connection pool (made now if no request has been sent yet)."""
        return self._lazy.get()

    def _release(self) -> H | None:
        """The pool ``close()`` closes: one this client made (not given, not a copy's, not shared)."""
        return self._lazy.release() if self._owner and not self._shared else None

    @property
    def is_closed(self) -> bool:
        """True after :meth:`close` of this client or of the client it was copied from."""
        return self._lazy.closed

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """The client itself: it is a connection pool, shared as the provider shares it (a model or an LLM
        deep-copied by a framework keeps using the same pool). ``with_options()`` makes a real copy."""
        return self

    def with_options(self, **changes: Unpack[ClientOptions]) -> Self:
        """A copy with some options changed (any of :class:`ClientOptions`: ``api_key``, ``base_url``,
        ``timeout``, ``max_retries``, ``allow_insecure_http``, ``retry_sends``, ``parent_check``), sharing
        this client's connection pool (which it never closes).

        Cheap: no pool is made; the copy uses this client's, made on the first request of either.
        """
        check_options(changes, "with_options()")
        options = self._changed(**changes)
        copy = type(self).__new__(type(self))
        copy._set_options(**options)
        copy._lazy = self._lazy
        copy._setup(self._sleep, self._rng)
        copy._owner = False
        return copy


class ChatRoutesClient(_ClientOptions[httpx.Client, None]):
    """Synchronous ChatRoutes client.

    Construction is cheap and does no I/O: the connection pool is made on the first request, with the
    process's one SSL context. For a client shared process-wide, see :class:`~chatroutes_core.ClientProvider`.

    Args:
        api_key: defaults to ``$CHATROUTES_API_KEY``; a missing key raises ``ConfigurationError`` at the first
            call, not here.
        base_url: defaults to ``$CHATROUTES_BASE_URL`` or ``https://api.chatroutes.com/api/v1``. Plain http
            is refused for non-loopback hosts unless ``allow_insecure_http=True``.
        timeout: seconds or ``httpx.Timeout`` (default: connect 5 s, 600 s between received chunks); every
            resource method also takes ``timeout=`` for one call.
        max_retries: retries after the first attempt (see ``_retry.py`` for which calls and failures).
        http_client: your own ``httpx.Client`` (proxies, transports); used as is and never closed by us.
        retry_sends: also retry creating POSTs (send, fork, create) after a 5xx or a timeout, with the same
            ``Idempotency-Key``. Only for servers that honour the key (the local server does); off by default,
            since a server that ignores it would store the message twice.
        parent_check: ``"auto"`` (learn from the ``ChatRoutes-Parent-Check`` response header), or force
            :attr:`enforces_parent_check` with ``"enforced"`` / ``"off"``.
        server_info: share what clients learn about a server (the provider passes one per base URL).
        sleep, rng: injectable ``time.sleep`` and ``random.random`` for the retry delays (tests).
    """

    _default_http = staticmethod(default_sync_http)
    _transport_class = SyncTransport
    _transport: SyncTransport

    def close(self) -> None:
        """Close the connection pool this client made (a given ``http_client`` and the pool of the client
        this one was copied from are left open; a client shared by a ClientProvider is closed by it)."""
        if (http := self._release()) is not None:
            http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncChatRoutesClient(_ClientOptions[httpx.AsyncClient, Awaitable[None]]):
    """Asynchronous ChatRoutes client; the same methods as :class:`ChatRoutesClient`, awaited.

    Use ``async with AsyncChatRoutesClient() as client:`` or ``await client.close()``. Construction is cheap
    and does no I/O; the pool is made on the first request and belongs to the event loop that made it
    (:class:`~chatroutes_core.ClientProvider` keeps one client per loop).
    """

    _default_http = staticmethod(default_async_http)
    _transport_class = AsyncTransport
    _transport: AsyncTransport

    async def close(self) -> None:
        """Close the connection pool this client made (see :meth:`ChatRoutesClient.close`)."""
        if (http := self._release()) is not None:
            await http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
