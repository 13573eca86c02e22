"""Core errors re-raised as classes that are also langchain-core ``ModelError``s.

Each class inherits the ``chatroutes_core`` error first and the langchain-core error second, so existing
``except chatroutes_core.RateLimitError`` clauses keep working and ``with_retry`` / ``is_retryable`` see the
provider-neutral type::

    ChatRoutesAuthenticationError     (AuthenticationError,      ModelAuthenticationError)
    ChatRoutesPermissionDeniedError   (PermissionDeniedError,    ModelPermissionDeniedError)
    ChatRoutesNotFoundError           (NotFoundError,            ModelNotFoundError)
    ChatRoutesInvalidRequestError     (ValidationError,          ModelInvalidRequestError)
    ChatRoutesConflictError           (ConflictError,            ModelInvalidRequestError)
    ChatRoutesRateLimitError          (RateLimitError,           ModelRateLimitError)        retryable
    ChatRoutesServerError             (ServerError,              ModelAPIError)              retryable
    ChatRoutesStatusError             (APIStatusError,           ModelAPIError)              other statuses
    ChatRoutesTimeoutError            (APITimeoutError,          ModelTimeoutError)          retryable
    ChatRoutesConnectionError         (APIConnectionError,       ModelConnectionError)       retryable
    ChatRoutesStreamInterruptedError  (StreamInterruptedError,   ModelConnectionError)       retryable
    ChatRoutesResponseValidationError (APIResponseValidationError, ModelAPIError)            retryable
    ChatRoutesConfigurationError      (ConfigurationError,       ModelError)
    ChatRoutesUsageError              (UsageError,               ModelError)                 bad input

Each is built through its core constructor from the core error's public attributes (``from_core``), and
raised ``from`` it. Every class is public, exported from ``langchain_chatroutes``.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from chatroutes_core._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ChatRoutesError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
    UsageError,
    ValidationError,
)

__all__ = [
    "ChatRoutesAuthenticationError",
    "ChatRoutesConfigurationError",
    "ChatRoutesConflictError",
    "ChatRoutesConnectionError",
    "ChatRoutesInvalidRequestError",
    "ChatRoutesNotFoundError",
    "ChatRoutesPermissionDeniedError",
    "ChatRoutesRateLimitError",
    "ChatRoutesResponseValidationError",
    "ChatRoutesServerError",
    "ChatRoutesStatusError",
    "ChatRoutesStreamInterruptedError",
    "ChatRoutesTimeoutError",
    "ChatRoutesUsageError",
    "to_model_error",
]


class ChatRoutesAuthenticationError(AuthenticationError, ModelAuthenticationError):
    is_retryable = False


class ChatRoutesPermissionDeniedError(PermissionDeniedError, ModelPermissionDeniedError):
    is_retryable = False


class ChatRoutesNotFoundError(NotFoundError, ModelNotFoundError):
    is_retryable = False


class ChatRoutesInvalidRequestError(ValidationError, ModelInvalidRequestError):
    is_retryable = False


class ChatRoutesConflictError(ConflictError, ModelInvalidRequestError):
    is_retryable = False


class ChatRoutesRateLimitError(RateLimitError, ModelRateLimitError):
    is_retryable = True


class ChatRoutesServerError(ServerError, ModelAPIError):
    is_retryable = True


class ChatRoutesStatusError(APIStatusError, ModelAPIError):
    """Any other status (405, 408, 413, 418, ...): retryable only where a retry can help."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]  # derived from the status, not a constant
        return self.status_code in (408, 425, 429) or self.status_code >= 500


class ChatRoutesTimeoutError(APITimeoutError, ModelTimeoutError):
    is_retryable = True


class ChatRoutesConnectionError(APIConnectionError, ModelConnectionError):
    is_retryable = True


class ChatRoutesStreamInterruptedError(StreamInterruptedError, ModelConnectionError):
    is_retryable = True


class ChatRoutesResponseValidationError(APIResponseValidationError, ModelAPIError):
    is_retryable = True


class ChatRoutesConfigurationError(ConfigurationError, ModelError):
    is_retryable = False


class ChatRoutesUsageError(UsageError, ModelError):
    is_retryable = False


# Most specific first: the first core class the error is an instance of picks the combined class.
_MAPPING: list[tuple[type[ChatRoutesError], type[ChatRoutesError]]] = [
    (AuthenticationError, ChatRoutesAuthenticationError),
    (PermissionDeniedError, ChatRoutesPermissionDeniedError),
    (NotFoundError, ChatRoutesNotFoundError),
    (ValidationError, ChatRoutesInvalidRequestError),
    (ConflictError, ChatRoutesConflictError),
    (RateLimitError, ChatRoutesRateLimitError),
    (ServerError, ChatRoutesServerError),
    (APIStatusError, ChatRoutesStatusError),
    (APITimeoutError, ChatRoutesTimeoutError),
    (APIConnectionError, ChatRoutesConnectionError),
    (StreamInterruptedError, ChatRoutesStreamInterruptedError),
    (APIResponseValidationError, ChatRoutesResponseValidationError),
    (ConfigurationError, ChatRoutesConfigurationError),
]


def _rebuilt(combined: type[ChatRoutesError], exc: ChatRoutesError) -> ChatRoutesError:
    """``exc`` as an instance of ``combined``, made by the core constructor from public attributes."""
    kwargs: dict[str, Any] = {}
    if isinstance(exc, APIStatusError):
        kwargs = {"response": exc.response, "body": exc.body, "code": exc.code, "details": exc.details}
        if isinstance(exc, RateLimitError):
            kwargs["retry_after"] = exc.retry_after
    elif isinstance(exc, APIConnectionError):
        kwargs = {"request": exc.request}
    elif isinstance(exc, APIResponseValidationError):
        kwargs = {"response": exc.response, "body": exc.body}
    elif isinstance(exc, StreamInterruptedError):
        kwargs = {"partial_text": exc.partial_text, "events": exc.events}
    make: Any = combined
    return cast(ChatRoutesError, make(exc.message, **kwargs))


def to_model_error(exc: ChatRoutesError) -> ChatRoutesError:
    """The same error as an instance of its combined class (``exc`` itself untouched; raise it ``from exc``).

    Errors raised before any request (``UsageError`` and its subclasses) are returned as they are: they are
    the caller's mistake, already a ``ValueError``, and keep their precise type.
    """
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, UsageError) and not isinstance(exc, ConfigurationError):
        return exc
    for core_class, combined in _MAPPING:
        if isinstance(exc, core_class):
            return _rebuilt(combined, exc)
    return exc
