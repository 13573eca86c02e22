"""``client.checkpoints``: list, create, delete, recreate (rows 20-23)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, require, segment
from ..models import Checkpoint
from ._base import AsyncAPIResource, SyncAPIResource, ack, in_conversation, one, text_or_params
from ._endpoint import async_endpoint, sync_endpoint

__all__ = ["AsyncCheckpoints", "Checkpoints"]


def _path(checkpoint_id: str, suffix: str = "") -> str:
    return f"/checkpoints/{segment(checkpoint_id, 'checkpoint_id')}{suffix}"


def list_(
    conversation_id: str,
    branch_id: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[builtins.list[Checkpoint]]:
    """Checkpoints of a conversation (optionally of one branch)."""
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
    """Summarise ``branch_id`` up to ``anchor_message_id``.

    Also callable as in the official SDK: ``create(conversation_id, branch_id, anchor_message_id)``.
    """
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
    """Delete a checkpoint."""
    return Call.make("DELETE", _path(checkpoint_id), ack).with_options(**options)


def recreate(
    checkpoint_id: str,
    *,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[Checkpoint]:
    """Regenerate a checkpoint's summary."""
    path = _path(checkpoint_id, "/recreate")
    call = Call.make("POST", path, one(Checkpoint, "checkpoint"), idempotency_key=idempotency_key)
    return call.with_options(**options)


class Checkpoints(SyncAPIResource):
    """Checkpoints (synchronous)."""

    list = sync_endpoint(list_)
    create = sync_endpoint(create)
    delete = sync_endpoint(delete)
    recreate = sync_endpoint(recreate)


class AsyncCheckpoints(AsyncAPIResource):
    """Checkpoints (asynchronous)."""

    list = async_endpoint(list_)
    create = async_endpoint(create)
    delete = async_endpoint(delete)
    recreate = async_endpoint(recreate)
