"""Core errors re-raised as classes that are also langchain-core ``ModelError``s.

Each class inherits the ``chatroutes_core`` error first and the langchain-core error second, so existing
``except chatroutes_core.RateLimitError`` clauses keep working and ``with_retry`` / ``is_retryable`` see the
provider-neutral type::

    ChatRoutesAuthenticationError     (AuthenticationError,      ModelAuthenticationError)
    ChatRoutesPermissionDeniedError   (PermissionDeniedError,    ModelPermissionDeniedError)
    ChatRoutesNotFoundError           (NotFoundError,            ModelNotFoundError)
    ChatRoutesInvalidRequestError     (ValidationError,          ModelInvalidRequestError)
    ChatRoutesConflictError           (ConflictError,            ModelInvalidRequestError)
    ChatRoutesPayloadTooLargeError    (PayloadTooLargeError,     ModelInvalidRequestError)
    ChatRoutesRateLimitError          (RateLimitError,           ModelRateLimitError)        retryable
    ChatRoutesServerError             (ServerError,              ModelAPIError)              retryable
    ChatRoutesStatusError             (APIStatusError,           ModelAPIError)              other statuses
    ChatRoutesTimeoutError            (APITimeoutError,          ModelTimeoutError)          retryable
    ChatRoutesConnectionError         (APIConnectionError,       ModelConnectionError)       retryable
    ChatRoutesStreamInterruptedError  (StreamInterruptedError,   ModelConnectionError)       retryable
    ChatRoutesResponseValidationError (APIResponseValidationError, ModelAPIError)            retryable
    ChatRoutesConfigurationError      (ConfigurationError,       ModelError)
    ChatRoutesUsageError              (UsageError,               ModelError)                 bad input

``is_retryable`` is the langchain-core class's (the table's last column is what those classes say); only
``ChatRoutesStatusError`` derives it from the status. Each is built through its core constructor from
the core error's public attributes (``from_core``), and raised ``from`` it.
Every class is public, exported from ``langchain_chatroutes``.

The combined class is chosen by the error's *exact* class, so a converted error is always an instance of the
class it was: a subclass with no combined class of its own (``MappingError`` and below,
``UnsupportedModelError``, a caller's subclass) is returned unchanged rather than turned into its parent's
combined class. ``tests/langchain/test_errors.py`` checks this for every class of the core tree.
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

from chatroutes_core import errors as core


class ChatRoutesAuthenticationError(core.AuthenticationError, ModelAuthenticationError): ...


class ChatRoutesPermissionDeniedError(core.PermissionDeniedError, ModelPermissionDeniedError): ...


class ChatRoutesNotFoundError(core.NotFoundError, ModelNotFoundError): ...


class ChatRoutesInvalidRequestError(core.ValidationError, ModelInvalidRequestError): ...


class ChatRoutesConflictError(core.ConflictError, ModelInvalidRequestError): ...


class ChatRoutesPayloadTooLargeError(core.PayloadTooLargeError, ModelInvalidRequestError): ...


class ChatRoutesRateLimitError(core.RateLimitError, ModelRateLimitError): ...


class ChatRoutesServerError(core.ServerError, ModelAPIError): ...


class ChatRoutesStatusError(core.APIStatusError, ModelAPIError):
    """Any other status (405, 408, 418, ...): retryable only where a retry can help."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]  # derived from the status, not a constant
        return self.status_code in (408, 425, 429) or self.status_code >= 500


class ChatRoutesTimeoutError(core.APITimeoutError, ModelTimeoutError): ...


class ChatRoutesConnectionError(core.APIConnectionError, ModelConnectionError): ...


class ChatRoutesStreamInterruptedError(core.StreamInterruptedError, ModelConnectionError): ...


class ChatRoutesResponseValidationError(core.APIResponseValidationError, ModelAPIError): ...


class ChatRoutesConfigurationError(core.ConfigurationError, ModelError): ...


class ChatRoutesUsageError(core.UsageError, ModelError): ...


# One combined class per core class; ``to_model_error`` looks the error's exact class up here.
_COMBINED: dict[type[core.ChatRoutesError], type[core.ChatRoutesError]] = {
    combined.__bases__[0]: combined
    for combined in (
        ChatRoutesAuthenticationError,
        ChatRoutesPermissionDeniedError,
        ChatRoutesNotFoundError,
        ChatRoutesInvalidRequestError,
        ChatRoutesConflictError,
        ChatRoutesPayloadTooLargeError,
        ChatRoutesRateLimitError,
        ChatRoutesServerError,
        ChatRoutesStatusError,
        ChatRoutesTimeoutError,
        ChatRoutesConnectionError,
        ChatRoutesStreamInterruptedError,
        ChatRoutesResponseValidationError,
        ChatRoutesConfigurationError,
        ChatRoutesUsageError,
    )
}


def _rebuilt(combined: type[core.ChatRoutesError], exc: core.ChatRoutesError) -> core.ChatRoutesError:
    """``exc`` as an instance of ``combined``, made by the core constructor from public attributes."""
    kwargs: dict[str, Any] = {}
    if isinstance(exc, core.APIStatusError):
        kwargs = {"response": exc.response, "body": exc.body, "code": exc.code, "details": exc.details,
                  "retry_after": exc.retry_after}  # fmt: skip
    elif isinstance(exc, core.APIConnectionError):
        kwargs = {"request": exc.request}
    elif isinstance(exc, core.APIResponseValidationError):
        kwargs = {"response": exc.response, "body": exc.body}
    elif isinstance(exc, core.StreamInterruptedError):
        kwargs = {"partial_text": exc.partial_text, "events": exc.events}
    make: Any = combined
    return cast(core.ChatRoutesError, make(exc.message, **kwargs))


def to_model_error(exc: core.ChatRoutesError) -> core.ChatRoutesError:
    """The same error as an instance of its combined class (``exc`` itself untouched; raise it ``from exc``).

    The result is always an instance of ``type(exc)``. Errors raised before any request keep their precise
    type: a plain ``UsageError`` becomes ``ChatRoutesUsageError`` and a ``ConfigurationError``
    ``ChatRoutesConfigurationError`` (both still what they were, and a ``ValueError``); ``MappingError``
    and its subclasses have no combined class and are returned as they are.
    """
    if isinstance(exc, ModelError):
        return exc
    combined = _COMBINED.get(type(exc))
    return _rebuilt(combined, exc) if combined is not None else exc
