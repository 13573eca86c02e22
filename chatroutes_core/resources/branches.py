"""``client.branches``: list, create, fork, update, delete, get_messages, merge, send_message (rows 12-19),
and ``get_history``, a branch's full history assembled from its ancestors."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, require, segment
from .._types import NOT_GIVEN, ContextMode, NotGiven, Timeout
from ..flows import Flow, arun, run
from ..models import Branch, Message, SendMessageResponse
from ._base import AsyncAPIResource, SyncAPIResource, ack, many, one
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
    body = build_body(params, title=title, description=description, context_mode=context_mode)
    call = Call.make("PATCH", _branch_path(conversation_id, branch_id), one(Branch, "branch"), body=body)
    return call.with_options(**options)


def delete(
    conversation_id: str,
    branch_id: str,
    **options: Unpack[CallOptions],
) -> Call[None]:
    call = Call.make("DELETE", _branch_path(conversation_id, branch_id), ack)
    return call.with_options(**options)


def get_messages(
    conversation_id: str,
    branch_id: str,
    **options: Unpack[CallOptions],
) -> Call[builtins.list[Message]]:
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
    return branch_history(conversation_id, branch_id, branches, options)


# fmt: off
class AsyncBranches(AsyncAPIResource):
    """Branches (asynchronous)."""

    async def list(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> builtins.list[Branch]:
        """Every branch of a conversation."""
        return await self._transport.send(list_(conversation_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def create(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            title: str | None = None, base_node_id: str | None = None, description: str | None = None,
            context_mode: ContextMode | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Create a branch (at message ``base_node_id``, or at the main branch's tip)."""
        return await self._transport.send(create(conversation_id, params, title=title,
            base_node_id=base_node_id, description=description, context_mode=context_mode,
            idempotency_key=idempotency_key, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def fork(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            fork_point_message_id: str | None = None, title: str | None = None,
            context_mode: ContextMode | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Fork a new branch at ``fork_point_message_id``."""
        return await self._transport.send(fork(conversation_id, params,
            fork_point_message_id=fork_point_message_id, title=title, context_mode=context_mode,
            idempotency_key=idempotency_key, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def update(self, conversation_id: str, branch_id: str, params: Mapping[str, Any] | None = None, *,
            title: str | None = None, description: str | None = None, context_mode: ContextMode | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Change a branch (e.g. its title)."""
        return await self._transport.send(update(conversation_id, branch_id, params, title=title,
            description=description, context_mode=context_mode, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def delete(self, conversation_id: str, branch_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a branch (the main branch cannot be deleted)."""
        return await self._transport.send(delete(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def get_messages(self, conversation_id: str, branch_id: str, *,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> builtins.list[Message]:
        """The messages the server returns for a branch."""
        return await self._transport.send(get_messages(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def merge(self, conversation_id: str, branch_id: str, *, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Merge a branch back."""
        return await self._transport.send(merge(conversation_id, branch_id, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    async def send_message(self, conversation_id: str, branch_id: str,
            params: Mapping[str, Any] | None = None, *, content: str | None = None, model: str | None = None,
            temperature: float | None = None, max_tokens: int | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> SendMessageResponse:
        """Send a user message on a branch (branch-scoped route); returns the reply like ``messages.send``."""
        return await self._transport.send(send_message(conversation_id, branch_id, params, content=content,
            model=model, temperature=temperature, max_tokens=max_tokens, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    async def get_history(self, conversation_id: str, branch_id: str, *,
            branches: Sequence[Branch] | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> builtins.list[Message]:
        """A branch's full history: its parent's up to the fork point, then its own; deduplicated by id.

        Every message's ``branch_id`` is ``branch_id`` (the branch it was seen through). Works whether or not
        the server already includes the inherited part (one request when it does and reports parents);
        ``branches`` saves the GET of the branch list when the history must be assembled. The per-call
        options apply to every request it makes.
        """
        flow = get_history(conversation_id, branch_id, branches=branches, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body)
        return await arun(flow, SimpleNamespace(branches=self))


# --- the sync twin below is generated from the class above (resources/_unasync.py): do not edit
# fmt: off
class Branches(SyncAPIResource):
    """Branches (synchronous)."""

    def list(self, conversation_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> builtins.list[Branch]:
        """Every branch of a conversation."""
        return self._transport.send(list_(conversation_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def create(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            title: str | None = None, base_node_id: str | None = None, description: str | None = None,
            context_mode: ContextMode | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Create a branch (at message ``base_node_id``, or at the main branch's tip)."""
        return self._transport.send(create(conversation_id, params, title=title,
            base_node_id=base_node_id, description=description, context_mode=context_mode,
            idempotency_key=idempotency_key, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def fork(self, conversation_id: str, params: Mapping[str, Any] | None = None, *,
            fork_point_message_id: str | None = None, title: str | None = None,
            context_mode: ContextMode | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Fork a new branch at ``fork_point_message_id``."""
        return self._transport.send(fork(conversation_id, params,
            fork_point_message_id=fork_point_message_id, title=title, context_mode=context_mode,
            idempotency_key=idempotency_key, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def update(self, conversation_id: str, branch_id: str, params: Mapping[str, Any] | None = None, *,
            title: str | None = None, description: str | None = None, context_mode: ContextMode | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Change a branch (e.g. its title)."""
        return self._transport.send(update(conversation_id, branch_id, params, title=title,
            description=description, context_mode=context_mode, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def delete(self, conversation_id: str, branch_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a branch (the main branch cannot be deleted)."""
        return self._transport.send(delete(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def get_messages(self, conversation_id: str, branch_id: str, *,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> builtins.list[Message]:
        """The messages the server returns for a branch."""
        return self._transport.send(get_messages(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def merge(self, conversation_id: str, branch_id: str, *, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Branch:
        """Merge a branch back."""
        return self._transport.send(merge(conversation_id, branch_id, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    def send_message(self, conversation_id: str, branch_id: str,
            params: Mapping[str, Any] | None = None, *, content: str | None = None, model: str | None = None,
            temperature: float | None = None, max_tokens: int | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> SendMessageResponse:
        """Send a user message on a branch (branch-scoped route); returns the reply like ``messages.send``."""
        return self._transport.send(send_message(conversation_id, branch_id, params, content=content,
            model=model, temperature=temperature, max_tokens=max_tokens, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    def get_history(self, conversation_id: str, branch_id: str, *,
            branches: Sequence[Branch] | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> builtins.list[Message]:
        """A branch's full history: its parent's up to the fork point, then its own; deduplicated by id.

        Every message's ``branch_id`` is ``branch_id`` (the branch it was seen through). Works whether or not
        the server already includes the inherited part (one request when it does and reports parents);
        ``branches`` saves the GET of the branch list when the history must be assembled. The per-call
        options apply to every request it makes.
        """
        flow = get_history(conversation_id, branch_id, branches=branches, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body)
        return run(flow, SimpleNamespace(branches=self))
