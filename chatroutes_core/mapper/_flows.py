"""The turn as a flow of requests (create / read / fork, then send), written once for both clients."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from chatroutes_core._exceptions import APIStatusError, ChatRoutesError, ConflictError
from chatroutes_core.flows import ClientCall, Flow, call

from ._checks import check_turn
from ._history import history_turns, with_read_digests
from ._plan import Plan, TipCache, plan_turn
from ._types import Binding, MappingError, TreeRef, Turn

if TYPE_CHECKING:
    from chatroutes_core.models import Message

_TITLE_CHARS = 60


@dataclass(frozen=True)
class Target:
    """Where the turn goes once the requests before the send are done."""

    plan: Plan
    conversation_id: str
    branch_id: str | None


@dataclass(frozen=True)
class TurnOptions:
    """The mapper's settings a flow needs (no client: flows do no I/O)."""

    model: str
    tips: TipCache
    title: str | None = None
    optimistic: bool = False
    """Send at an unknown tip with ``parentMessageId`` and let a 409 decide (servers that enforce it)."""


def title_for(turns: Sequence[Turn], title: str | None) -> str:
    if title:
        return title
    for turn in turns:
        if turn.role == "user" and turn.content.strip():
            text = " ".join(turn.content.split())
            return text if len(text) <= _TITLE_CHARS else text[: _TITLE_CHARS - 1] + "…"
    return "New conversation"


def _send_params(generation: Mapping[str, Any], plan: Plan, branch_id: str | None) -> dict[str, Any]:
    params = {key: value for key, value in generation.items() if value is not None}
    if branch_id is not None:
        params["branch_id"] = branch_id
    if plan.action == "continue" and plan.anchor is not None:
        params["parent_message_id"] = plan.anchor.message_id  # the server refuses it if the tip moved
    return params


def fork_title(content: str, limit: int = 48) -> str:
    """A fork's title: what its first turn says, cut at a word (the tree shows the fork point's id)."""
    first = " ".join(content.split())
    if not first or first.startswith("<"):  # a tool response or inline system text: no readable words
        return "Fork"
    if len(first) > limit:
        cut = first[:limit].rsplit(" ", 1)[0] if " " in first[:limit] else first[:limit]
        first = cut.rstrip(",.;:") + "…"
    return f"Fork: {first}"


def _fork(options: TurnOptions, plan: Plan, conversation_id: str) -> Flow[Target]:
    anchor = plan.anchor
    assert anchor is not None
    branch = yield from call(
        lambda c: c.branches.fork,
        conversation_id,
        fork_point_message_id=anchor.message_id,
        title=fork_title(plan.content),
    )
    options.tips.set(conversation_id, branch.id, anchor.message_id, anchor.system_digest)
    return Target(replace(plan, action="fork"), conversation_id, branch.id)


def prepare(
    options: TurnOptions, turns: Sequence[Turn], binding: Binding | None, plan: Plan | None = None
) -> Flow[Target]:
    """Plan (unless the caller just did: ``plan``), then the requests before the send: read (old refs),
    create, tip lookup, fork."""
    plan = plan if plan is not None else plan_turn(turns, binding, options.tips)
    if plan.action == "read":
        assert plan.conversation_id is not None and plan.branch_id is not None
        stored = yield from call(lambda c: c.branches.get_history, plan.conversation_id, plan.branch_id)
        read = history_turns(stored, plan.conversation_id, plan.branch_id)
        plan = plan_turn(with_read_digests(turns, read), binding, options.tips)
    if plan.action == "new":
        conversation = yield from call(
            lambda c: c.conversations.create, title=title_for(turns, options.title), model=options.model
        )
        return Target(plan, conversation.id, None)
    conversation_id = plan.conversation_id
    assert conversation_id is not None
    if plan.action == "check":
        branch_id = plan.branch_id
        assert branch_id is not None
        if options.optimistic:
            plan = replace(plan, action="continue")  # a moved tip answers 409 and stores nothing
        else:
            history = yield from call(lambda c: c.branches.get_messages, conversation_id, branch_id)
            tip = history[-1].id if history else None
            if tip is not None:
                options.tips.set(conversation_id, branch_id, tip)
            plan = plan.resolve(tip)
    if plan.action == "fork":
        return (yield from _fork(options, plan, conversation_id))
    return Target(plan, conversation_id, plan.branch_id)


def send(
    options: TurnOptions,
    turns: Sequence[Turn],
    binding: Binding | None,
    generation: Mapping[str, Any],
    *,
    stream: bool = False,
    plan: Plan | None = None,
) -> Flow[tuple[Target, Any]]:
    """The whole turn: ``(target, response)``; ``response`` is an entered stream when ``stream``; ``plan``:
    :func:`plan_turn`'s for these turns, binding and tips, made just before (each call plans once).

    Bad input is refused before the first request (``_checks``); when the server refuses the send (a 4xx:
    nothing was stored), the conversation or fork this turn made is deleted before the error is raised.
    """
    check_turn(turns, binding, generation)
    target = yield from prepare(options, turns, binding, plan)
    generation = {"model": options.model, **{k: v for k, v in generation.items() if v is not None}}

    def send_to(at: Target) -> ClientCall[Any]:
        params = _send_params(generation, at.plan, at.branch_id)
        # the generation options are the caller's open set (model, temperature, per-call timeout, ...)
        if stream:  # entered by the driver: the response is the open stream
            opened = call(
                lambda c: partial(c.messages.stream, **params), at.conversation_id, content=at.plan.content
            )
            return replace(opened, enter=True)
        return call(lambda c: partial(c.messages.send, **params), at.conversation_id, content=at.plan.content)

    try:
        try:
            response = yield send_to(target)
        except ConflictError as exc:
            plan = target.plan
            if plan.action != "continue" or plan.anchor is None or exc.status_code != 409:
                raise
            # The tip moved under us (another writer; nothing was stored): fork at the anchor instead.
            assert plan.branch_id is not None
            options.tips.forget(target.conversation_id, plan.branch_id)
            target = yield from _fork(options, plan, target.conversation_id)
            response = yield send_to(target)
    except APIStatusError as exc:
        if exc.status_code < 500:  # refused: nothing was stored, so what this turn made holds nothing
            yield from _discard(options, target)
        raise
    return target, response


def _discard(options: TurnOptions, target: Target) -> Flow[None]:
    """Delete the conversation (a new one) or the branch (a fork) made for a refused turn; best effort."""
    if target.plan.action == "new":
        cleanup: ClientCall[Any] = call(lambda c: c.conversations.delete, target.conversation_id)
    elif target.plan.action == "fork" and target.branch_id is not None:
        options.tips.forget(target.conversation_id, target.branch_id)
        cleanup = call(lambda c: c.branches.delete, target.conversation_id, target.branch_id)
    else:
        return
    with contextlib.suppress(ChatRoutesError):  # the refusal is what the caller must see
        yield cleanup


def reply_ref(options: TurnOptions, target: Target, message: Message) -> TreeRef:
    """Where the reply landed (digests not yet sealed); remembers it as the branch's tip."""
    branch = target.branch_id or message.branch_id
    if branch is None:
        raise MappingError("the server did not say which branch the reply was stored on")
    options.tips.set(target.conversation_id, branch, message.id, target.plan.system_digest)
    return TreeRef(target.conversation_id, branch, message.id)
