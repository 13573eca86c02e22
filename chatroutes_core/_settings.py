"""One way to get clients: :class:`ClientSettings` turns a class's client fields into its clients.

Every adapter class (chat model, LLM, chat history, chat store, router, compare) has the same fields: an API
key, a base URL, a timeout, a retry count, and optionally a client (sync and/or async) given by the caller.
Build a :class:`ClientSettings` from them *per call* (it is a small frozen object, a few microseconds, no
I/O) and ask it for the client: the one given, else the process-wide shared one for exactly these options
(:class:`~chatroutes_core.ClientProvider`). Because nothing is cached on the adapter, a field changed after
construction, or a copy with other fields, takes effect on the next call, on both paths.

Example:
    >>> settings = ClientSettings(timeout=30)  # api_key / base_url: from the environment when not given
    >>> client = settings.sync()
    >>> client is ClientSettings(timeout=30).sync()  # the same options: the same shared client
    True
    >>> import asyncio
    >>> async def handler():
    ...     return settings.async_()  # the shared client of the running event loop
    >>> type(asyncio.run(handler())).__name__
    'AsyncChatRoutesClient'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr

from ._client import AsyncChatRoutesClient, ChatRoutesClient, ClientOptions
from ._exceptions import ConfigurationError
from ._provider import ClientProvider, default_provider
from ._types import Timeout

__all__ = ["ClientSettings"]


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """A class's client fields, resolved to a client the same way everywhere.

    Args:
        api_key: the key (``None``: ``CHATROUTES_API_KEY``, read when a client is looked up).
        base_url: the API root (``None``: ``CHATROUTES_BASE_URL`` or the hosted API).
        timeout: seconds or an ``httpx.Timeout`` (``None``: the default; ``httpx.Timeout(None)``: no limit).
        max_retries: retries after the first attempt (``None``: the client default).
        allow_insecure_http: allow ``http://`` to a host that is not loopback (``None``: the default, no).
        client: a sync client given by the caller; :meth:`sync` returns it as is (the options above are then
            the caller's business).
        async_client: the same for :meth:`async_`.
        provider: where shared clients come from (``None``: :data:`~chatroutes_core.default_provider`).

    The key never appears in the repr.
    """

    api_key: str | SecretStr | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout: Timeout = None
    max_retries: int | None = None
    allow_insecure_http: bool | None = None
    client: ChatRoutesClient | None = field(default=None, repr=False)
    async_client: AsyncChatRoutesClient | None = field(default=None, repr=False)
    provider: ClientProvider | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        retries = self.max_retries
        if retries is not None and (isinstance(retries, bool) or not isinstance(retries, int) or retries < 0):
            raise ConfigurationError(f"max_retries must be an int >= 0, got {retries!r}")

    @classmethod
    def matching(cls, given: ChatRoutesClient | AsyncChatRoutesClient) -> ClientSettings:
        """Settings that return ``given`` for its mode and, for the other mode, the shared client that talks
        to the same server with the same key and options (a history given only a sync client, used async)."""
        timeout = given.timeout if given.timeout is not None else httpx.Timeout(None)
        sync = given if isinstance(given, ChatRoutesClient) else None
        other = given if isinstance(given, AsyncChatRoutesClient) else None
        return cls(given.api_key, given.base_url, timeout, given.max_retries, given.allow_insecure_http,
                   client=sync, async_client=other)  # fmt: skip

    @classmethod
    def given_or(
        cls,
        client: ChatRoutesClient | None,
        async_client: AsyncChatRoutesClient | None,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: Timeout = None,
        max_retries: int | None = None,
    ) -> ClientSettings:
        """The clients given (a missing mode :meth:`matching` the given one), else these fields: what a chat
        history or a chat store, which take clients or fields, resolves its clients from."""
        given = client or async_client
        if given is None:
            return cls(api_key, base_url, timeout, max_retries)
        matched = cls.matching(given)
        if client is None or async_client is None:
            return matched
        return cls(matched.api_key, matched.base_url, matched.timeout, matched.max_retries,
                   matched.allow_insecure_http, client=client, async_client=async_client)  # fmt: skip

    def options(self) -> ClientOptions:
        """The lookup options: only the fields that were given (the rest stay the client's defaults)."""
        options: ClientOptions = {}
        if self.api_key is not None:
            options["api_key"] = self.api_key
        if self.base_url is not None:
            options["base_url"] = self.base_url
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.max_retries is not None:
            options["max_retries"] = self.max_retries
        if self.allow_insecure_http is not None:
            options["allow_insecure_http"] = self.allow_insecure_http
        return options

    def sync(self) -> ChatRoutesClient:
        """The given sync client, else the shared one for these options (made on first use, no I/O)."""
        if self.client is not None:
            return self.client
        return self._provider().client(**self.options())

    def async_(self) -> AsyncChatRoutesClient:
        """The given async client, else the shared one for these options and the running event loop.

        Raises :class:`~chatroutes_core.UsageError` outside a running loop (look it up in the coroutine).
        """
        if self.async_client is not None:
            return self.async_client
        return self._provider().async_client(**self.options())

    def _provider(self) -> ClientProvider:
        return self.provider if self.provider is not None else default_provider
