"""Conversations: create (with its main branch), list (unwrapped + wrapped), get, update, delete, tree."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ..._catalog import DEFAULT_MODEL
from ..bodies import CreateConversationBody, UpdateConversationBody
from ..errors import ApiError
from ..tree import tree_response
from ..wire import conversation_json, ok
from .deps import Idem, Owner, State, require_conversation, resolve_model

router = APIRouter(tags=["conversations"])


@router.post("/conversations", status_code=201)
async def create_conversation(body: CreateConversationBody, state: State, idem: Idem) -> dict[str, Any]:
    model = body.model or DEFAULT_MODEL
    resolve_model(model)
    title = body.title if body.title and body.title.strip() else "New conversation"
    with state.store.atomic():
        conv, _ = state.store.create_conversation(idem.owner, title, model)
        envelope = ok({"conversation": conversation_json(conv, state.store, full=True)})
        idem.save(201, envelope)
    return envelope


@router.get("/conversations")
async def list_conversations(
    state: State,
    owner: Owner,
    page: int = Query(1, ge=1, le=1_000_000),
    limit: int = Query(10, ge=1, le=100),
    filter: Literal["all", "owned", "shared"] = Query("all"),
) -> dict[str, Any]:
    rows, total = ([], 0) if filter == "shared" else state.store.list_conversations(owner, page, limit)
    page_data = {
        "conversations": [conversation_json(c, state.store) for c in rows],
        "total": total,
        "page": page,
        "limit": limit,
        "hasNext": page * limit < total,
    }
    # The official Python SDK reads these keys at top level, the JS SDK under data: serve both.
    return {"success": True, **page_data, "data": page_data}


@router.get("/conversations/{conversation_id}")
async def get_conversation(conversation_id: str, state: State, owner: Owner) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    return ok({"conversation": conversation_json(conv, state.store, full=True)})


@router.patch("/conversations/{conversation_id}")
async def update_conversation(
    conversation_id: str, body: UpdateConversationBody, state: State, owner: Owner
) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    if body.model is not None:
        resolve_model(body.model)
    if body.title is not None and not body.title.strip():
        raise ApiError(400, "title must not be empty")
    state.store.update_conversation(conv.id, title=body.title, model=body.model)
    updated = require_conversation(state, owner, conversation_id)
    return ok({"conversation": conversation_json(updated, state.store, full=True)})


@router.delete("/conversations/{conversation_id}")
async def delete_conversation(conversation_id: str, state: State, owner: Owner) -> dict[str, Any]:
    conv = require_conversation(state, owner, conversation_id)
    state.store.delete_conversation(conv.id)
    return {"success": True}


@router.get("/conversations/{conversation_id}/tree", response_class=Response)
async def get_tree(conversation_id: str, state: State, owner: Owner) -> Response:
    # Serialised by tree.py itself: pydantic's serializer stops at a fixed depth (a 64-send branch was a 500).
    conv = require_conversation(state, owner, conversation_id)
    return tree_response(conv, state.store)
