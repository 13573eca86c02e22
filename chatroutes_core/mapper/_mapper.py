"""``ConversationMapper`` / ``AsyncConversationMapper``: run the turn flow on a client; seal the reply."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from chatroutes_core._catalog import DEFAULT_MODEL
from chatroutes_core.flows import Flow, arun, run

from . import _flows
from ._digest import sealed
from ._plan import BranchState, Plan, TipCache, plan_turn
from ._types import Binding, TreeRef, Turn

if TYPE_CHECKING:
    from chatroutes_core._client import AsyncChatRoutesClient, ChatRoutesClient
    from chatroutes_core._http.streaming import AsyncMessageStream, MessageStream
    from chatroutes_core.models import Message, SendMessageResponse, StreamEvent, Usage


@dataclass(frozen=True)
class MappedReply:
    """The reply and where it landed.

    ``ref`` is sealed over the stored reply text; an adapter that shows the caller something else (text cut
    at a stop sequence, tool calls parsed out of the text) seals its own with :meth:`seal`.
    """

    ref: TreeRef
    response: SendMessageResponse
    plan: Plan
    follows: str | None = None
    """The message the turn was sent after with ``parentMessageId`` (a continue the server accepted), or
    None when nothing was proven that way (new, bound, fork)."""

    @property
    def content(self) -> str:
        """The user message content as sent (and stored)."""
        return self.plan.content

    @property
    def message(self) -> Message:
        return self.response.message

    @property
    def usage(self) -> Usage:
        return self.response.usage

    @property
    def model(self) -> str | None:
        """The resolved model the server reports (falls back to the message's ``model``)."""
        return self.response.model or self.response.message.model

    def seal(self, turn: Turn) -> TreeRef:
        """The ref for the reply as the caller receives it (``turn``: role ``assistant``, its final text)."""
        return seal(self.ref, self.plan, turn)


def seal(ref: TreeRef, plan: Plan, turn: Turn) -> TreeRef:
    """``ref`` with the digests of a reply ``turn`` that answered the list ``plan`` was made for."""
    return sealed(ref, plan.before, plan.base, plan.system_digest, turn)


def _reply(options: _flows.TurnOptions, target: _flows.Target, response: SendMessageResponse) -> MappedReply:
    ref = _flows.reply_ref(options, target, response.message)
    plan = target.plan
    follows = plan.anchor.message_id if plan.action == "continue" and plan.anchor is not None else None
    return MappedReply(seal(ref, plan, Turn("assistant", response.message.content)), response, plan, follows)


class _MapperBase:
    def __init__(self, client: Any, *, model: str, tips: TipCache | None, title: str | None) -> None:
        self.client = client
        self.model = model
        self.tips = tips if tips is not None else TipCache()
        self.title = title

    def plan(self, turns: Sequence[Turn], binding: Binding | None = None) -> Plan:
        """The plan :meth:`send` would start from now (pure, uses this mapper's tips)."""
        return plan_turn(turns, binding, self.tips)

    def send_flow(
        self,
        turns: Sequence[Turn],
        binding: Binding | None = None,
        *,
        plan: Plan | None = None,
        **generation: Any,
    ) -> Flow[MappedReply]:
        """:meth:`send` as a flow, for an adapter whose operation makes more requests around the turn (run it
        with this mapper's client: ``run`` for the sync mapper, ``arun`` for the async one). ``plan``: what
        :meth:`plan` just returned for the same turns and binding (then the turn is not planned again)."""
        options = self._options()
        target, response = yield from _flows.send(options, turns, binding, generation, plan=plan)
        return _reply(options, target, response)

    def _options(self) -> _flows.TurnOptions:
        optimistic = getattr(self.client, "enforces_parent_check", None) is True
        return _flows.TurnOptions(self.model, self.tips, self.title, optimistic)


class ConversationMapper(_MapperBase):
    """Sends a message list as one turn on the right branch, using a :class:`ChatRoutesClient`.

    Example:
        >>> mapper = ConversationMapper(client)
        >>> reply = mapper.send([Turn("user", "Hi")])  # no anchor, unbound: a new conversation
        >>> mapper.send([Turn("user", "Hi"), Turn("assistant", reply.message.content, reply.ref),
        ...              Turn("user", "More")]).ref.branch_id == reply.ref.branch_id  # the same branch
        True
    """

    client: ChatRoutesClient

    def __init__(
        self,
        client: ChatRoutesClient,
        *,
        model: str = DEFAULT_MODEL,
        tips: TipCache | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(client, model=model, tips=tips, title=title)

    def send(
        self,
        turns: Sequence[Turn],
        binding: Binding | None = None,
        *,
        plan: Plan | None = None,
        **generation: Any,
    ) -> MappedReply:
        """Send the new turn (``generation``: model, temperature, max_tokens and per-call options; ``plan``:
        what :meth:`plan` just returned for these turns, so they are planned once)."""
        return run(self.send_flow(turns, binding, plan=plan, **generation), self.client)

    def stream(
        self, turns: Sequence[Turn], binding: Binding | None = None, **generation: Any
    ) -> MappedStream:
        """A context-managed stream of core events; planning errors raise here, requests start on enter."""
        return MappedStream(self, turns, binding, generation, self.plan(turns, binding))


class AsyncConversationMapper(_MapperBase):
    """:class:`ConversationMapper` on an :class:`AsyncChatRoutesClient` (same flow, same counts)."""

    client: AsyncChatRoutesClient

    def __init__(
        self,
        client: AsyncChatRoutesClient,
        *,
        model: str = DEFAULT_MODEL,
        tips: TipCache | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(client, model=model, tips=tips, title=title)

    async def send(
        self,
        turns: Sequence[Turn],
        binding: Binding | None = None,
        *,
        plan: Plan | None = None,
        **generation: Any,
    ) -> MappedReply:
        """Send the new turn and return the reply (see :meth:`ConversationMapper.send`)."""
        return await arun(self.send_flow(turns, binding, plan=plan, **generation), self.client)

    def stream(
        self, turns: Sequence[Turn], binding: Binding | None = None, **generation: Any
    ) -> AsyncMappedStream:
        """``async with mapper.stream(turns) as s: async for event in s: ...``."""
        return AsyncMappedStream(self, turns, binding, generation, self.plan(turns, binding))


class _StreamBase:
    """State both stream twins share: where the turn went, and the sealed ref once complete."""

    def __init__(
        self,
        mapper: _MapperBase,
        turns: Sequence[Turn],
        binding: Binding | None,
        generation: dict[str, Any],
        plan: Plan | None = None,
    ) -> None:
        self._mapper = mapper
        self._options = mapper._options()
        self._turns, self._binding, self._generation = list(turns), binding, generation
        self._plan, self._tip = plan, self._tip_of(plan)
        self._target: _flows.Target | None = None
        self.ref: TreeRef | None = None

    def _tip_of(self, plan: Plan | None) -> BranchState | None:
        if plan is None or plan.conversation_id is None or plan.branch_id is None:
            return None
        return self._options.tips.state(plan.conversation_id, plan.branch_id)

    def _flow(self) -> Flow[tuple[_flows.Target, Any]]:
        # The plan made when the stream was asked for, unless the branch's tip moved since (then plan again).
        plan = self._plan if self._plan is not None and self._tip_of(self._plan) == self._tip else None
        options, turns, binding = self._options, self._turns, self._binding
        return _flows.send(options, turns, binding, self._generation, stream=True, plan=plan)

    @property
    def conversation_id(self) -> str | None:
        return self._target.conversation_id if self._target is not None else None

    @property
    def branch_id(self) -> str | None:
        return self._target.branch_id if self._target is not None else None

    @property
    def plan(self) -> Plan | None:
        return self._target.plan if self._target is not None else None

    def _on_event(self, event: StreamEvent) -> None:
        if event.type == "complete":
            assert self._target is not None
            ref = _flows.reply_ref(self._options, self._target, event.message)
            self.ref = seal(ref, self._target.plan, Turn("assistant", event.message.content))

    def seal(self, turn: Turn) -> TreeRef:
        """The ref for the streamed reply as the caller receives it (after completion)."""
        assert self.ref is not None and self._target is not None
        return seal(self.ref, self._target.plan, turn)


class MappedStream(_StreamBase):
    """``with mapper.stream(turns) as s: for event in s: ...``; then ``s.ref``."""

    _stream: MessageStream | None = None

    def __enter__(self) -> MappedStream:
        mapper = self._mapper
        assert isinstance(mapper, ConversationMapper)
        self._target, self._stream = run(self._flow(), mapper.client)
        return self

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._stream is None:
            raise RuntimeError("use the stream in a with block")
        for event in self._stream:
            self._on_event(event)
            yield event

    @property
    def text(self) -> str:
        """The text received so far."""
        return self._stream.text if self._stream is not None else ""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stream is not None:
            self._stream.__exit__(exc_type, exc, tb)


class AsyncMappedStream(_StreamBase):
    """The async twin of :class:`MappedStream`."""

    _stream: AsyncMessageStream | None = None

    async def __aenter__(self) -> AsyncMappedStream:
        mapper = self._mapper
        assert isinstance(mapper, AsyncConversationMapper)
        self._target, self._stream = await arun(self._flow(), mapper.client)
        return self

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        if self._stream is None:
            raise RuntimeError("use the stream in an async with block")
        async for event in self._stream:
            self._on_event(event)
            yield event

    @property
    def text(self) -> str:
        """The text received so far."""
        return self._stream.text if self._stream is not None else ""

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._stream is not None:
            await self._stream.__aexit__(exc_type, exc, tb)
