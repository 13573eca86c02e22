"""One exchange: a user message in, a reply out, both stored in one transaction.

Sends on the same branch are serialised by a per-branch lock held from context assembly to the commit, so N
parallel sends leave N (user, assistant) pairs in order. A plain send generates the whole reply, stores it
and answers; a stream forwards each piece as its own SSE event as soon as the responder yields it, stores the
exchange just before the ``complete`` event, then sends ``[DONE]``. Errors after the first byte become a
``{"type": "error"}`` event and the stream ends without ``[DONE]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from .bodies import SendMessageBody
from .context import Context, assemble
from .errors import ApiError
from .faults import Fault
from .lookups import Idempotency, require_branch, require_conversation, require_main_branch, resolve_model
from .responders import ResponderError, ResponderRequest
from .state import ServerState
from .store import BranchRow, ConversationRow, MessageRow
from .tokens import estimate_tokens
from .wire import message_json

DEFAULT_TEMPERATURE = 0.7
DEFAULT_MAX_TOKENS = 2048


class StreamCut(Exception):
    """Raised inside a stream to drop the connection (an injected fault)."""


@dataclass
class Exchange:
    state: ServerState
    conversation: ConversationRow
    branch: BranchRow
    body: SendMessageBody
    alias: str
    resolved_model: str


def prepare(
    state: ServerState, owner: str, conversation_id: str, body: SendMessageBody, branch_id: str | None
) -> Exchange:
    """Validate a send before anything is generated or stored."""
    conv = require_conversation(state, owner, conversation_id)
    alias = body.model or conv.model
    resolved = resolve_model(alias)
    if branch_id is None:
        branch = require_main_branch(state, conv.id)
    else:
        branch = require_branch(state, conv.id, branch_id)
    if not branch.is_active:
        raise ApiError(409, "Branch is not active (merged or archived); reactivate it or fork it")
    ex = Exchange(state, conv, branch, body, alias, resolved)
    if body.parent_message_id is not None:  # checked again under the branch lock; this answers a stream early
        _check_parent(ex, branch, branch_tip(state, branch))
    return ex


def _current_branch(ex: Exchange) -> BranchRow:
    # Re-read under the branch lock: it may have been deleted or merged while we waited. Read again in the
    # transaction that stores the exchange: a PATCH isActive=false or a conversation delete (neither takes
    # the branch lock) may have landed while the reply was generated; then nothing is stored.
    branch = require_branch(ex.state, ex.conversation.id, ex.branch.id)
    if not branch.is_active:
        raise ApiError(409, "Branch is not active (merged or archived); reactivate it or fork it")
    return branch


def _plan(ex: Exchange, branch: BranchRow) -> tuple[Context, ResponderRequest, str | None]:
    store = ex.state.store
    inherited = store.inherited_messages(branch)
    own = store.own_messages(branch.id)
    checkpoint = None
    checkpoints = store.list_checkpoints(branch.conversation_id, branch.id)
    if checkpoints:
        history_ids = {m.id for m in (*inherited, *own)}
        usable = [cp for cp in checkpoints if cp.anchor_message_id in history_ids]
        checkpoint = usable[-1] if usable else None
    ctx = assemble(
        inherited,
        own,
        ex.body.content,
        context_mode=branch.context_mode,
        checkpoint=checkpoint,
        partial_messages=ex.state.partial_context_messages,
    )
    request = ResponderRequest(
        model=ex.alias,
        resolved_model=ex.resolved_model,
        messages=ctx.messages,
        branch_title=branch.title,
        turn=ctx.turn,
        prior_count=ctx.prior_count,
        checkpoint_used=ctx.checkpoint_used,
        temperature=ex.body.temperature,
        max_tokens=ex.body.max_tokens,
    )
    tip = own[-1].id if own else (inherited[-1].id if inherited else None)
    _check_parent(ex, branch, tip)
    return ctx, request, tip


def _check_parent(ex: Exchange, branch: BranchRow, tip: str | None) -> None:
    # parentMessageId is a precondition: the turn follows that message, so it must still be the tip.
    # A client with a stale view of the branch then forks instead of writing after someone else's turn.
    wanted = ex.body.parent_message_id
    if wanted is not None and wanted != tip:
        raise ApiError(
            409,
            f"parentMessageId {wanted} is not the tip of branch {branch.id}; fork at it instead",
            code="TIP_MOVED",
        )


def branch_tip(state: ServerState, branch: BranchRow) -> str | None:
    own = state.store.own_messages(branch.id)
    if own:
        return own[-1].id
    inherited = state.store.inherited_messages(branch)
    return inherited[-1].id if inherited else None


def _store_exchange(
    ex: Exchange, ctx: Context, tip: str | None, text: str, started: float, responder: str
) -> tuple[MessageRow, MessageRow, dict[str, int]]:
    store = ex.state.store
    completion = estimate_tokens(text)
    usage = {
        "promptTokens": ctx.prompt_tokens,
        "completionTokens": completion,
        "totalTokens": ctx.prompt_tokens + completion,
    }
    metadata: dict[str, Any] = {
        "model": ex.resolved_model,
        "temperature": ex.body.temperature if ex.body.temperature is not None else DEFAULT_TEMPERATURE,
        "maxTokens": ex.body.max_tokens if ex.body.max_tokens is not None else DEFAULT_MAX_TOKENS,
        "responseTime": round((time.perf_counter() - started) * 1000),
        "finishReason": "stop",
        "cost": 0,
        "responder": responder,
        "checkpoint_used": ctx.checkpoint_used,
        "context_truncated": ctx.truncated,
        "context_message_count": ctx.prior_count,
        "prompt_tokens": ctx.prompt_tokens,
    }
    with store.atomic():
        user = store.add_message(
            ex.conversation.id,
            ex.branch.id,
            role="user",
            content=ex.body.content,
            token_count=estimate_tokens(ex.body.content),
            parent_message_id=tip,
        )
        reply = store.add_message(
            ex.conversation.id,
            ex.branch.id,
            role="assistant",
            content=text,
            token_count=completion,
            model=ex.resolved_model,
            metadata=metadata,
            parent_message_id=user.id,
        )
    return user, reply, usage


async def send(ex: Exchange, idem: Idempotency) -> dict[str, Any]:
    """Generate, store and return ``{"success": true, "data": {message, usage, model, userMessage,
    assistantMessage}}``: the current shape and, beside it, the ``{userMessage, assistantMessage}`` one that
    route #18, the official SDKs' own examples (``branching_example.py``, ``checkpoint_example.py``) and the
    vendor's notebooks read."""
    async with ex.state.branch_locks(ex.branch.id):
        branch = _current_branch(ex)
        ctx, request, tip = _plan(ex, branch)
        started = time.perf_counter()
        responder = ex.state.responder_for(ex.conversation.id, ex.conversation.owner)
        try:
            text = "".join([piece async for piece in responder.stream(request)])
        except ResponderError as exc:
            raise ApiError(502, f"Upstream model error: {exc}") from None
        with ex.state.store.atomic():
            _current_branch(ex)  # again, in the transaction that writes (see _current_branch)
            user, reply, usage = _store_exchange(ex, ctx, tip, text, started, responder.name)
            data: dict[str, Any] = {
                "message": message_json(reply),
                "usage": usage,
                "model": ex.resolved_model,
            }
            data["userMessage"] = message_json(user)
            data["assistantMessage"] = data["message"]
            envelope = {"success": True, "data": data}
            idem.save(200, envelope)
    return envelope


def sse(payload: Any) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


async def _gate(fault: Fault | None, sent: int) -> None:
    if fault is None:
        return
    if fault.cut_after is not None and sent >= fault.cut_after:
        raise StreamCut(f"stream cut after {sent} events")
    if fault.stall_after is not None and sent == fault.stall_after and fault.stall_seconds > 0:
        await asyncio.sleep(fault.stall_seconds)


async def stream(ex: Exchange, idem: Idempotency, fault: Fault | None) -> AsyncIterator[bytes]:
    """The SSE body of a streamed send; each event is yielded (and so flushed) on its own."""
    state = ex.state
    timings: list[float] = []
    state.last_stream_timings = timings
    sent = 0

    async def emit(payload: Any) -> bytes:
        nonlocal sent
        await _gate(fault, sent)
        sent += 1
        timings.append(time.perf_counter())
        return sse(payload)

    async with contextlib.AsyncExitStack() as held:
        try:
            await held.enter_async_context(state.branch_locks(ex.branch.id))
            branch = _current_branch(ex)
            ctx, request, tip = _plan(ex, branch)
        except ApiError as exc:
            yield sse({"type": "error", "error": exc.message, "code": exc.code})
            return
        started = time.perf_counter()
        pieces: list[str] = []
        responder = state.responder_for(ex.conversation.id, ex.conversation.owner)
        try:
            async for piece in responder.stream(request):
                delay = state.token_delay_for(ex.conversation.owner)
                if delay > 0:
                    await asyncio.sleep(delay)
                pieces.append(piece)
                yield await emit({"type": "content", "content": piece, "model": ex.resolved_model})
        except ResponderError as exc:
            yield sse({"type": "error", "error": f"Upstream model error: {exc}"})
            return
        try:
            with state.store.atomic():
                _current_branch(ex)  # again, in the transaction that writes (see _current_branch)
                _, reply, usage = _store_exchange(ex, ctx, tip, "".join(pieces), started, responder.name)
                complete = {
                    "type": "complete",
                    "message": message_json(reply),
                    "usage": usage,
                    "model": ex.resolved_model,
                }
                idem.save(200, complete, kind="sse")
        except ApiError as exc:
            yield sse({"type": "error", "error": exc.message, "code": exc.code})
            return
    yield await emit(complete)
    yield await emit("[DONE]")


async def replay_stream(complete: dict[str, Any]) -> AsyncIterator[bytes]:
    """A stored streamed exchange, replayed for a repeated Idempotency-Key."""
    message = complete.get("message") or {}
    yield sse({"type": "content", "content": message.get("content", ""), "model": complete.get("model")})
    yield sse(complete)
    yield sse("[DONE]")
