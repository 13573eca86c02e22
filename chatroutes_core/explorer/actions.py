"""The explorer's write routes: send, fork, edit, regenerate (streamed), rename, merge, delete, checkpoint,
and compare models. Each state-changing route needs the session cookie and ``X-CSRF-Token``.

A streamed reply is ``text/event-stream``: ``event: delta`` ``data: {"text"}`` …, then ``event: done``
``data: {"message", "branchId"}``, or ``event: error`` ``data: {"message", "status"}``. A fork that sends
opens with ``event: branch`` ``data: {"branchId"}``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..flows import arun
from ..integration import check_id, check_models, compare_title, plan_compare
from ..models import Message
from .context import context, map_error

router = APIRouter()

_BODY = ConfigDict(extra="forbid", populate_by_name=True)


class SendBody(BaseModel):
    model_config = _BODY
    branch_id: str = Field(alias="branchId")
    content: str = Field(min_length=1)
    model: str | None = None


class ForkBody(BaseModel):
    model_config = _BODY
    message_id: str = Field(alias="messageId")
    content: str | None = None
    title: str | None = None
    model: str | None = None


class EditBody(BaseModel):
    model_config = _BODY
    message_id: str = Field(alias="messageId")
    content: str = Field(min_length=1)
    branch_id: str | None = Field(default=None, alias="branchId")  # where the page saw it (a hint)


class RegenerateBody(BaseModel):
    model_config = _BODY
    message_id: str = Field(alias="messageId")
    branch_id: str | None = Field(default=None, alias="branchId")


class RenameBody(BaseModel):
    model_config = _BODY
    title: str = Field(min_length=1)


class MergeBody(BaseModel):
    model_config = _BODY
    target_branch_id: str | None = Field(default=None, alias="targetBranchId")


class CompareBody(BaseModel):
    model_config = _BODY
    message_id: str = Field(alias="messageId")
    models: list[str]
    content: str = Field(min_length=1)


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def message_json(m: Message) -> dict[str, Any]:
    return {"id": m.id, "role": m.role, "branchId": m.branch_id, "content": m.content,
            "createdAt": m.created_at, "model": m.model, "parentMessageId": m.parent_message_id}  # fmt: skip


async def _reply(client: Any, cid: str, bid: str, content: str, model: str | None) -> AsyncIterator[bytes]:
    """The events of one streamed reply on branch ``bid`` (errors become an ``error`` event)."""
    try:
        async with client.messages.stream(cid, content=content, branch_id=bid, model=model) as stream:
            async for event in stream:
                if event.type == "content" and event.content:
                    yield sse("delta", {"text": event.content, "branchId": bid})
            final = stream.final
        yield sse("done", {"message": message_json(final.message), "branchId": bid})
    except Exception as exc:  # every failure reaches the page as an event, never as a broken stream
        message, status, _ = map_error(exc)
        yield sse("error", {"message": message, "status": status, "branchId": bid})


def _stream(events: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})


@router.post("/conversations/{cid}/send")
async def send(cid: str, body: SendBody, request: Request) -> StreamingResponse:
    check_id(cid, "conversation id")
    check_id(body.branch_id, "branchId")
    client = context(request).client()
    return _stream(_reply(client, cid, body.branch_id, body.content, body.model))


async def _fork_stream(
    client: Any, cid: str, at: str, content: str, title: str | None, model: str | None
) -> StreamingResponse:
    """Fork first (so a refused fork is a plain JSON error), then stream the reply on the new branch."""
    branch = await client.branches.fork(cid, fork_point_message_id=at, title=title)

    async def events() -> AsyncIterator[bytes]:
        yield sse("branch", {"branchId": branch.id})
        async for chunk in _reply(client, cid, branch.id, content, model):
            yield chunk

    return _stream(events())


@router.post("/conversations/{cid}/fork", response_model=None)
async def fork(cid: str, body: ForkBody, request: Request) -> Any:
    check_id(cid, "conversation id")
    check_id(body.message_id, "messageId")
    client = context(request).client()
    if body.content:
        return await _fork_stream(client, cid, body.message_id, body.content, body.title, body.model)
    branch = await client.branches.fork(cid, fork_point_message_id=body.message_id, title=body.title)
    return {"branchId": branch.id}


async def _locate(client: Any, cid: str, mid: str, hint: str | None) -> tuple[Message, str | None]:
    """Message ``mid`` and the id of the message before it in its history (None: it is the first)."""
    listed = await client.branches.list(cid)
    order = sorted(listed, key=lambda b: (b.id != hint, not b.is_main))
    for branch in order:
        messages = await client.branches.get_history(cid, branch.id, branches=listed)
        for index, message in enumerate(messages):
            if message.id == mid:
                return message, messages[index - 1].id if index else None
    raise HTTPException(404, f"no message {mid!r} in conversation {cid!r}")


async def _target(request: Request, cid: str, mid: str, hint: str | None) -> tuple[Any, Message, str | None]:
    """The client, message ``mid`` of conversation ``cid`` and the id before it (ids checked first)."""
    check_id(cid, "conversation id")
    check_id(mid, "messageId")
    client = context(request).client()
    message, parent = await _locate(client, cid, mid, hint)
    return client, message, parent


@router.post("/conversations/{cid}/edit")
async def edit(cid: str, body: EditBody, request: Request) -> StreamingResponse:
    """Edit a user message: fork at its parent and send the new text there."""
    client, message, parent = await _target(request, cid, body.message_id, body.branch_id)
    if message.role != "user":
        raise HTTPException(400, "only a user message can be edited (regenerate a reply instead)")
    if parent is None:
        raise HTTPException(400, "the first message of a conversation has no parent to fork at")
    return await _fork_stream(client, cid, parent, body.content, None, None)


@router.post("/conversations/{cid}/regenerate")
async def regenerate(cid: str, body: RegenerateBody, request: Request) -> StreamingResponse:
    """Regenerate a reply: a sibling branch that asks the same user turn again (see docs/explorer.md)."""
    client, message, parent = await _target(request, cid, body.message_id, body.branch_id)
    if message.role == "assistant":
        if parent is None:
            raise HTTPException(400, "this reply has no user message before it")
        message, parent = await _locate(client, cid, parent, body.branch_id)
    if message.role != "user":
        raise HTTPException(400, "regenerate takes an assistant reply or the user message it answers")
    at = parent if parent is not None else message.id  # a first turn cannot be forked before: ask it again
    return await _fork_stream(client, cid, at, message.content, None, None)


@router.patch("/conversations/{cid}/branches/{bid}")
async def rename(cid: str, bid: str, body: RenameBody, request: Request) -> dict[str, Any]:
    check_id(cid, "conversation id")
    check_id(bid, "branch id")
    branch = await context(request).client().branches.update(cid, bid, title=body.title)
    return {"branchId": branch.id, "title": branch.title}


@router.post("/conversations/{cid}/branches/{bid}/merge")
async def merge(cid: str, bid: str, request: Request, body: MergeBody | None = None) -> dict[str, Any]:
    check_id(cid, "conversation id")
    check_id(bid, "branch id")
    client = context(request).client()
    if body is not None and body.target_branch_id is not None:
        check_id(body.target_branch_id, "targetBranchId")
        branch = next((b for b in await client.branches.list(cid) if b.id == bid), None)
        if branch is not None and branch.parent_branch_id != body.target_branch_id:
            raise HTTPException(400, "the API merges a branch into its parent branch only")
    merged = await client.branches.merge(cid, bid)
    return {"branchId": merged.id, "isActive": merged.is_active}


@router.delete("/conversations/{cid}/branches/{bid}")
async def delete(cid: str, bid: str, request: Request) -> dict[str, Any]:
    check_id(cid, "conversation id")
    check_id(bid, "branch id")
    await context(request).client().branches.delete(cid, bid)
    return {"deleted": bid}


@router.post("/conversations/{cid}/branches/{bid}/checkpoint")
async def checkpoint(cid: str, bid: str, request: Request) -> dict[str, Any]:
    """A checkpoint of the branch up to its last message."""
    check_id(cid, "conversation id")
    check_id(bid, "branch id")
    client = context(request).client()
    history = await client.branches.get_history(cid, bid)
    if not history:
        raise HTTPException(400, "the branch has no message to checkpoint")
    cp = await client.checkpoints.create(cid, branch_id=bid, anchor_message_id=history[-1].id)
    return {"id": cp.id, "anchorMessageId": cp.anchor_message_id, "tokenCount": cp.token_count}


@router.post("/conversations/{cid}/compare")
async def compare_models(cid: str, body: CompareBody, request: Request) -> StreamingResponse:
    """One sibling branch per model at ``messageId`` (the core's compare flow), replies streamed, tagged."""
    check_id(cid, "conversation id")
    check_id(body.message_id, "messageId")
    models = check_models(body.models)
    client = context(request).client()
    flow = plan_compare(models, title=compare_title(body.content), fork_at=(cid, body.message_id))
    _, targets = await arun(flow, client)
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def pump(model: str, bid: str) -> None:
        try:
            async for chunk in _reply(client, cid, bid, body.content, model):
                await queue.put(chunk)
        finally:
            await queue.put(None)

    async def events() -> AsyncIterator[bytes]:
        for model, bid in targets:
            yield sse("branch", {"branchId": bid, "model": model})
        tasks = [asyncio.create_task(pump(model, bid)) for model, bid in targets]
        try:
            running = len(tasks)
            while running:
                chunk = await queue.get()
                if chunk is None:
                    running -= 1
                else:
                    yield chunk
        finally:
            for task in tasks:
                task.cancel()

    return _stream(events())
