"""``client.conversations``: create, list, iter_all, get, update, delete, get_tree (rows 1-6)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Literal

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, segment, unwrap
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Conversation, ConversationList, ConversationTree
from ._base import AsyncAPIResource, Pages, SyncAPIResource, ack, one

__all__ = ["AsyncConversations", "Conversations"]

Filter = Literal["all", "owned", "shared"]


def _parse_list(payload: Any) -> ConversationList:
    # GET /conversations is sent unwrapped (top level) by the live API, wrapped under data by others.
    if isinstance(payload, dict) and "conversations" in payload and payload.get("success") is not False:
        return ConversationList.model_validate(
            {k: v for k, v in payload.items() if k not in ("data", "success")}
        )
    unwrap(payload, "conversations")  # raises when the key is missing everywhere
    return ConversationList.model_validate(unwrap(payload, None))


def _path(conversation_id: str, suffix: str = "") -> str:
    return f"/conversations/{segment(conversation_id, 'conversation_id')}{suffix}"


def _last_page(page: ConversationList, limit: int) -> bool:
    if not page.conversations:
        return True
    if page.has_next is not None:
        return not page.has_next
    if page.total is not None and page.page is not None and page.limit:
        return page.page * page.limit >= page.total
    return len(page.conversations) < limit


def create(
    params: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    model: str | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Conversation]:
    body = build_body(params, title=title, model=model)
    parse = one(Conversation, "conversation")
    call = Call.make("POST", "/conversations", parse, body=body, idempotency_key=idempotency_key)
    return call.with_options(**options)


def list_(
    params: Mapping[str, Any] | None = None,
    *,
    page: int | None = None,
    limit: int | None = None,
    filter: Filter | None = None,
    **options: Unpack[CallOptions],
) -> Call[ConversationList]:
    query = build_body(params, page=page, limit=limit, filter=filter)
    return Call.make("GET", "/conversations", _parse_list, query=query).with_options(**options)


def iter_all(
    *,
    limit: int = 50,
    filter: Filter | None = None,
    **options: Unpack[CallOptions],
) -> Pages[Conversation]:
    return Pages(
        lambda page: list_(page=page, limit=limit, filter=filter, **options),
        lambda result: result.conversations,
        lambda result: _last_page(result, limit),
    )


def get(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[Conversation]:
    call = Call.make("GET", _path(conversation_id), one(Conversation, "conversation"))
    return call.with_options(**options)


def update(
    conversation_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Conversation]:
    body = build_body(params, title=title)
    call = Call.make("PATCH", _path(conversation_id), one(Conversation, "conversation"), body=body)
    return call.with_options(**options)


def delete(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[None]:
    return Call.make("DELETE", _path(conversation_id), ack).with_options(**options)


def get_tree(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[ConversationTree]:
    call = Call.make("GET", _path(conversation_id, "/tree"), one(ConversationTree, None))
    return call.with_options(**options)


# fmt: off
class AsyncConversations(AsyncAPIResource):
    """Conversations (asynchronous)."""

    async def create(self, params: Mapping[str, Any] | None = None, *, title: str | None = None,
            model: str | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Conversation:
        """Create a conversation (and its main branch)."""
        return await self._transport.send(create(params, title=title, model=model,
            idempotency_key=idempotency_key, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def list(self, params: Mapping[str, Any] | None = None, *, page: int | None = None,
            limit: int | None = None, filter: Filter | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> ConversationList:
        """One page of conversations."""
        return await self._transport.send(list_(params, page=page, limit=limit, filter=filter,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    async def iter_all(self, *, limit: int = 50, filter: Filter | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> AsyncIterator[Conversation]:
        """Every conversation, fetching page after page as the iteration proceeds (options apply to each)."""
        pages = iter_all(limit=limit, filter=filter, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body)
        while (call := pages.next_call()) is not None:
            for item in pages.items(await self._transport.send(call)):
                yield item

    async def get(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Conversation:
        """A conversation with its messages and branches."""
        return await self._transport.send(get(conversation_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def update(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            title: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Conversation:
        """Change a conversation (e.g. its title)."""
        return await self._transport.send(update(conversation_id, params, title=title, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def delete(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a conversation."""
        return await self._transport.send(delete(conversation_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def get_tree(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> ConversationTree:
        """The branch tree of a conversation."""
        return await self._transport.send(get_tree(conversation_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))


# --- the sync twin below is generated from the class above (resources/_unasync.py): do not edit
# fmt: off
class Conversations(SyncAPIResource):
    """Conversations (synchronous)."""

    def create(self, params: Mapping[str, Any] | None = None, *, title: str | None = None,
            model: str | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Conversation:
        """Create a conversation (and its main branch)."""
        return self._transport.send(create(params, title=title, model=model,
            idempotency_key=idempotency_key, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def list(self, params: Mapping[str, Any] | None = None, *, page: int | None = None,
            limit: int | None = None, filter: Filter | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> ConversationList:
        """One page of conversations."""
        return self._transport.send(list_(params, page=page, limit=limit, filter=filter,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    def iter_all(self, *, limit: int = 50, filter: Filter | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Iterator[Conversation]:
        """Every conversation, fetching page after page as the iteration proceeds (options apply to each)."""
        pages = iter_all(limit=limit, filter=filter, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body)
        while (call := pages.next_call()) is not None:
            yield from pages.items(self._transport.send(call))

    def get(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Conversation:
        """A conversation with its messages and branches."""
        return self._transport.send(get(conversation_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def update(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            title: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Conversation:
        """Change a conversation (e.g. its title)."""
        return self._transport.send(update(conversation_id, params, title=title, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def delete(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a conversation."""
        return self._transport.send(delete(conversation_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def get_tree(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> ConversationTree:
        """The branch tree of a conversation."""
        return self._transport.send(get_tree(conversation_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))
