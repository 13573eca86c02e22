"""Pure request/response logic: encode ids into paths, build bodies, unwrap envelopes, map errors.

Nothing here does I/O. A resource method builds a :class:`Call` (method, path, query, JSON body, how to
parse the result); a transport executes it; :func:`parse_result` turns the decoded JSON into a model or
raises :class:`APIResponseValidationError` (never a silently wrong result).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypedDict, TypeVar
from urllib.parse import quote

import httpx
import pydantic
from pydantic.alias_generators import to_camel

from .._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UsageError,
    ValidationError,
)
from .._types import NOT_GIVEN, NotGiven, Timeout
from . import deep_json
from .retry import is_idempotent

__all__ = [
    "Call",
    "CallOptions",
    "build_body",
    "check_generation",
    "check_id",
    "check_timeout",
    "error_from_response",
    "parse_result",
    "require",
    "segment",
    "unwrap",
]

T = TypeVar("T")


class CallOptions(TypedDict, total=False):
    """The per-call options every resource method takes as keywords (``**options`` in the specs).

    ``timeout`` replaces the client's for this call; ``extra_headers`` are added to the request's;
    ``extra_body`` keys are merged over the JSON body. See :meth:`Call.with_options`.
    """

    timeout: Timeout | NotGiven
    extra_headers: Mapping[str, str] | None
    extra_body: Mapping[str, Any] | None


@dataclass(frozen=True)
class Call(Generic[T]):
    """One logical API call, independent of the transport that will carry it.

    ``parse`` turns the decoded JSON body into the result. ``idempotency_key`` is set (once, here) for every
    POST, so that all attempts of the call carry the same key. ``timeout`` (when given) replaces the
    client's for this call; ``extra_headers`` are added to (and override) the client's headers; the
    per-call ``extra_body`` is merged into ``body`` by :meth:`with_options`.
    """

    method: str
    path: str
    parse: Callable[[Any], T]
    query: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    idempotency_key: str | None = None
    stream: bool = False
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    timeout: Timeout | NotGiven = NOT_GIVEN

    @classmethod
    def make(
        cls,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        stream: bool = False,
    ) -> Call[T]:
        if not is_idempotent(method):
            if idempotency_key is not None and not idempotency_key:
                raise UsageError("idempotency_key must be a non-empty string")
            idempotency_key = idempotency_key or str(uuid.uuid4())
            body = dict(body or {})
        elif idempotency_key is not None:
            raise UsageError("idempotency_key is only used on POST calls")
        clean_query = {k: v for k, v in (query or {}).items() if v is not None} or None
        return cls(method, path, parse, clean_query, body, idempotency_key, stream)

    def with_options(
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Call[T]:
        """This call with the per-call options applied (itself when none is given).

        ``extra_body`` keys are merged over the body (they win); a call that sends no body (GET, DELETE)
        refuses it with :class:`UsageError`, since nothing would carry it.
        """
        if isinstance(timeout, NotGiven) and not extra_headers and extra_body is None:
            return self
        changes: dict[str, Any] = {}
        if not isinstance(timeout, NotGiven):
            changes["timeout"] = check_timeout(timeout)
        if extra_headers:
            if not isinstance(extra_headers, Mapping):
                raise UsageError(f"extra_headers must be a dict, got {type(extra_headers).__name__}")
            changes["extra_headers"] = {**self.extra_headers, **extra_headers}
        if extra_body is not None:
            if not isinstance(extra_body, Mapping):
                raise UsageError(f"extra_body must be a dict, got {type(extra_body).__name__}")
            if self.body is None:
                raise UsageError(f"extra_body cannot be sent with {self.method} {self.path} (it has no body)")
            changes["body"] = {**self.body, **extra_body}
        return dataclasses.replace(self, **changes)


def check_timeout(
    timeout: object, source: str = "timeout", *, error: type[UsageError] = UsageError
) -> Timeout:
    """``timeout`` if it is seconds (a number >= 0), an ``httpx.Timeout`` whose parts are, or None; else
    ``error`` (:class:`UsageError`, or ``ConfigurationError`` for a client's option), before any request."""
    if timeout is None:
        return None
    if isinstance(timeout, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            _seconds(getattr(timeout, part), f"{source}.{part}", error, none_ok=True)
        return timeout
    return _seconds(timeout, source, error, none_ok=False)


def _seconds(value: object, source: str, error: type[UsageError], *, none_ok: bool) -> float | None:
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value < float("inf")):
        raise error(f"{source} must be a number of seconds >= 0, an httpx.Timeout or None, got {value!r}")
    return value


# Printable ASCII but the URL delimiters / ? # and the space: an id made of these needs no other check.
_PLAIN_ID = re.compile(r"[!-\x22$-.0-9:;<=>@-~]+")


def check_id(value: object, name: str) -> str:
    """``value`` as an id, or :class:`UsageError`: ids are opaque, but no ChatRoutes id is empty or holds
    whitespace, a control character or a URL delimiter (``/ ? #``), and none is ``.`` or ``..``."""
    if isinstance(value, str) and _PLAIN_ID.fullmatch(value) and value not in (".", ".."):
        return value  # the usual id (conv_…, a UUID): one match
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise UsageError(f"{name} must not be empty")
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise UsageError(f"{name} must not contain whitespace or control characters: {value!r}")
    if any(ch in "/?#" for ch in value) or value in (".", ".."):
        raise UsageError(f"{name} is not a ChatRoutes id (it holds a URL delimiter): {value!r}")
    return value


def segment(value: str, name: str) -> str:
    """An id (see :func:`check_id`) percent-encoded as one path segment (``%`` and non-ASCII characters).

    An id that could change the route (``../admin``, ``a/b?x#y``) is a :class:`UsageError` before any
    request, not a request to some other path.
    """
    return quote(check_id(value, name), safe="")


@functools.lru_cache(maxsize=512)
def _camel(key: str) -> str:
    return to_camel(key)  # a regex per call, so remember the few keys there are


MAX_TEMPERATURE = 2.0  # the API's documented range is 0.0-2.0 (some models accept less; the server says)

# Body fields that hold an id: the server looks them up, so they are checked as a path's ids are.
_ID_FIELDS = ("branchId", "parentMessageId", "forkPointMessageId", "anchorMessageId", "baseNodeId")


def check_generation(fields: Mapping[str, Any]) -> None:
    """Raise :class:`UsageError` unless ``temperature`` (0 to 2) and ``max_tokens`` (an int >= 1), when
    given (not None), are what the API accepts; either spelling (``maxTokens``) is read."""
    temperature = fields.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, (int, float))
        or not 0 <= temperature <= MAX_TEMPERATURE
    ):
        raise UsageError(f"temperature must be a number from 0 to {MAX_TEMPERATURE:g}, got {temperature!r}")
    for key in ("max_tokens", "maxTokens"):
        value = fields.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise UsageError(f"max_tokens must be an int >= 1, got {value!r}")


def build_body(params: Mapping[str, Any] | None, **kwargs: Any) -> dict[str, Any]:
    """Merge a camelCase params dict with snake_case keyword arguments (which win; None means "not given").

    Keys of ``params`` written in snake_case are converted to camelCase too, so both spellings work. An id
    field (``branchId``, ``parentMessageId``, ...) that is given must pass :func:`check_id`.
    """
    if params is not None and not isinstance(params, Mapping):
        raise UsageError(f"params must be a dict, got {type(params).__name__}")
    body: dict[str, Any] = {}
    for key, value in (params or {}).items():
        body[_camel(key) if "_" in key else key] = value
    for key, value in kwargs.items():
        if value is not None:
            body[_camel(key) if "_" in key else key] = value
    for key in _ID_FIELDS:
        if body.get(key) is not None:
            check_id(body[key], key)
    if "temperature" in body or "maxTokens" in body:
        check_generation(body)
    return body


def require(body: Mapping[str, Any], *keys: str) -> None:
    """Raise :class:`UsageError` (before any request) unless each field is a string that is not blank.

    A missing field says so; an empty or blank one (``content="  "``) says it must not be empty.
    """
    for key in keys:
        value = body.get(key)
        if value is None:
            raise UsageError(f"missing required argument {key!r}")
        if not isinstance(value, str):
            raise UsageError(f"{key} must be a string, got {type(value).__name__}")
        if not value.strip():
            raise UsageError(f"{key} must not be empty")


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of a 2xx response (None when empty), or :class:`APIResponseValidationError`."""
    if not response.content.strip():
        return None  # e.g. a 204 to a DELETE; parsers that need an object reject None
    try:
        return deep_json.loads(response.content)  # json.loads, and past its depth limit a parser without one
    except (ValueError, UnicodeDecodeError):
        ctype = response.headers.get("content-type", "?")
        raise APIResponseValidationError(
            f"expected a JSON body, got {ctype!r} ({len(response.content)} bytes)", response=response
        ) from None


def unwrap(payload: Any, key: str | None) -> Any:
    """Return the payload of an envelope.

    Accepts ``{"success": true, "data": {key: ...}}``, ``{"data": {...}}`` (when ``key`` is None), and the
    value at top level (``{key: ...}`` or the whole body, as GET /conversations sends). ``success: false``,
    a non-object body or a missing key raise :class:`APIResponseValidationError`.
    """
    if not isinstance(payload, dict):
        raise APIResponseValidationError(
            f"expected a JSON object, got {type(payload).__name__}", body=payload
        )
    if payload.get("success") is False:
        message = payload.get("message") or payload.get("error") or "success: false"
        raise APIResponseValidationError(f"the API reported failure: {message}", body=payload)
    data = payload.get("data")
    if key is None:
        return data if isinstance(data, dict) else payload
    if isinstance(data, dict) and key in data:
        return data[key]
    if key in payload:
        return payload[key]
    raise APIResponseValidationError(
        f"response has no {key!r} (looked in data.{key} and {key})", body=payload
    )


def parse_result(parse: Callable[[Any], T], payload: Any, response: httpx.Response | None = None) -> T:
    """Apply ``parse``; envelope and model validation failures become :class:`APIResponseValidationError`."""
    try:
        return parse(payload)
    except APIResponseValidationError as exc:
        exc.response = response
        exc.status_code = response.status_code if response is not None else None
        raise
    except pydantic.ValidationError as exc:
        raise APIResponseValidationError(
            f"response did not match the expected shape: {exc.error_count()} error(s), first: "
            f"{exc.errors()[0]['loc']} {exc.errors()[0]['msg']}",
            response=response,
            body=payload,
        ) from None


def error_body(response: httpx.Response) -> Any:
    """The decoded error body (JSON if possible, else text, else None)."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response.text or None


def error_from_response(
    response: httpx.Response, body: Any, *, secret: str | None = None, base_url: str | None = None
) -> APIStatusError:
    """Map a non-2xx response to the right :class:`APIStatusError` subclass.

    Message is body ``message`` or body ``error`` (or ``HTTP <status>``); ``code`` and ``details`` are kept.
    ``secret`` (the API key) is scrubbed from the message in case a server echoes it. A 404 from a
    ``base_url`` whose path lacks ``/api/v1`` says so (the commonest cause of a 404 on every call).
    """
    status = response.status_code
    fields = body if isinstance(body, dict) else {}
    text = fields.get("message") or fields.get("error") or (body if isinstance(body, str) else None)
    message = f"HTTP {status}: {str(text)[:500]}" if text else f"HTTP {status}"
    if status == 404 and base_url is not None and "/api/v1" not in httpx.URL(base_url).path:
        message += (
            f" (the base URL {base_url!r} has no '/api/v1': ChatRoutes serves its API under it, "
            "e.g. 'https://api.chatroutes.com/api/v1')"
        )
    if secret:
        message = message.replace(secret, "****")
    code = fields.get("code")
    kwargs: dict[str, Any] = {
        "response": response,
        "body": body,
        "code": code if isinstance(code, str) else None,
        "details": fields.get("details"),
    }
    if status == 429:
        return RateLimitError(message, **kwargs)  # retry_after is read from the response
    cls: type[APIStatusError]
    if status in (400, 422):
        cls = ValidationError
    elif status == 401:
        cls = AuthenticationError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 404:
        cls = NotFoundError
    elif status == 409:
        cls = ConflictError
    elif status == 413:
        cls = PayloadTooLargeError
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIStatusError
    return cls(message, **kwargs)
