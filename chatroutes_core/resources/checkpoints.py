"""``client.checkpoints``: list, create, delete, recreate (rows 20-23)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from .._request import Call, build_body, require, segment
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Checkpoint
from ._base import AsyncAPIResource, SyncAPIResource, ack, many, one, text_or_params

__all__ = ["AsyncCheckpoints", "Checkpoints"]


def _list(conversation_id: str, branch_id: str | None) -> Call[builtins.list[Checkpoint]]:
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/checkpoints"
    return Call.make("GET", path, many(Checkpoint, "checkpoints"), query={"branchId": branch_id})


def _create(
    conversation_id: str,
    params: Mapping[str, Any] | str | None,
    anchor_message_id: str | None,
    branch_id: str | None,
    key: str | None,
) -> Call[Checkpoint]:
    # The official SDK's signature is create(conversation_id, branch_id, anchor_message_id), all positional.
    body = build_body(
        text_or_params(params, "branchId"), branch_id=branch_id, anchor_message_id=anchor_message_id
    )
    require(body, "branchId", "anchorMessageId")
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/checkpoints"
    return Call.make("POST", path, one(Checkpoint, "checkpoint"), body=body, idempotency_key=key)


def _path(checkpoint_id: str, suffix: str = "") -> str:
    return f"/checkpoints/{segment(checkpoint_id, 'checkpoint_id')}{suffix}"


class Checkpoints(SyncAPIResource):
    """Checkpoints (synchronous)."""

    def list(
        self,
        conversation_id: str,
        branch_id: str | None = None,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Checkpoint]:
        """Checkpoints of a conversation (optionally of one branch)."""
        call = _list(conversation_id, branch_id)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def create(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | str | None = None,
        anchor_message_id: str | None = None,
        *,
        branch_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Checkpoint:
        """Summarise ``branch_id`` up to ``anchor_message_id``.

        Also callable as in the official SDK: ``create(conversation_id, branch_id, anchor_message_id)``.
        """
        call = _create(conversation_id, params, anchor_message_id, branch_id, idempotency_key)
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def delete(
        self,
        checkpoint_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a checkpoint."""
        call = Call.make("DELETE", _path(checkpoint_id), ack)
        self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    def recreate(
        self,
        checkpoint_id: str,
        *,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Checkpoint:
        """Regenerate a checkpoint's summary."""
        call = Call.make(
            "POST",
            _path(checkpoint_id, "/recreate"),
            one(Checkpoint, "checkpoint"),
            idempotency_key=idempotency_key,
        )
        return self._transport.send(call.with_options(timeout, extra_headers, extra_body))


class AsyncCheckpoints(AsyncAPIResource):
    """Checkpoints (asynchronous)."""

    async def list(
        self,
        conversation_id: str,
        branch_id: str | None = None,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> builtins.list[Checkpoint]:
        """Checkpoints of a conversation (optionally of one branch)."""
        call = _list(conversation_id, branch_id)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def create(
        self,
        conversation_id: str,
        params: Mapping[str, Any] | str | None = None,
        anchor_message_id: str | None = None,
        *,
        branch_id: str | None = None,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Checkpoint:
        """Summarise ``branch_id`` up to ``anchor_message_id``.

        Also callable as in the official SDK: ``create(conversation_id, branch_id, anchor_message_id)``.
        """
        call = _create(conversation_id, params, anchor_message_id, branch_id, idempotency_key)
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def delete(
        self,
        checkpoint_id: str,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a checkpoint."""
        call = Call.make("DELETE", _path(checkpoint_id), ack)
        await self._transport.send(call.with_options(timeout, extra_headers, extra_body))

    async def recreate(
        self,
        checkpoint_id: str,
        *,
        idempotency_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Checkpoint:
        """Regenerate a checkpoint's summary."""
        call = Call.make(
            "POST",
            _path(checkpoint_id, "/recreate"),
            one(Checkpoint, "checkpoint"),
            idempotency_key=idempotency_key,
        )
        return await self._transport.send(call.with_options(timeout, extra_headers, extra_body))
