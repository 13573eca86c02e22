"""Shared helpers of the resource modules: the parsers every endpoint uses, and the two resource bases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter

from .._exceptions import APIResponseValidationError, UsageError
from .._http.request import Call, segment, unwrap
from .._http.transport import AsyncTransport, SyncTransport

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class Pages(Generic[T]):
    """Pure paging plan: the next page's call (None when done) and the items of a page."""

    def __init__(self, first: Callable[[int], Call[Any]], items: Callable[[Any], list[T]],
                 last: Callable[[Any], bool]) -> None:  # fmt: skip
        self._call, self._items, self._last, self._page = first, items, last, 1

    def next_call(self) -> Call[Any] | None:
        return None if self._page == 0 else self._call(self._page)

    def items(self, result: Any) -> list[T]:
        self._page = 0 if self._last(result) else self._page + 1
        return self._items(result)


class SyncAPIResource:
    """Base of the synchronous resources: holds the transport."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class AsyncAPIResource:
    """Base of the asynchronous resources: holds the transport."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def one(model: type[M], key: str | None) -> Callable[[Any], M]:
    """Parser: the object at ``data.<key>`` (or ``data`` / top level when ``key`` is None)."""

    def parse(payload: Any) -> M:
        return model.model_validate(unwrap(payload, key))

    return parse


def many(model: type[M], key: str) -> Callable[[Any], list[M]]:
    """Parser: the list at ``data.<key>`` (or ``<key>`` at top level)."""
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]

    def parse(payload: Any) -> list[M]:
        items = unwrap(payload, key)
        if not isinstance(items, list):
            raise APIResponseValidationError(
                f"expected a list at {key!r}, got {type(items).__name__}", body=payload
            )
        result: list[M] = adapter.validate_python(items)
        return result

    return parse


def in_conversation(
    conversation_id: str, collection: str, model: type[M], branch_id: str | None
) -> Call[list[M]]:
    """``GET /conversations/{id}/<collection>``: a conversation's items, of one branch with ``branch_id``."""
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/{collection}"
    return Call.make("GET", path, many(model, collection), query={"branchId": branch_id})


def ack(payload: Any) -> None:
    """Parser for DELETE: any 2xx answer (even empty) unless it says ``success: false``."""
    if isinstance(payload, Mapping) and payload.get("success") is False:
        unwrap(payload, None)  # raises APIResponseValidationError with the server's message


def text_or_params(value: Mapping[str, Any] | str | None, key: str) -> Mapping[str, Any] | None:
    """The official SDK passes some fields positionally (``update(message_id, "new text")``): accept both."""
    if isinstance(value, str):
        return {key: value}
    if value is not None and not isinstance(value, Mapping):
        raise UsageError(f"expected a dict or a string, got {type(value).__name__}")
    return value
