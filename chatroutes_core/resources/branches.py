"""``client.branches``: list, create, fork, update, delete, get_messages, merge, send_message (rows 12-19),
and ``get_history``, a branch's full history assembled from its ancestors."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, require, segment
from .._types import ContextMode
from ..flows import Flow
from ..models import Branch, Message, SendMessageResponse
from ._base import AsyncAPIResource, SyncAPIResource, ack, many, one
from ._endpoint import async_endpoint, async_flow, sync_endpoint, sync_flow
from ._history import branch_history

__all__ = ["AsyncBranches", "Branches"]


def _path(conversation_id: str, suffix: str) -> str:
    return f"/conversations/{segment(conversation_id, 'conversation_id')}{suffix}"


def _branch_path(conversation_id: str, branch_id: str, suffix: str = "") -> str:
    return _path(conversation_id, f"/branches/{segment(branch_id, 'branch_id')}{suffix}")


def list_(
    conversation_id: str,
    **options: Unpack[CallOptions],
) -> Call[builtins.list[Branch]]:
    """Every branch of a conversation."""
    call = Call.make("GET", _path(conversation_id, "/branches"), many(Branch, "branches"))
    return call.with_options(**options)


def create(
    conversation_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    base_node_id: str | None = None,
    description: str | None = None,
    context_mode: ContextMode | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Branch]:
    """Create a branch (at message ``base_node_id``, or at the main branch's tip)."""
    body = build_body(
        params, title=title, base_node_id=base_node_id, description=description, context_mode=context_mode
    )
    path, parse = _path(conversation_id, "/branches"), one(Branch, "branch")
    call = Call.make("POST", path, parse, body=body, idempotency_key=idempotency_key)
    return call.with_options(**options)


def fork(
    conversation_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    fork_point_message_id: str | None = None,
    title: str | None = None,
    context_mode: ContextMode | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Branch]:
    """Fork a new branch at ``fork_point_message_id``."""
    body = build_body(
        params, fork_point_message_id=fork_point_message_id, title=title, context_mode=context_mode
    )
    require(body, "forkPointMessageId")
    path, parse = _path(conversation_id, "/fork"), one(Branch, "branch")
    call = Call.make("POST", path, parse, body=body, idempotency_key=idempotency_key)
    return call.with_options(**options)


def update(
    conversation_id: str,
    branch_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    description: str | None = None,
    context_mode: ContextMode | None = None,
    **options: Unpack[CallOptions],
) -> Call[Branch]:
    """Change a branch (e.g. its title)."""
    body = build_body(params, title=title, description=description, context_mode=context_mode)
    call = Call.make("PATCH", _branch_path(conversation_id, branch_id), one(Branch, "branch"), body=body)
    return call.with_options(**options)


def delete(
    conversation_id: str,
    branch_id: str,
    **options: Unpack[CallOptions],
) -> Call[None]:
    """Delete a branch (the main branch cannot be deleted)."""
    call = Call.make("DELETE", _branch_path(conversation_id, branch_id), ack)
    return call.with_options(**options)


def get_messages(
    conversation_id: str,
    branch_id: str,
    **options: Unpack[CallOptions],
) -> Call[builtins.list[Message]]:
    """The messages the server returns for a branch."""
    path = _branch_path(conversation_id, branch_id, "/messages")
    call = Call.make("GET", path, many(Message, "messages"))
    return call.with_options(**options)


def merge(
    conversation_id: str,
    branch_id: str,
    *,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Branch]:
    """Merge a branch back."""
    path = _branch_path(conversation_id, branch_id, "/merge")
    call = Call.make("POST", path, one(Branch, "branch"), idempotency_key=idempotency_key)
    return call.with_options(**options)


def send_message(
    conversation_id: str,
    branch_id: str,
    params: Mapping[str, Any] | None = None,
    *,
    content: str | None = None,
    model: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[SendMessageResponse]:
    """Send a user message on a branch (branch-scoped route); returns the reply like ``messages.send``."""
    body = build_body(params, content=content, model=model, temperature=temperature, max_tokens=max_tokens)
    require(body, "content")
    path, parse = _branch_path(conversation_id, branch_id, "/messages"), one(SendMessageResponse, None)
    call = Call.make("POST", path, parse, body=body, idempotency_key=idempotency_key)
    return call.with_options(**options)


def get_history(
    conversation_id: str,
    branch_id: str,
    *,
    branches: Sequence[Branch] | None = None,
    **options: Unpack[CallOptions],
) -> Flow[builtins.list[Message]]:
    """A branch's full history: its parent's up to the fork point, then its own; deduplicated by id.

    Every message's ``branch_id`` is ``branch_id`` (the branch it was seen through). Works whether or not
    the server already includes the inherited part (one request when it does and reports parents);
    ``branches`` saves the GET of the branch list when the history must be assembled. The per-call
    options apply to every request it makes.
    """
    return branch_history(conversation_id, branch_id, branches, options)


class Branches(SyncAPIResource):
    """Branches (synchronous)."""

    list = sync_endpoint(list_)
    create = sync_endpoint(create)
    fork = sync_endpoint(fork)
    update = sync_endpoint(update)
    delete = sync_endpoint(delete)
    get_messages = sync_endpoint(get_messages)
    merge = sync_endpoint(merge)
    send_message = sync_endpoint(send_message)
    get_history = sync_flow(get_history, "branches")


class AsyncBranches(AsyncAPIResource):
    """Branches (asynchronous)."""

    list = async_endpoint(list_)
    create = async_endpoint(create)
    fork = async_endpoint(fork)
    update = async_endpoint(update)
    delete = async_endpoint(delete)
    get_messages = async_endpoint(get_messages)
    merge = async_endpoint(merge)
    send_message = async_endpoint(send_message)
    get_history = async_flow(get_history, "branches")
