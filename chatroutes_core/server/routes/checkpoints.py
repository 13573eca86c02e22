"""Checkpoints: a deterministic summary of a branch's history up to an anchor message (camelCase JSON)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..bodies import CreateCheckpointBody
from ..context import summarize
from ..errors import ApiError
from ..tokens import estimate_tokens
from ..wire import checkpoint_json, ok
from .deps import Idem, Owner, Scope, State, require_branch, require_checkpoint, require_conversation

router = APIRouter(tags=["checkpoints"])


@router.get("/conversations/{conversation_id}/checkpoints")
async def list_checkpoints(state: State, scope: Scope) -> dict[str, Any]:
    rows = state.store.list_checkpoints(scope.conversation.id, scope.branch_id or None)
    return ok({"checkpoints": [checkpoint_json(cp) for cp in rows]})


@router.post("/conversations/{conversation_id}/checkpoints", status_code=201)
async def create_checkpoint(
    conversation_id: str, body: CreateCheckpointBody, state: State, idem: Idem
) -> dict[str, Any]:
    with state.store.atomic():  # every check in the transaction that writes
        conv = require_conversation(state, idem.owner, conversation_id)
        branch = require_branch(state, conv.id, body.branch_id)
        history = state.store.history(branch)
        index = next((i for i, m in enumerate(history) if m.id == body.anchor_message_id), None)
        if index is None:
            raise ApiError(400, "anchorMessageId is not a message in this branch's history")
        summary = summarize(history[: index + 1], branch.title)
        cp = state.store.create_checkpoint(
            conv.id, branch.id, body.anchor_message_id, summary, estimate_tokens(summary)
        )
        envelope = ok({"checkpoint": checkpoint_json(cp)})
        idem.save(201, envelope)
    return envelope


@router.delete("/checkpoints/{checkpoint_id}")
async def delete_checkpoint(checkpoint_id: str, state: State, owner: Owner) -> dict[str, Any]:
    cp = require_checkpoint(state, owner, checkpoint_id)
    state.store.delete_checkpoint(cp.id)
    return {"success": True}


@router.post("/checkpoints/{checkpoint_id}/recreate")
async def recreate_checkpoint(checkpoint_id: str, state: State, idem: Idem) -> dict[str, Any]:
    """Re-summarise up to the branch's current tip (the anchor moves to the tip)."""
    with state.store.atomic():  # every check in the transaction that writes
        cp = require_checkpoint(state, idem.owner, checkpoint_id)
        branch = require_branch(state, cp.conversation_id, cp.branch_id)
        history = state.store.history(branch)
        if not history:
            raise ApiError(409, "The branch has no messages to summarise")
        summary = summarize(history, branch.title)
        state.store.update_checkpoint(cp.id, history[-1].id, summary, estimate_tokens(summary))
        updated = state.store.get_checkpoint(idem.owner, cp.id)
        assert updated is not None
        envelope = ok({"checkpoint": checkpoint_json(updated)})
        idem.save(200, envelope)
    return envelope
