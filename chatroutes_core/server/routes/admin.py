"""Test-knob routes under ``/_admin`` (only mounted when the server runs with ``test_knobs=True``).

Every knob set here belongs to the API key that set it: its latency, token delay, faults and scripted replies
apply to that key's requests only, and its DELETEs clear only its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ApiError
from ..faults import BodyKind, When
from .deps import Owner, State, require_conversation

router = APIRouter(prefix="/_admin", include_in_schema=False)


class KnobsBody(BaseModel):
    latency: float | None = Field(default=None, ge=0, le=60)
    token_delay: float | None = Field(default=None, ge=0, le=60)


class FaultBody(BaseModel):
    status: int | None = Field(default=None, ge=100, le=599)
    count: int = Field(default=1, ge=1)
    method: str | None = None
    path: str | None = None
    when: When = "before"
    body: BodyKind = "json"
    retry_after: float | None = Field(default=None, ge=0)
    message: str | None = None
    cut_after: int | None = Field(default=None, ge=0)
    stall_after: int | None = Field(default=None, ge=0)
    stall_seconds: float = Field(default=0.0, ge=0, le=600)


class ScriptBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    conversation_id: str | None = Field(default=None, alias="conversationId")
    replies: list[str] = Field(min_length=1, max_length=1000)


@router.post("/knobs")
async def set_knobs(body: KnobsBody, state: State, owner: Owner) -> dict[str, Any]:
    knobs = dict(state.owner_knobs.get(owner, {}))
    if body.latency is not None:
        knobs["latency"] = body.latency
    if body.token_delay is not None:
        knobs["token_delay"] = body.token_delay
    state.owner_knobs = {**state.owner_knobs, owner: knobs}  # replaced whole: readers never see it change
    data = {"latency": state.latency_for(owner), "tokenDelay": state.token_delay_for(owner)}
    return {"success": True, "data": data}


@router.post("/faults")
async def add_fault(body: FaultBody, state: State, owner: Owner) -> dict[str, Any]:
    try:
        state.faults.inject(**body.model_dump(), owner=owner)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    pending = sum(1 for f in state.faults.pending if f.owner == owner)
    return {"success": True, "data": {"pending": pending}}


@router.delete("/faults")
async def clear_faults(state: State, owner: Owner) -> dict[str, Any]:
    state.faults.clear(owner)
    return {"success": True}


@router.post("/script")
async def add_script(body: ScriptBody, state: State, owner: Owner) -> dict[str, Any]:
    """Queue the next model outputs for a conversation of this key (or, without one, for any)."""
    if body.conversation_id is not None:
        require_conversation(state, owner, body.conversation_id)  # another key's conversation is a 404
    pending = state.script(body.conversation_id or f"owner:{owner}", *body.replies)
    return {"success": True, "data": {"pending": pending}}


@router.delete("/script")
async def clear_script(state: State, owner: Owner) -> dict[str, Any]:
    mine: list[str | None] = [f"owner:{owner}"]
    mine += [key for key in list(state.scripts) if key and state.store.get_conversation(owner, key)]
    state.clear_scripts(mine)
    return {"success": True}
