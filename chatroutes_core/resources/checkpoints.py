"""``client.checkpoints``: list, create, delete, recreate (rows 20-23)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, require, segment
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import Checkpoint
from ._base import AsyncAPIResource, SyncAPIResource, ack, in_conversation, one, text_or_params

__all__ = ["AsyncCheckpoints", "Checkpoints"]


def _path(checkpoint_id: str, suffix: str = "") -> str:
    return f"/checkpoints/{segment(checkpoint_id, 'checkpoint_id')}{suffix}"


def list_(
    conversation_id: str,
    branch_id: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[builtins.list[Checkpoint]]:
    return in_conversation(conversation_id, "checkpoints", Checkpoint, branch_id).with_options(**options)


def create(
    conversation_id: str,
    params: Mapping[str, Any] | str | None = None,
    anchor_message_id: str | None = None,
    *,
    branch_id: str | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Checkpoint]:
    # The official SDK's signature is create(conversation_id, branch_id, anchor_message_id), all positional.
    body = build_body(
        text_or_params(params, "branchId"), branch_id=branch_id, anchor_message_id=anchor_message_id
    )
    require(body, "branchId", "anchorMessageId")
    path = f"/conversations/{segment(conversation_id, 'conversation_id')}/checkpoints"
    parse = one(Checkpoint, "checkpoint")
    call = Call.make("POST", path, parse, body=body, idempotency_key=idempotency_key)
    return call.with_options(**options)


def delete(
    checkpoint_id: str,
    **options: Unpack[CallOptions],
) -> Call[None]:
    return Call.make("DELETE", _path(checkpoint_id), ack).with_options(**options)


def recreate(
    checkpoint_id: str,
    *,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Checkpoint]:
    path = _path(checkpoint_id, "/recreate")
    call = Call.make("POST", path, one(Checkpoint, "checkpoint"), idempotency_key=idempotency_key)
    return call.with_options(**options)


# fmt: off
class AsyncCheckpoints(AsyncAPIResource):
    """Checkpoints (asynchronous)."""

    async def list(self, conversation_id: str, branch_id: str | None = None, *,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> builtins.list[Checkpoint]:
        """Checkpoints of a conversation (optionally of one branch)."""
        return await self._transport.send(list_(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def create(self, conversation_id: str, params: Mapping[str, Any] | str | None = None,
            anchor_message_id: str | None = None, *, branch_id: str | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Checkpoint:
        """Summarise ``branch_id`` up to ``anchor_message_id``.

        Also callable as in the official SDK: ``create(conversation_id, branch_id, anchor_message_id)``.
        """
        return await self._transport.send(create(conversation_id, params, anchor_message_id,
            branch_id=branch_id, idempotency_key=idempotency_key, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    async def delete(self, checkpoint_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a checkpoint."""
        return await self._transport.send(delete(checkpoint_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    async def recreate(self, checkpoint_id: str, *, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Checkpoint:
        """Regenerate a checkpoint's summary."""
        return await self._transport.send(recreate(checkpoint_id, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))


# --- the sync twin below is generated from the class above (resources/_unasync.py): do not edit
# fmt: off
class Checkpoints(SyncAPIResource):
    """Checkpoints (synchronous)."""

    def list(self, conversation_id: str, branch_id: str | None = None, *,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> builtins.list[Checkpoint]:
        """Checkpoints of a conversation (optionally of one branch)."""
        return self._transport.send(list_(conversation_id, branch_id, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def create(self, conversation_id: str, params: Mapping[str, Any] | str | None = None,
            anchor_message_id: str | None = None, *, branch_id: str | None = None,
            idempotency_key: str | None = None, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> Checkpoint:
        """Summarise ``branch_id`` up to ``anchor_message_id``.

        Also callable as in the official SDK: ``create(conversation_id, branch_id, anchor_message_id)``.
        """
        return self._transport.send(create(conversation_id, params, anchor_message_id,
            branch_id=branch_id, idempotency_key=idempotency_key, timeout=timeout,
            extra_headers=extra_headers, extra_body=extra_body))

    def delete(self, checkpoint_id: str, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> None:
        """Delete a checkpoint."""
        return self._transport.send(delete(checkpoint_id, timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))

    def recreate(self, checkpoint_id: str, *, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> Checkpoint:
        """Regenerate a checkpoint's summary."""
        return self._transport.send(recreate(checkpoint_id, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))
