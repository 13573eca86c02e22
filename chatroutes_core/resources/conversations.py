"""``client.conversations``: create, list, iter_all, get, update, delete, get_tree (rows 1-6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, segment, unwrap
from ..models import Conversation, ConversationList, ConversationTree
from ._base import AsyncAPIResource, SyncAPIResource, ack, one
from ._endpoint import Pages, async_endpoint, async_pages, sync_endpoint, sync_pages

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
    """Create a conversation (and its main branch)."""
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
    """One page of conversations."""
    query = build_body(params, page=page, limit=limit, filter=filter)
    return Call.make("GET", "/conversations", _parse_list, query=query).with_options(**options)


def iter_all(
    *,
    limit: int = 50,
    filter: Filter | None = None,
    **options: Unpack[CallOptions],
) -> Pages[Conversation]:
    """Every conversation, fetching page after page as the iteration proceeds (options apply to each)."""
    return Pages(
        lambda page: list_(page=page, limit=limit, filter=filter, **options),
        lambda result: result.conversations,
        lambda result: _last_page(result, limit),
    )


def get(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[Conversation]:
    """A conversation with its messages and branches."""
    call = Call.make("GET", _path(conversation_id), one(Conversation, "conversation"))
    return call.with_options(**options)


def update(
    conversation_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Conversation]:
    """Change a conversation (e.g. its title)."""
    body = build_body(params, title=title)
    call = Call.make("PATCH", _path(conversation_id), one(Conversation, "conversation"), body=body)
    return call.with_options(**options)


def delete(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[None]:
    """Delete a conversation."""
    return Call.make("DELETE", _path(conversation_id), ack).with_options(**options)


def get_tree(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[ConversationTree]:
    """The branch tree of a conversation."""
    call = Call.make("GET", _path(conversation_id, "/tree"), one(ConversationTree, None))
    return call.with_options(**options)


class Conversations(SyncAPIResource):
    """Conversations (synchronous)."""

    create = sync_endpoint(create)
    list = sync_endpoint(list_)
    iter_all = sync_pages(iter_all)
    get = sync_endpoint(get)
    update = sync_endpoint(update)
    delete = sync_endpoint(delete)
    get_tree = sync_endpoint(get_tree)


class AsyncConversations(AsyncAPIResource):
    """Conversations (asynchronous)."""

    create = async_endpoint(create)
    list = async_endpoint(list_)
    iter_all = async_pages(iter_all)
    get = async_endpoint(get)
    update = async_endpoint(update)
    delete = async_endpoint(delete)
    get_tree = async_endpoint(get_tree)
