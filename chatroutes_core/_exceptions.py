"""Every error the packages raise, in one tree::

    ChatRoutesError
     ├── APIStatusError            the server answered with a non-2xx status
     │    ├── ValidationError           400, 422
     │    ├── AuthenticationError       401
     │    ├── PermissionDeniedError     403
     │    ├── NotFoundError             404 (says so when the base URL lacks ``/api/v1``)
     │    ├── ConflictError             409 (e.g. ``TIP_MOVED``: the parent message is no longer the tip)
     │    ├── PayloadTooLargeError      413 (the request body is over the server's limit)
     │    ├── RateLimitError            429 (``retry_after``: the server's hint in seconds, or None)
     │    └── ServerError               >= 500 (the real status is kept)
     ├── APIConnectionError        no usable response (DNS, refused, reset, protocol error); names the URL
     │    └── APITimeoutError           a connect/read/write/pool timeout
     ├── APIResponseValidationError a 2xx body that is not JSON, lacks the expected key, or says success:false
     ├── StreamInterruptedError    a stream that broke or ended before its ``complete`` event
     └── UsageError                bad input found before any request is sent; also a ``ValueError``
          ├── ConfigurationError        bad client setup: no API key, an insecure or malformed base URL,
          │    │                        a bad client option (``max_retries``, ``parent_check``)
          │    └── UnsupportedModelError     a model name the catalog does not know (``.unknown``)
          └── MappingError              a message list that cannot be mapped onto the conversation tree
               ├── UnsupportedMessageError   a non-text content block or an unknown role
               ├── EmptyTurnError            nothing to send (an empty list, a blank turn)
               └── ForeignMessageError       a message that does not belong to the conversation or branch
                                             it is used with (a history or store cannot store it)

``UsageError`` covers what the caller passed: an empty or blank ``content``, an empty id, a ``params`` that is
not a dict, ``extra_body`` on a call without a body, coroutine callbacks on the sync client.
``ConfigurationError`` sits *under* it: everything found before a request is a ``UsageError``, and the
setup problems among them are also a ``ConfigurationError`` (so ``except ConfigurationError`` keeps
catching a missing key or a refused URL, and ``except UsageError`` catches both).

``NetworkError`` is an alias of ``APIConnectionError`` (the official SDK's name). Only the
``httpx.TransportError`` family is turned into ``APIConnectionError``; any other exception (for example a
test harness's) propagates unchanged. No message ever contains the API key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from ._http.retry import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ChatRoutesError",
    "ConfigurationError",
    "ConflictError",
    "EmptyTurnError",
    "ForeignMessageError",
    "MappingError",
    "NetworkError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StreamInterruptedError",
    "UnsupportedMessageError",
    "UnsupportedModelError",
    "UsageError",
    "ValidationError",
]


class ChatRoutesError(Exception):
    """Base class of every error raised by ``chatroutes_core``."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIStatusError(ChatRoutesError):
    """The server answered with a non-2xx status.

    Attributes:
        status_code: the HTTP status.
        request / response: the httpx objects (the request's headers hold the key; they are never printed).
        body: the decoded JSON error body (or the raw text when it was not JSON).
        code: the body's ``code`` (e.g. ``QUOTA_EXCEEDED``), if any.
        details: the body's ``details``, if any.
        retry_after: the server's retry hint in seconds (``retry-after-ms``, ``Retry-After`` or the body's
            ``retryAfter``), or None; read from the response when not given. A 429 and a 503 carry it.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object = None,
        code: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.request = response.request
        self.status_code = response.status_code
        self.body = body
        self.code = code
        self.details = details
        self.retry_after = (
            retry_after if retry_after is not None else parse_retry_after(response.headers, body)
        )


class ValidationError(APIStatusError):
    """400 or 422: the request was rejected as invalid."""


class AuthenticationError(APIStatusError):
    """401: missing or wrong API key."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such conversation, branch, message or checkpoint (or it belongs to another key)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class PayloadTooLargeError(APIStatusError):
    """413: the request body is larger than the server accepts (nothing was stored)."""


class RateLimitError(APIStatusError):
    """429: too many requests or quota exhausted; ``retry_after`` is the server's hint in seconds."""


class ServerError(APIStatusError):
    """A 5xx answer; ``status_code`` is the real status (500, 502, 503, ...)."""


class APIConnectionError(ChatRoutesError):
    """No usable response: the connection failed or broke. The httpx error is the ``__cause__``.

    Attributes:
        request_sent: what is known of the request: False when it provably never reached the server whole
            (no connection, or the connection broke while it was being written: a server cannot act on
            part of a request), True when every byte was written and no response came (the server may have
            acted: a send may have stored the message), None when the transport did not say.
    """

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        request: httpx.Request | None = None,
        request_sent: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout."""

    def __init__(
        self,
        message: str = "Request timed out.",
        *,
        request: httpx.Request | None = None,
        request_sent: bool | None = None,
    ) -> None:
        super().__init__(message, request=request, request_sent=request_sent)


NetworkError = APIConnectionError


class APIResponseValidationError(ChatRoutesError):
    """A 2xx answer whose body is not what the endpoint promises (never returned as a wrong result)."""

    def __init__(self, message: str, *, response: httpx.Response | None = None, body: object = None) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code if response is not None else None
        self.body = body


class StreamInterruptedError(ChatRoutesError):
    """A stream broke, reported an error event, or ended without its ``complete`` event.

    Attributes:
        partial_text: the text received before the interruption.
        events: the typed events received before it.
    """

    def __init__(self, message: str, *, partial_text: str = "", events: list[Any] | None = None) -> None:
        super().__init__(message)
        self.partial_text = partial_text
        self.events: list[Any] = list(events or [])

    @property
    def text(self) -> str:
        """The text received before the interruption (the same as ``partial_text``)."""
        return self.partial_text


class UsageError(ChatRoutesError, ValueError):
    """Bad input found before any request was sent: empty content, an empty id, a misused option."""


class ConfigurationError(UsageError):
    """Bad client setup, raised before any request: no API key, an insecure or malformed base URL."""


class UnsupportedModelError(ConfigurationError):
    """A model name the catalog (``chatroutes_core.SUPPORTED_MODELS``) does not know; raised before any
    request. ``unknown`` lists the names."""

    def __init__(self, unknown: Sequence[str]) -> None:
        from ._catalog import (
            SUPPORTED_MODELS,
        )  # the catalog is data; imported late to keep this module a leaf

        names = ", ".join(repr(m) for m in unknown)
        plural = "s" if len(unknown) > 1 else ""
        super().__init__(
            f"unsupported model{plural} {names}; supported: {', '.join(SUPPORTED_MODELS)} "
            f"(to send a name the catalog does not know yet, list it in CHATROUTES_EXTRA_MODELS, "
            f"comma-separated)"
        )
        self.unknown = list(unknown)


class MappingError(UsageError):
    """A message list that cannot be mapped onto the conversation tree (raised before any request)."""


class UnsupportedMessageError(MappingError):
    """A non-text content block or an unknown role: the API takes text turns only."""


class EmptyTurnError(MappingError):
    """Nothing to send: the list is empty, blank, or has nothing after the last reply."""


class ForeignMessageError(MappingError):
    """A message used with a conversation or branch it does not belong to (found before any request)."""
