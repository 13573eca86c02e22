"""Branches: list, create, fork, update, delete, full-history messages, merge."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ..bodies import CreateBranchBody, ForkBody, UpdateBranchBody
from ..errors import ApiError, found, not_found
from ..state import ServerState
from ..store import BranchRow
from ..wire import branch_json, message_json, ok
from .deps import Idem, Idempotency, Owner, State, require_branch, require_conversation, require_main_branch

router = APIRouter(tags=["branches"])

_ForkFields = CreateBranchBody | ForkBody  # both carry title, description and context_mode


def _fork(
    state: ServerState, idem: Idempotency, conversation_id: str, message_id: str | None, body: _ForkFields
) -> dict[str, Any]:
    """The 201 envelope of a new branch forked at ``message_id`` (or at the main branch's tip when None)."""
    store = state.store
    conv = require_conversation(state, idem.owner, conversation_id)
    with store.atomic():
        if message_id is not None:
            message = found(store.find_message(conv.id, message_id), "Message")
            parent_id: str | None = message.branch_id
            fork_id: str | None = message.id
        else:
            main = require_main_branch(state, conv.id)
            history = store.history(main)
            parent_id = history[-1].branch_id if history else main.id
            fork_id = history[-1].id if history else None
        if parent_id is None or store.get_branch(conv.id, parent_id) is None:
            raise not_found("Branch")
        title = body.title.strip() if body.title else ""
        name = title or f"Branch {len(store.list_branches(conv.id))}"
        branch = store.create_branch(
            conv.id,
            title=name,
            parent_branch_id=parent_id,
            fork_point_message_id=fork_id,
            description=body.description,
            context_mode=body.context_mode or "FULL",
        )
        envelope = ok({"branch": branch_json(branch, store)})
        idem.save(201, envelope)
    return envelope


@router.get("/conversations/{conversation_id}/branches")
async def list_branches(conversation_id: str, state: State, owner: Owner) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    return ok({"branches": [branch_json(b, state.store) for b in state.store.list_branches(conv.id)]})


@router.post("/conversations/{conversation_id}/branches", status_code=201)
async def create_branch(
    conversation_id: str, body: CreateBranchBody, state: State, idem: Idem
) -> dict[str, Any]:
    return _fork(state, idem, conversation_id, body.base_node_id, body)


@router.post("/conversations/{conversation_id}/fork", status_code=201)
async def fork(conversation_id: str, body: ForkBody, state: State, idem: Idem) -> dict[str, Any]:
    return _fork(state, idem, conversation_id, body.fork_point_message_id, body)


@router.patch("/conversations/{conversation_id}/branches/{branch_id}")
async def update_branch(
    conversation_id: str, branch_id: str, body: UpdateBranchBody, state: State, owner: Owner
) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    branch = require_branch(state, conv.id, branch_id)
    if branch.is_main and body.is_active is False:
        raise ApiError(400, "The main branch cannot be deactivated")
    if body.title is not None and not body.title.strip():
        raise ApiError(400, "title must not be empty")
    state.store.update_branch(
        branch.id,
        title=body.title,
        description=body.description,
        context_mode=body.context_mode,
        is_active=body.is_active,
    )
    return ok({"branch": branch_json(require_branch(state, conv.id, branch_id), state.store)})


@router.delete("/conversations/{conversation_id}/branches/{branch_id}")
async def delete_branch(conversation_id: str, branch_id: str, state: State, owner: Owner) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    _deletable(require_branch(state, conv.id, branch_id), state)  # answers early; checked again below
    async with state.branch_locks(branch_id):
        # Every rule is checked again in the transaction that deletes: a fork at one of this branch's
        # messages may have committed while we waited for the branch (a stream holding it).
        with state.store.atomic():
            _deletable(require_branch(state, conv.id, branch_id), state)
            state.store.delete_branch(branch_id)
    return {"success": True}


def _deletable(branch: BranchRow, state: ServerState) -> None:
    if branch.is_main:
        raise ApiError(400, "The main branch cannot be deleted")
    if state.store.child_count(branch.id):
        raise ApiError(409, "Branch has child branches; delete them first")


@router.get("/conversations/{conversation_id}/branches/{branch_id}/messages")
async def branch_messages(conversation_id: str, branch_id: str, state: State, owner: Owner) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    branch = require_branch(state, conv.id, branch_id)
    return ok({"messages": [message_json(m) for m in state.store.history(branch)]})


@router.post("/conversations/{conversation_id}/branches/{branch_id}/merge")
async def merge(conversation_id: str, branch_id: str, state: State, idem: Idem) -> dict[str, Any]:
    """Copy the branch's own messages onto the end of its parent, then mark the branch inactive."""
    store = state.store
    conv = require_conversation(state, idem.owner, conversation_id)
    branch, parent = _mergeable(state, conv.id, branch_id)  # answers early; checked again below
    async with state.branch_locks(parent.id, branch.id):  # ancestors first, as every merge takes them
        # Re-read both under their locks and in the transaction that writes: another merge (of the parent
        # into its own parent) may have made the parent inactive while we waited.
        with store.atomic():
            branch, parent = _mergeable(state, conv.id, branch_id)
            store.merge_branch(branch, parent)
            envelope = ok({"branch": branch_json(require_branch(state, conv.id, branch_id), store)})
            idem.save(200, envelope)
    return envelope


def _mergeable(state: ServerState, conversation_id: str, branch_id: str) -> tuple[BranchRow, BranchRow]:
    branch = require_branch(state, conversation_id, branch_id)
    if branch.is_main or branch.parent_branch_id is None:
        raise ApiError(400, "The main branch cannot be merged")
    parent = state.store.get_branch(conversation_id, branch.parent_branch_id)
    if parent is None:
        raise ApiError(409, "The parent branch no longer exists")
    if not branch.is_active:
        raise ApiError(409, "Branch is already merged or inactive")
    if not parent.is_active:
        raise ApiError(409, "The parent branch is not active")
    return branch, parent
