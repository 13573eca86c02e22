"""``client.branches``: list, create, fork, update, delete, get_messages, merge, send_message (rows 12-19),
and ``get_history``, a branch's full history assembled from its ancestors."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from .._flow import arun, run
from .._request import Call, build_body, require, require_content, segment
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Branch, Message, SendMessageResponse
from ._base import AsyncAPIResource, SyncAPIResource, ack, many, one

__all__ = ["AsyncBranches", "Branches"]


def _path(conversation_id: str, suffix: str) -> str:
    return f"/conversations/{segment(conversation_id, 'conversation_id')}{suffix}"


def _branch_path(conversation_id: str, branch_id: str, suffix: str = "") -> str:
    return _path(conversation_id, f"/branches/{segment(branch_id, 'branch_id')}{suffix}")


def _list(conversation_id: str) -> Call[builtins.list[Branch]]:
    return Call.make("GET", _path(conversation_id, "/branches"), many(Branch, "branches"))


def _create(
    conversation_id: str, params: Mapping[str, Any] | None, key: str | None, **fields: Any
) -> Call[Branch]:
    body = build_body(params, **fields)
    return Call.make(
        "POST", _path(conversation_id, "/branches"), one(Branch, "branch"), body=body, idempotency_key=key
    )


def _fork(
    conversation_id: str, params: Mapping[str, Any] | None, key: str | None, **fields: Any
) -> Call[Branch]:
    body = build_body(params, **fields)
    require(body, "forkPointMessageId")
    return Call.make(
        "POST", _path(conversation_id, "/fork"), one(Branch, "branch"), body=body, idempotency_key=key
    )


def _update(
    conversation_id: str, branch_id: str, params: Mapping[str, Any] | None, **fields: Any
) -> Call[Branch]:
    body = build_body(params, **fields)
    return Call.make("PATCH", _branch_path(conversation_id, branch_id), one(Branch, "branch"), body=body)


def _messages(conversation_id: str, branch_id: str) -> Call[builtins.list[Message]]:
    return Call.make("GET", _branch_path(conversation_id, branch_id, "/messages"), many(Message, "messages"))


def _merge(conversation_id: str, branch_id: str, key: str | None) -> Call[Branch]:
    path = _branch_path(conversation_id, branch_id, "/merge")
    return Call.make("POST", path, one(Branch, "branch"), idempotency_key=key)


def _send(
    conversation_id: str, branch_id: str, params: Mapping[str, Any] | None, key: str | None, **fields: Any
) -> Call[SendMessageResponse]:
    body = build_body(params, **fields)
    require_content(body)
    path = _branch_path(conversation_id, branch_id, "/messages")
    return Call.make("POST", path, one(SendMessageResponse, None), body=body, idempotency_key=key)


# --- get_history: pure pieces --------------------------------------------------------------------------


def _parent_to_fetch(branch: Branch | None, own: Sequence[Message], seen: set[str]) -> str | None:
    """The parent whose history must be prepended, or None when ``own`` is already complete.

    None when the branch is a root, has no fork point, would close a cycle, or when the server already
    included the inherited part (the fork point message is among the branch's own messages).
    """
    if branch is None or not branch.parent_branch_id or not branch.fork_point_message_id:
        return None
    if branch.parent_branch_id in seen or any(m.id == branch.fork_point_message_id for m in own):
        return None
    return branch.parent_branch_id


def _splice(
    parent_history: Sequence[Message], fork_point: str | None, own: Sequence[Message]
) -> list[Message]:
    """Parent history up to and including the fork point, then the branch's own messages."""
    prefix: list[Message] = []
    for message in parent_history:
        prefix.append(message)
        if message.id == fork_point:
            break
    else:
        prefix = []  # the fork point is not in the parent's history: do not guess an inherited part
    return [*prefix, *own]


def _finish(messages: Sequence[Message], branch_id: str) -> list[Message]:
    """Deduplicate by id (first wins); label every message with the branch it was seen through."""
    seen: set[str] = set()
    result: list[Message] = []
    for message in messages:
        if message.id in seen:
            continue
        seen.add(message.id)
        result.append(
            message if message.branch_id == branch_id else message.model_copy(update={"branch_id": branch_id})
        )
    return result


class Branches(SyncAPIResource):
    """Branches (synchronous)."""

    def list(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Branch]:
        """Every branch of a conversation."""
        call = _list(conversation_id)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def create(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        base_node_id: str | None = None,
        description: str | None = None,
        context_mode: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Create a branch (at message ``base_node_id``, or at the main branch's tip)."""
        call = _create(
            conversation_id, params, idempotency_key,
            title=title, base_node_id=base_node_id, description=description, context_mode=context_mode,
        )  # fmt: skip
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def fork(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        fork_point_message_id: str | None = None,
        title: str | None = None,
        context_mode: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Fork a new branch at ``fork_point_message_id``."""
        call = _fork(
            conversation_id, params, idempotency_key,
            fork_point_message_id=fork_point_message_id, title=title, context_mode=context_mode,
        )  # fmt: skip
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def update(
        self,
        conversation_id: str,
        branch_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        description: str | None = None,
        context_mode: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Change a branch (e.g. its title)."""
        call = _update(
            conversation_id,
            branch_id,
            params,
            title=title,
            description=description,
            context_mode=context_mode,
        )
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def delete(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a branch (the main branch cannot be deleted)."""
        call = Call.make("DELETE", _branch_path(conversation_id, branch_id), ack)
        self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def get_messages(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Message]:
        """The messages the server returns for a branch."""
        call = _messages(conversation_id, branch_id)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def merge(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Merge a branch back."""
        call = _merge(conversation_id, branch_id, idempotency_key)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def send_message(
        self,
        conversation_id: str,
        branch_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        content: str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SendMessageResponse:
        """Send a user message on a branch (branch-scoped route); returns the reply like ``messages.send``."""
        call = _send(
            conversation_id, branch_id, params, idempotency_key,
            content=content, model=model, temperature=temperature, max_tokens=max_tokens,
        )  # fmt: skip
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def get_history(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        branches: Sequence[Branch] | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Message]:
        """A branch's full history: its parent's up to the fork point, then its own; deduplicated by id.

        Every message's ``branch_id`` is ``branch_id`` (the branch it was seen through). Works whether or not
        the server already includes the inherited part (one request when it does and reports parents);
        ``branches`` saves the GET of the branch list when the history must be assembled. The per-call
        options apply to every request it makes.
        """
        options = {"timeout": timeout, "extra_headers": extra_headers, "extra_body": extra_body}
        flow = branch_history(conversation_id, branch_id, branches, options)
        return run(flow, SimpleNamespace(branches=self))

class AsyncBranches(AsyncAPIResource):
    """Branches (asynchronous)."""

    async def list(
        self,
        conversation_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Branch]:
        """Every branch of a conversation."""
        call = _list(conversation_id)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def create(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        base_node_id: str | None = None,
        description: str | None = None,
        context_mode: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Create a branch (at message ``base_node_id``, or at the main branch's tip)."""
        call = _create(
            conversation_id, params, idempotency_key,
            title=title, base_node_id=base_node_id, description=description, context_mode=context_mode,
        )  # fmt: skip
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def fork(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        fork_point_message_id: str | None = None,
        title: str | None = None,
        context_mode: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Fork a new branch at ``fork_point_message_id``."""
        call = _fork(
            conversation_id, params, idempotency_key,
            fork_point_message_id=fork_point_message_id, title=title, context_mode=context_mode,
        )  # fmt: skip
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def update(
        self,
        conversation_id: str,
        branch_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        title: str | None = None,
        description: str | None = None,
        context_mode: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Change a branch (e.g. its title)."""
        call = _update(
            conversation_id,
            branch_id,
            params,
            title=title,
            description=description,
            context_mode=context_mode,
        )
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def delete(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a branch (the main branch cannot be deleted)."""
        call = Call.make("DELETE", _branch_path(conversation_id, branch_id), ack)
        await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def get_messages(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Message]:
        """The messages the server returns for a branch."""
        call = _messages(conversation_id, branch_id)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def merge(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Branch:
        """Merge a branch back."""
        call = _merge(conversation_id, branch_id, idempotency_key)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def send_message(
        self,
        conversation_id: str,
        branch_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        content: str | None = None,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> SendMessageResponse:
        """Send a user message on a branch (branch-scoped route); returns the reply like ``messages.send``."""
        call = _send(
            conversation_id, branch_id, params, idempotency_key,
            content=content, model=model, temperature=temperature, max_tokens=max_tokens,
        )  # fmt: skip
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def get_history(
        self,
        conversation_id: str,
        branch_id: str,
        *,
        branches: Sequence[Branch] | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Message]:
        """A branch's full history: its parent's up to the fork point, then its own; deduplicated by id.

        Every message's ``branch_id`` is ``branch_id`` (the branch it was seen through). Works whether or not
        the server already includes the inherited part (one request when it does and reports parents);
        ``branches`` saves the GET of the branch list when the history must be assembled. The per-call
        options apply to every request it makes.
        """
        options = {"timeout": timeout, "extra_headers": extra_headers, "extra_body": extra_body}
        flow = branch_history(conversation_id, branch_id, branches, options)
        return await arun(flow, SimpleNamespace(branches=self))

def _assemble(chain: Sequence[tuple[Branch | None, Sequence[Message]]]) -> list[Message]:
    """Fold a child-to-root chain of (branch, own messages) into one history, root first."""
    history: list[Message] = list(chain[-1][1])
    for branch, own in reversed(chain[:-1]):
        history = _splice(history, branch.fork_point_message_id if branch else None, own)
    return history


from ._history import branch_history  # noqa: E402  (the flow uses this module's helpers)
