"""Messages: send (#7), stream (#8), list (#9), edit (#10), delete (#11), branch-scoped send (#18)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from .. import exchange
from ..bodies import SendMessageBody, UpdateMessageBody
from ..tokens import estimate_tokens
from ..wire import message_json, ok
from .deps import Idem, Owner, Scope, State, require_branch, require_main_branch, require_message

router = APIRouter(tags=["messages"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.post("/conversations/{conversation_id}/messages")
async def send_message(
    conversation_id: str, body: SendMessageBody, state: State, idem: Idem
) -> dict[str, Any]:
    ex = exchange.prepare(state, idem.owner, conversation_id, body, body.branch_id)
    return await exchange.send(ex, idem)


@router.post(
    "/conversations/{conversation_id}/messages/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_message(
    conversation_id: str, body: SendMessageBody, request: Request, state: State, idem: Idem
) -> StreamingResponse:
    ex = exchange.prepare(state, idem.owner, conversation_id, body, body.branch_id)
    fault = state.faults.take(request.method, request.url.path, stream=True, owner=idem.owner)
    return StreamingResponse(
        exchange.stream(ex, idem, fault), media_type="text/event-stream", headers=SSE_HEADERS
    )


@router.post("/conversations/{conversation_id}/branches/{branch_id}/messages")
async def send_branch_message(
    conversation_id: str, branch_id: str, body: SendMessageBody, state: State, idem: Idem
) -> dict[str, Any]:
    ex = exchange.prepare(state, idem.owner, conversation_id, body, branch_id)
    return await exchange.send(ex, idem)


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(state: State, scope: Scope) -> dict[str, Any]:
    conv = scope.conversation
    if scope.branch_id:
        branch = require_branch(state, conv.id, scope.branch_id)
    else:
        branch = require_main_branch(state, conv.id)
    return ok({"messages": [message_json(m) for m in state.store.history(branch)]})


@router.patch("/messages/{message_id}")
async def update_message(
    message_id: str, body: UpdateMessageBody, state: State, owner: Owner
) -> dict[str, Any]:
    message = require_message(state, owner, message_id)
    updated = state.store.update_message(message, body.content, estimate_tokens(body.content))
    return ok({"message": message_json(updated)})


@router.delete("/messages/{message_id}")
async def delete_message(message_id: str, state: State, owner: Owner) -> dict[str, Any]:
    message = require_message(state, owner, message_id)
    state.store.delete_message(message.id)
    return {"success": True}
