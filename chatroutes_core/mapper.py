"""Message list <-> path in the conversation tree (shared by the LangChain and LlamaIndex adapters).

Agent frameworks call a chat model with the whole message list every time; ChatRoutes keeps the history on
its server and takes only the new user turn. This module joins the two, framework-neutrally: an adapter
converts its messages into :class:`Turn` objects, calls :meth:`ConversationMapper.send` (or ``stream``) and
converts the :class:`MappedReply` back, storing ``reply.ref`` on the assistant message it returns.

Public API::

    TreeRef(conversation_id, branch_id, message_id)   where a message sits (seen through branch_id)
    Turn(role, content, ref=None)                     one message; assistant turns we produced carry a ref
    Binding(conversation_id=None, branch_id=None)     the branch a model/history is bound to write to
    plan_turn(turns, binding, tips) -> Plan           pure decision (no I/O)
    TipCache(maxsize=1024)                            bounded, thread-safe LRU of branch tips we wrote to
    ConversationMapper(client, *, model="gpt-5", tips=None, title=None)
        .send(turns, binding=None, **generation) -> MappedReply   (.ref, .response, .message, .usage, .model)
        .stream(turns, binding=None, **generation) -> MappedStream
            with mapper.stream(turns) as s:            # does create/fork/lookup on enter
                for event in s: ...                     # core ContentEvent / CompleteEvent
            s.ref                                       # TreeRef of the reply (after completion)
    AsyncConversationMapper                           the same with ``await`` / ``async with`` / ``async for``
    MappingError(ValueError) > UnsupportedMessageError, EmptyTurnError

The decision (``generation`` is ``model``, ``temperature``, ``max_tokens``):

* The **anchor** is the last assistant turn with a ``ref``; the turns after it are the new turn.
* Anchor at the known tip of the target branch -> send on that branch: **1 request**.
* Anchor known to be earlier (an edit, a replay, LangGraph time travel) -> fork at the anchor, then send on
  the new branch: **2 requests**. Tip unknown -> one GET of the branch decides: **2 or 3 requests**.
* No anchor but bound -> the server already holds the history; send only the turns after the last assistant
  turn to the bound branch (main branch when only a conversation is bound): **1 request**.
* No anchor, unbound -> create a conversation and send the whole list as one transcript: **2 requests**.

A send that continues at a tip carries ``parentMessageId`` = the anchor. When another writer moved the tip
since this mapper last saw it (another process, another model instance, a merged branch), the server answers
409 and stores nothing; the mapper then forks at the anchor and sends there (**+2 requests**, only then), so
the branch the reply lands on always holds exactly the caller's list. A server that ignores the field keeps
the old behaviour.

A binding names the branch to write to; the anchor then only says where in that branch's full history the
caller stands. A branch freshly forked at message M has M as its tip, so a model bound to it continues there.

Rendering the new turn: consecutive user turns are joined by a blank line; system turns are rendered inline as
``[system] text``; when the segment holds assistant turns without a ref (a few-shot transcript, another
model's replies), every turn is labelled (``[user]``, ``[assistant]``, ``[system]``). Tool turns and roles
other than user/assistant/system raise :class:`UnsupportedMessageError` before any request. Adapters reject
non-text content blocks with the same error while converting.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from chatroutes_core._exceptions import ConflictError

if TYPE_CHECKING:
    from chatroutes_core._client import AsyncChatRoutesClient, ChatRoutesClient
    from chatroutes_core._streaming import AsyncMessageStream, MessageStream
    from chatroutes_core.models import Message, SendMessageResponse, StreamEvent, Usage

__all__ = [
    "AsyncConversationMapper",
    "AsyncMappedStream",
    "Binding",
    "ConversationMapper",
    "EmptyTurnError",
    "MappedReply",
    "MappedStream",
    "MappingError",
    "Plan",
    "TipCache",
    "TreeRef",
    "Turn",
    "UnsupportedMessageError",
    "plan_turn",
    "render_transcript",
]

Action = Literal["new", "bound", "continue", "fork", "check"]
_ROLES = ("user", "assistant", "system")
_TITLE_CHARS = 60


class MappingError(ValueError):
    """A message list that cannot be mapped onto the conversation tree (raised before any request)."""


class UnsupportedMessageError(MappingError):
    """A tool message, a non-text content block or an unknown role: the API takes text turns only."""


class EmptyTurnError(MappingError):
    """Nothing to send: the list is empty or has nothing after the anchor."""


@dataclass(frozen=True)
class TreeRef:
    """Where a message sits in the tree; ``branch_id`` is the branch it was seen through."""

    conversation_id: str
    branch_id: str
    message_id: str

    def as_dict(self) -> dict[str, str]:
        """The ``{"conversation_id", "branch_id", "message_id"}`` dict adapters store on messages."""
        return {
            "conversation_id": self.conversation_id,
            "branch_id": self.branch_id,
            "message_id": self.message_id,
        }

    @classmethod
    def from_dict(cls, data: object) -> TreeRef | None:
        """Read a ref back from such a dict; ``None`` unless all three ids are non-empty strings."""
        if not isinstance(data, dict):
            return None
        ids = [data.get(key) for key in ("conversation_id", "branch_id", "message_id")]
        if not all(isinstance(value, str) and value for value in ids):
            return None
        return cls(str(ids[0]), str(ids[1]), str(ids[2]))


@dataclass(frozen=True)
class Turn:
    """One message of the caller's list: ``role`` is ``user``, ``assistant`` or ``system``."""

    role: str
    content: str
    ref: TreeRef | None = None


@dataclass(frozen=True)
class Binding:
    """The conversation (and optionally branch) a model or history writes to."""

    conversation_id: str | None = None
    branch_id: str | None = None

    def __post_init__(self) -> None:
        if self.branch_id is not None and self.conversation_id is None:
            raise MappingError("a binding with a branch_id needs its conversation_id too")


@dataclass(frozen=True)
class Plan:
    """What :func:`plan_turn` decided; ``check`` means one GET must tell ``continue`` from ``fork``."""

    action: Action
    content: str
    conversation_id: str | None = None
    branch_id: str | None = None
    anchor: TreeRef | None = None

    def resolve(self, tip_message_id: str | None) -> Plan:
        """Turn a ``check`` plan into ``continue`` or ``fork`` given the branch's tip (``None``: unknown)."""
        if self.action != "check":
            return self
        assert self.anchor is not None
        at_tip = tip_message_id is not None and tip_message_id == self.anchor.message_id
        return Plan(
            "continue" if at_tip else "fork", self.content, self.conversation_id, self.branch_id, self.anchor
        )


class TipCache:
    """Bounded LRU of branch tips: ``(conversation_id, branch_id) -> message_id``. Thread-safe."""

    def __init__(self, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._tips: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str, branch_id: str) -> str | None:
        """The remembered tip, or ``None``."""
        with self._lock:
            key = (conversation_id, branch_id)
            tip = self._tips.get(key)
            if tip is not None:
                self._tips.move_to_end(key)
            return tip

    def set(self, conversation_id: str, branch_id: str, message_id: str) -> None:
        """Remember ``message_id`` as the branch's tip (evicting the least recently used beyond maxsize)."""
        with self._lock:
            key = (conversation_id, branch_id)
            self._tips[key] = message_id
            self._tips.move_to_end(key)
            while len(self._tips) > self.maxsize:
                self._tips.popitem(last=False)

    def forget(self, conversation_id: str, branch_id: str) -> None:
        """Drop what is known about one branch."""
        with self._lock:
            self._tips.pop((conversation_id, branch_id), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tips)

    def __repr__(self) -> str:
        return f"TipCache(maxsize={self.maxsize}, size={len(self)})"


def render_transcript(turns: Sequence[Turn]) -> str:
    """Render turns as the content of one user message (see the module docstring for the format)."""
    if not turns:
        raise EmptyTurnError("nothing to send: the new turn is empty")
    for turn in turns:
        if turn.role not in _ROLES:
            raise UnsupportedMessageError(
                f"ChatRoutes takes user, assistant and system text messages only; got a {turn.role!r} "
                "message (the API has no tool calling)"
            )
    if all(not turn.content.strip() for turn in turns):
        raise EmptyTurnError("nothing to send: the new turn has no text")
    labelled = any(turn.role == "assistant" for turn in turns)
    parts: list[str] = []
    previous_role: str | None = None
    for turn in turns:
        if turn.role == "user" and not labelled:
            if previous_role == "user":
                parts[-1] = f"{parts[-1]}\n\n{turn.content}"
            else:
                parts.append(turn.content)
        else:
            parts.append(f"[{turn.role}] {turn.content}")
        previous_role = turn.role
    return "\n\n".join(parts)


def _last_index(turns: Sequence[Turn], anchored: bool) -> int | None:
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if turn.role == "assistant" and (turn.ref is not None or not anchored):
            return index
    return None


def plan_turn(turns: Sequence[Turn], binding: Binding | None = None, tips: TipCache | None = None) -> Plan:
    """Decide how to send ``turns`` (pure; validates and renders the new turn, raising before any I/O).

    Example:
        >>> plan_turn([Turn("user", "Hi")]).action
        'new'
    """
    binding = binding or Binding()
    anchor_index = _last_index(turns, anchored=True)
    if anchor_index is None:
        if binding.conversation_id is None:
            return Plan("new", render_transcript(turns))
        last_assistant = _last_index(turns, anchored=False)
        trailing = turns if last_assistant is None else turns[last_assistant + 1 :]
        return Plan("bound", render_transcript(trailing), binding.conversation_id, binding.branch_id)
    anchor = turns[anchor_index].ref
    assert anchor is not None
    content = render_transcript(turns[anchor_index + 1 :])
    if binding.conversation_id is not None and binding.conversation_id != anchor.conversation_id:
        raise MappingError(
            f"the last ChatRoutes reply in the list belongs to conversation {anchor.conversation_id!r}, "
            f"but the model is bound to {binding.conversation_id!r}"
        )
    branch = binding.branch_id or anchor.branch_id
    tip = tips.get(anchor.conversation_id, branch) if tips is not None else None
    if tip is None:
        return Plan("check", content, anchor.conversation_id, branch, anchor)
    return Plan("check", content, anchor.conversation_id, branch, anchor).resolve(tip)


@dataclass(frozen=True)
class MappedReply:
    """The reply and where it landed (``ref``)."""

    ref: TreeRef
    response: SendMessageResponse
    follows: str | None = None
    """The message the turn was sent after with ``parentMessageId`` (a continue the server accepted, so the
    new user message provably came right after it), or None when nothing was proven (new, bound, fork)."""
    content: str = ""
    """The user message content as sent (and stored)."""

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


def _title_for(turns: Sequence[Turn], title: str | None) -> str:
    if title:
        return title
    for turn in turns:
        if turn.role == "user" and turn.content.strip():
            text = " ".join(turn.content.split())
            return text if len(text) <= _TITLE_CHARS else text[: _TITLE_CHARS - 1] + "…"
    return "New conversation"


def _fork_title(anchor: TreeRef) -> str:
    return f"Fork at {anchor.message_id}"


def _generation(model: str, generation: dict[str, Any]) -> dict[str, Any]:
    params = {key: value for key, value in generation.items() if value is not None}
    params.setdefault("model", model)
    return params


def _send_params(model: str, generation: dict[str, Any], plan: Plan, branch_id: str | None) -> dict[str, Any]:
    params = _generation(model, generation)
    if branch_id is not None:
        params["branch_id"] = branch_id
    if plan.action == "continue" and plan.anchor is not None:
        params["parent_message_id"] = plan.anchor.message_id  # the server refuses it if the tip moved
    return params


def _follows(plan: Plan) -> str | None:
    return plan.anchor.message_id if plan.action == "continue" and plan.anchor is not None else None


def _retry_as_fork(plan: Plan, exc: ConflictError) -> bool:
    return plan.action == "continue" and plan.anchor is not None and exc.status_code == 409


def _branch_of_reply(message: Message, fallback: str | None) -> str | None:
    return fallback or message.branch_id


class _MapperBase:
    def __init__(self, *, model: str, tips: TipCache | None, title: str | None) -> None:
        self.model = model
        self.tips = tips if tips is not None else TipCache()
        self.title = title

    def plan(self, turns: Sequence[Turn], binding: Binding | None = None) -> Plan:
        """The plan :meth:`send` would follow now (pure, uses this mapper's tips)."""
        return plan_turn(turns, binding, self.tips)

    def _record(self, conversation_id: str, branch_id: str | None, message: Message) -> TreeRef:
        branch = _branch_of_reply(message, branch_id)
        if branch is None:
            raise MappingError("the server did not say which branch the reply was stored on")
        self.tips.set(conversation_id, branch, message.id)
        return TreeRef(conversation_id, branch, message.id)


class ConversationMapper(_MapperBase):
    """Sends a message list as one turn on the right branch, using a :class:`ChatRoutesClient`.

    Example:
        >>> mapper = ConversationMapper(client)  # doctest: +SKIP
        >>> reply = mapper.send([Turn("user", "Hi")])  # doctest: +SKIP
        >>> mapper.send([Turn("user", "Hi"), Turn("assistant", reply.message.content, reply.ref),
        ...              Turn("user", "More")]).ref.branch_id == reply.ref.branch_id  # doctest: +SKIP
        True
    """

    def __init__(
        self,
        client: ChatRoutesClient,
        *,
        model: str = "gpt-5",
        tips: TipCache | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(model=model, tips=tips, title=title)
        self.client = client

    def prepare(self, turns: Sequence[Turn], binding: Binding | None = None) -> tuple[Plan, str, str | None]:
        """Plan, then do the requests before the send (create, tip lookup, fork): ``(plan, conv, branch)``."""
        plan = self.plan(turns, binding)
        if plan.action == "new":
            conversation = self.client.conversations.create(
                title=_title_for(turns, self.title), model=self.model
            )
            return plan, conversation.id, None
        conversation_id = plan.conversation_id
        assert conversation_id is not None
        if plan.action == "check":
            assert plan.branch_id is not None
            history = self.client.branches.get_messages(conversation_id, plan.branch_id)
            tip = history[-1].id if history else None
            if tip is not None:
                self.tips.set(conversation_id, plan.branch_id, tip)
            plan = plan.resolve(tip)
        if plan.action == "fork":
            return plan, conversation_id, self._fork(plan, conversation_id)
        return plan, conversation_id, plan.branch_id

    def _fork(self, plan: Plan, conversation_id: str) -> str:
        assert plan.anchor is not None
        branch = self.client.branches.fork(
            conversation_id, fork_point_message_id=plan.anchor.message_id, title=_fork_title(plan.anchor)
        )
        self.tips.set(conversation_id, branch.id, plan.anchor.message_id)
        return branch.id

    def _after_conflict(self, plan: Plan, conversation_id: str) -> tuple[Plan, str]:
        """The tip moved under us (409, nothing stored): fork at the anchor instead."""
        assert plan.branch_id is not None
        self.tips.forget(conversation_id, plan.branch_id)
        forked = Plan("fork", plan.content, conversation_id, plan.branch_id, plan.anchor)
        return forked, self._fork(forked, conversation_id)

    def send(self, turns: Sequence[Turn], binding: Binding | None = None, **generation: Any) -> MappedReply:
        """Send the new turn (``generation``: ``model``, ``temperature``, ``max_tokens``)."""
        plan, conversation_id, branch_id = self.prepare(turns, binding)
        params = _send_params(self.model, generation, plan, branch_id)
        try:
            response = self.client.messages.send(conversation_id, content=plan.content, **params)
        except ConflictError as exc:
            if not _retry_as_fork(plan, exc):
                raise
            plan, branch_id = self._after_conflict(plan, conversation_id)
            params = _send_params(self.model, generation, plan, branch_id)
            response = self.client.messages.send(conversation_id, content=plan.content, **params)
        return MappedReply(
            self._record(conversation_id, branch_id, response.message), response, _follows(plan), plan.content
        )

    def stream(
        self, turns: Sequence[Turn], binding: Binding | None = None, **generation: Any
    ) -> MappedStream:
        """A context-managed stream of core events; planning errors raise here, requests start on enter."""
        self.plan(turns, binding)
        return MappedStream(self, turns, binding, generation)


class MappedStream:
    """``with mapper.stream(turns) as s: for event in s: ...``; then ``s.ref`` and ``s.final``."""

    def __init__(
        self,
        mapper: ConversationMapper,
        turns: Sequence[Turn],
        binding: Binding | None,
        generation: dict[str, Any],
    ) -> None:
        self._mapper = mapper
        self._turns = list(turns)
        self._binding = binding
        self._generation = generation
        self._stream: MessageStream | None = None
        self.conversation_id: str | None = None
        self.branch_id: str | None = None
        self.ref: TreeRef | None = None

    def __enter__(self) -> MappedStream:
        mapper = self._mapper
        plan, self.conversation_id, self.branch_id = mapper.prepare(self._turns, self._binding)
        params = _send_params(mapper.model, self._generation, plan, self.branch_id)
        try:
            self._stream = mapper.client.messages.stream(
                self.conversation_id, content=plan.content, **params
            ).__enter__()
        except ConflictError as exc:
            if not _retry_as_fork(plan, exc):
                raise
            plan, self.branch_id = mapper._after_conflict(plan, self.conversation_id)
            params = _send_params(mapper.model, self._generation, plan, self.branch_id)
            self._stream = mapper.client.messages.stream(
                self.conversation_id, content=plan.content, **params
            ).__enter__()
        return self

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._stream is None:
            raise RuntimeError("use the stream in a with block")
        for event in self._stream:
            if event.type == "complete":
                assert self.conversation_id is not None
                self.ref = self._mapper._record(self.conversation_id, self.branch_id, event.message)
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


class AsyncConversationMapper(_MapperBase):
    """:class:`ConversationMapper` on an :class:`AsyncChatRoutesClient` (same decisions, same counts)."""

    def __init__(
        self,
        client: AsyncChatRoutesClient,
        *,
        model: str = "gpt-5",
        tips: TipCache | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(model=model, tips=tips, title=title)
        self.client = client

    async def prepare(
        self, turns: Sequence[Turn], binding: Binding | None = None
    ) -> tuple[Plan, str, str | None]:
        """Plan, then do the requests before the send (create, tip lookup, fork): ``(plan, conv, branch)``."""
        plan = self.plan(turns, binding)
        if plan.action == "new":
            conversation = await self.client.conversations.create(
                title=_title_for(turns, self.title), model=self.model
            )
            return plan, conversation.id, None
        conversation_id = plan.conversation_id
        assert conversation_id is not None
        if plan.action == "check":
            assert plan.branch_id is not None
            history = await self.client.branches.get_messages(conversation_id, plan.branch_id)
            tip = history[-1].id if history else None
            if tip is not None:
                self.tips.set(conversation_id, plan.branch_id, tip)
            plan = plan.resolve(tip)
        if plan.action == "fork":
            return plan, conversation_id, await self._fork(plan, conversation_id)
        return plan, conversation_id, plan.branch_id

    async def _fork(self, plan: Plan, conversation_id: str) -> str:
        assert plan.anchor is not None
        branch = await self.client.branches.fork(
            conversation_id, fork_point_message_id=plan.anchor.message_id, title=_fork_title(plan.anchor)
        )
        self.tips.set(conversation_id, branch.id, plan.anchor.message_id)
        return branch.id

    async def _after_conflict(self, plan: Plan, conversation_id: str) -> tuple[Plan, str]:
        """The tip moved under us (409, nothing stored): fork at the anchor instead."""
        assert plan.branch_id is not None
        self.tips.forget(conversation_id, plan.branch_id)
        forked = Plan("fork", plan.content, conversation_id, plan.branch_id, plan.anchor)
        return forked, await self._fork(forked, conversation_id)

    async def send(
        self, turns: Sequence[Turn], binding: Binding | None = None, **generation: Any
    ) -> MappedReply:
        """Send the new turn and return the reply (see :meth:`ConversationMapper.send`)."""
        plan, conversation_id, branch_id = await self.prepare(turns, binding)
        params = _send_params(self.model, generation, plan, branch_id)
        try:
            response = await self.client.messages.send(conversation_id, content=plan.content, **params)
        except ConflictError as exc:
            if not _retry_as_fork(plan, exc):
                raise
            plan, branch_id = await self._after_conflict(plan, conversation_id)
            params = _send_params(self.model, generation, plan, branch_id)
            response = await self.client.messages.send(conversation_id, content=plan.content, **params)
        return MappedReply(
            self._record(conversation_id, branch_id, response.message), response, _follows(plan), plan.content
        )

    def stream(
        self, turns: Sequence[Turn], binding: Binding | None = None, **generation: Any
    ) -> AsyncMappedStream:
        """``async with mapper.stream(turns) as s: async for event in s: ...``."""
        self.plan(turns, binding)
        return AsyncMappedStream(self, turns, binding, generation)


class AsyncMappedStream:
    """The async twin of :class:`MappedStream`."""

    def __init__(
        self,
        mapper: AsyncConversationMapper,
        turns: Sequence[Turn],
        binding: Binding | None,
        generation: dict[str, Any],
    ) -> None:
        self._mapper = mapper
        self._turns = list(turns)
        self._binding = binding
        self._generation = generation
        self._stream: AsyncMessageStream | None = None
        self.conversation_id: str | None = None
        self.branch_id: str | None = None
        self.ref: TreeRef | None = None

    async def __aenter__(self) -> AsyncMappedStream:
        mapper = self._mapper
        plan, self.conversation_id, self.branch_id = await mapper.prepare(self._turns, self._binding)
        params = _send_params(mapper.model, self._generation, plan, self.branch_id)
        try:
            self._stream = await mapper.client.messages.stream(
                self.conversation_id, content=plan.content, **params
            ).__aenter__()
        except ConflictError as exc:
            if not _retry_as_fork(plan, exc):
                raise
            plan, self.branch_id = await mapper._after_conflict(plan, self.conversation_id)
            params = _send_params(mapper.model, self._generation, plan, self.branch_id)
            self._stream = await mapper.client.messages.stream(
                self.conversation_id, content=plan.content, **params
            ).__aenter__()
        return self

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        if self._stream is None:
            raise RuntimeError("use the stream in an async with block")
        async for event in self._stream:
            if event.type == "complete":
                assert self.conversation_id is not None
                self.ref = self._mapper._record(self.conversation_id, self.branch_id, event.message)
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
