"""``client.conversations``: create, list, iter_all, get, update, delete, get_tree (rows 1-6)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Literal

from .._request import Call, build_body, segment, unwrap
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Conversation, ConversationList, ConversationTree
from ._base import AsyncAPIResource, SyncAPIResource, ack, one

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


def _create(
    params: Mapping[str, Any] | None, title: str | None, model: str | None, key: str | None
) -> Call[Conversation]:
    body = build_body(params, title=title, model=model)
    return Call.make(
        "POST", "/conversations", one(Conversation, "conversation"), body=body, idempotency_key=key
    )


def _list(
    params: Mapping[str, Any] | None, page: int | None, limit: int | None, filter: str | None
) -> Call[ConversationList]:
    return Call.make(
        "GET", "/conversations", _parse_list, query=build_body(params, page=page, limit=limit, filter=filter)
    )


def _last_page(page: ConversationList, limit: int) -> bool:
    if not page.conversations:
        return True
    if page.has_next is not None:
        return not page.has_next
    if page.total is not None and page.page is not None and page.limit:
        return page.page * page.limit >= page.total
    return len(page.conversations) < limit


class Conversations(SyncAPIResource):
    """Conversations (synchronous)."""

    def create(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        model: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """Create a conversation (and its main branch)."""
        call = _create(params, title, model, idempotency_key)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def list(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        page: int | None = None,
        limit: int | None = None,
        filter: Filter | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ConversationList:
        """One page of conversations."""
        call = _list(params, page, limit, filter)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def iter_all(
        self,
        *,
        limit: int = 50,
        filter: Filter | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Iterator[Conversation]:
        """Every conversation, fetching page after page as the iteration proceeds (options apply to each)."""
        page = 1
        while True:
            result = self.list(
                page=page, limit=limit, filter=filter,
                timeout=timeout, extra_headers=extra_headers, extra_body=extra_body,
            )  # fmt: skip
            yield from result.conversations
            if _last_page(result, limit):
                return
            page += 1

    def get(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """A conversation with its messages and branches."""
        call = Call.make("GET", _path(conversation_id), one(Conversation, "conversation"))
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def update(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """Change a conversation (e.g. its title)."""
        body = build_body(params, title=title)
        call = Call.make("PATCH", _path(conversation_id), one(Conversation, "conversation"), body=body)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def delete(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a conversation."""
        call = Call.make("DELETE", _path(conversation_id), ack)
        self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def get_tree(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ConversationTree:
        """The branch tree of a conversation."""
        call = Call.make("GET", _path(conversation_id, "/tree"), one(ConversationTree, None))
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))


class AsyncConversations(AsyncAPIResource):
    """Conversations (asynchronous)."""

    async def create(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        model: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """Create a conversation (and its main branch)."""
        call = _create(params, title, model, idempotency_key)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def list(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        page: int | None = None,
        limit: int | None = None,
        filter: Filter | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ConversationList:
        """One page of conversations."""
        call = _list(params, page, limit, filter)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def iter_all(
        self,
        *,
        limit: int = 50,
        filter: Filter | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[Conversation]:
        """Every conversation, fetching page after page as the iteration proceeds (options apply to each)."""
        page = 1
        while True:
            result = await self.list(
                page=page, limit=limit, filter=filter,
                timeout=timeout, extra_headers=extra_headers, extra_body=extra_body,
            )  # fmt: skip
            for conversation in result.conversations:
                yield conversation
            if _last_page(result, limit):
                return
            page += 1

    async def get(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """A conversation with its messages and branches."""
        call = Call.make("GET", _path(conversation_id), one(Conversation, "conversation"))
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def update(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """Change a conversation (e.g. its title)."""
        body = build_body(params, title=title)
        call = Call.make("PATCH", _path(conversation_id), one(Conversation, "conversation"), body=body)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def delete(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a conversation."""
        call = Call.make("DELETE", _path(conversation_id), ack)
        await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def get_tree(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ConversationTree:
        """The branch tree of a conversation."""
        call = Call.make("GET", _path(conversation_id, "/tree"), one(ConversationTree, None))
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))
