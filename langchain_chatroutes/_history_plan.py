"""Pure decisions for ``ChatRoutesChatMessageHistory.add_messages``: what is already stored, what to send.

No I/O here. ``plan_add`` looks at a batch of LangChain messages and the ids the history already knows, and
returns which user turn (if any) must be sent, and which ChatRoutes reply (if any) the batch ends on. Every
message is checked before anything is written. ``check_unread`` runs first, before the branch is read: it
raises whatever ``plan_add`` would raise whatever the branch holds, so such a batch fails before the first
request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage

from chatroutes_core.errors import ForeignMessageError, UsageError
from chatroutes_core.integration import check_id
from chatroutes_core.mapper import TreeRef, Turn, plan_turn
from chatroutes_core.models import Message
from langchain_chatroutes._convert import METADATA_KEY, message_to_turn, ref_of, reply_metadata

__all__ = [
    "Done",
    "ForeignMessageError",
    "Place",
    "Plan",
    "check_unread",
    "message_ref",
    "plan_add",
    "relabel",
    "stored_to_message",
    "turn_to_message",
    "validate_id",
]

_MAX_ID_LENGTH = 256

PAIRING_HINT = (
    "ChatRoutes writes assistant replies itself, so this history cannot store a reply generated elsewhere. "
    "Pair the history with ChatChatRoutes: use ChatChatRoutes as the model (its replies carry their "
    "ChatRoutes ids and are recognised as already stored), and bind it to the same branch, e.g. "
    'config={"configurable": {"chatroutes_conversation_id": history.conversation_id, '
    '"chatroutes_branch_id": history.branch_id}} (RunnableWithMessageHistory does this for you with '
    "history_factory_config keys chatroutes_conversation_id and chatroutes_branch_id). "
    "To send a new user turn through the history, add only the HumanMessage: ChatRoutes stores "
    "it with its reply."
)


@dataclass(frozen=True)
class Plan:
    """What ``add_messages`` must do.

    Attributes:
        send: the new user/system turns to send as one ChatRoutes turn (the mapper joins them), or empty.
        reply: the ChatRoutes reply the batch ends on when nothing is to be sent, or None.
        stored: how many messages of the batch were recognised as already on the server.
    """

    send: tuple[Turn, ...]
    reply: TreeRef | None
    stored: int
    reply_turns: tuple[Turn, ...] = ()
    """The new turns directly before ``reply`` (the model sent them in the turn that produced it)."""


def validate_id(value: object, name: str, *, allow_empty: bool = False) -> str | None:
    """Return ``value`` as an id, or None; raise :class:`~chatroutes_core.UsageError` for anything else.

    Ids are what the client accepts (:func:`chatroutes_core.integration.check_id`: no whitespace, control
    character or URL delimiter), checked here in the constructor, and at most 256 characters.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string or None, got {type(value).__name__}")
    if value == "":
        if allow_empty:
            return None
        raise UsageError(f"{name} must not be empty (pass None to let the history create one)")
    if len(value) > _MAX_ID_LENGTH:
        raise UsageError(f"{name} is longer than {_MAX_ID_LENGTH} characters")
    return check_id(value, name)


def message_ref(message: BaseMessage) -> TreeRef | None:
    """The ChatRoutes place of a message: ``response_metadata`` (replies) or ``additional_kwargs`` (any)."""
    return ref_of(message) or TreeRef.from_dict(message.additional_kwargs.get(METADATA_KEY))


def _require_message(position: int, message: object) -> None:
    if not isinstance(message, BaseMessage):
        raise UsageError(f"message {position} is a {type(message).__name__}, not a LangChain message")


def _require_conversation(position: int, ref: TreeRef, conversation_id: str | None) -> None:
    if conversation_id is not None and ref.conversation_id != conversation_id:
        raise ForeignMessageError(
            f"message {position} belongs to ChatRoutes conversation {ref.conversation_id!r}, "
            f"not to this history's conversation {conversation_id!r}; nothing was written"
        )


def _stored_after_new(position: int) -> ForeignMessageError:
    return ForeignMessageError(
        f"message {position} is already stored but follows new messages that are not; "
        "add new user turns after the stored history"
    )


def _sendable(position: int, turn: Turn) -> Turn:
    """``turn`` (of a message the server does not hold) if the history can send it; raises otherwise."""
    if turn.role == "tool":
        raise ForeignMessageError(
            f"message {position} is a tool result; it reaches ChatRoutes with the model's next turn "
            "(pass it to ChatChatRoutes), not through the history; nothing was written"
        )
    if turn.role == "assistant":
        raise ForeignMessageError(
            f"message {position} is an assistant reply that ChatRoutes did not generate; "
            f"nothing was written. {PAIRING_HINT}"
        )
    return turn


def check_unread(messages: Sequence[BaseMessage], *, conversation_id: str | None) -> None:
    """Raise now what :func:`plan_add` would raise whatever the branch holds (so before it is read).

    Only a message with an id and no ref needs the branch: the server may hold it. Everything else is
    checked here: what is not a LangChain message, unknown roles and non-text blocks, tool results, an
    assistant reply with neither ref nor id, a ref into another conversation, a stored message after new
    ones, and trailing new turns with nothing to send (blank, or system text only) unless the last of
    them may be stored. A message that is blank, not text or a tool result is never one the server holds
    (it reads text turns back, tool results with their ref), so an id does not save it.
    """
    tail: list[Turn] = []  # the trailing new turns, as long as the branch could make them
    certainly_new = last_may_be_stored = False
    for position, message in enumerate(messages):
        _require_message(position, message)
        if (ref := message_ref(message)) is not None:
            _require_conversation(position, ref, conversation_id)
            if certainly_new and not isinstance(message, AIMessage):
                raise _stored_after_new(position)
            tail, certainly_new = [], False
            continue
        turn = message_to_turn(message)  # unknown roles and non-text blocks raise here
        if turn.role == "assistant" and message.id is not None:
            tail, certainly_new = [], False  # stored (then skipped) or foreign: only the read can tell
            continue
        tail.append(_sendable(position, turn))
        last_may_be_stored = message.id is not None and bool(turn.content.strip())
        certainly_new = certainly_new or not last_may_be_stored
    if tail and not last_may_be_stored:
        plan_turn(tail)  # the send's own rule: EmptyTurnError when the turn has nothing to send


def plan_add(
    messages: Sequence[BaseMessage],
    *,
    known: Mapping[str, TreeRef],
    conversation_id: str | None,
) -> Plan:
    """Decide what to write for ``messages``; raises ``ForeignMessageError`` before any write.

    Rules:
        * A message with a ChatRoutes ref, or whose id is in ``known`` (id -> ref of what the history holds),
          is stored: skipped.
        * New user (and system) messages directly followed by a ChatRoutes reply were sent by the model
          that produced that reply (``ChatChatRoutes`` stores the turn with its reply): skipped.
        * New user/system messages at the end of the batch are one turn to send (the mapper joins them).
        * An assistant message without a ChatRoutes ref, a tool message, or a ref into another
          conversation cannot be stored: ``ForeignMessageError``.
    """
    pending: list[Turn] = []
    reply: TreeRef | None = None
    reply_turns: tuple[Turn, ...] = ()
    stored = 0
    for position, message in enumerate(messages):
        _require_message(position, message)
        ref = message_ref(message) or (known.get(message.id) if message.id is not None else None)
        if ref is not None:
            _require_conversation(position, ref, conversation_id)
            if isinstance(message, AIMessage):
                stored += len(pending)
                reply_turns = tuple(pending)
                pending.clear()
                reply = ref
            elif pending:
                raise _stored_after_new(position)
            stored += 1
            continue
        pending.append(_sendable(position, message_to_turn(message)))  # roles and blocks raise here
    if pending:
        return Plan(send=tuple(pending), reply=None, stored=stored)
    return Plan(send=(), reply=reply, stored=stored, reply_turns=reply_turns)


def turn_to_message(turn: Turn) -> BaseMessage:
    """A turn read from a branch as a LangChain message carrying its ChatRoutes id and ``ref``.

    Assistant messages get the same ``response_metadata`` as a ``ChatChatRoutes`` reply (read-time digests
    included), so the model continues from them; user and system messages carry the ref in
    ``additional_kwargs``.
    """
    ref = turn.ref
    assert ref is not None
    if turn.role == "assistant":
        calls = [
            ToolCall(name=call.name, args=dict(call.arguments), id=call.id, type="tool_call")
            for call in turn.tool_calls
        ]
        return AIMessage(
            content=turn.content,
            id=ref.message_id,
            tool_calls=calls,
            response_metadata=reply_metadata(ref, None, "tool_calls" if calls else "stop"),
        )
    kwargs = {METADATA_KEY: ref.as_dict()}
    if turn.role == "tool":  # one stored user message holds every result of an agent step
        return ToolMessage(
            content=turn.content, tool_call_id=turn.tool_call_id or "", name=turn.name,
            status="error" if turn.is_error else "success", additional_kwargs=kwargs,
        )  # fmt: skip
    if turn.role == "system":
        return SystemMessage(content=turn.content, id=ref.message_id, additional_kwargs=kwargs)
    return HumanMessage(content=turn.content, id=ref.message_id, additional_kwargs=kwargs)


def stored_to_message(message: Message, ref: TreeRef) -> BaseMessage:
    """One stored message as a LangChain message (no digest: it is not read as part of a history)."""
    return turn_to_message(Turn(message.role if message.role in ("assistant", "system") else "user",
                                message.content, ref))  # fmt: skip


def relabel(message: BaseMessage, branch_id: str) -> BaseMessage:
    """The same message seen through another branch (a fork inherits its parent's prefix)."""
    ref = message_ref(message)
    if ref is None:
        return message
    moved = ref.seen_through(branch_id).as_dict()
    if METADATA_KEY in message.response_metadata:
        return message.model_copy(
            update={"response_metadata": {**message.response_metadata, METADATA_KEY: moved}}
        )
    return message.model_copy(
        update={"additional_kwargs": {**message.additional_kwargs, METADATA_KEY: moved}}
    )


# -- a flow's outcome (the history applies it in one place) --------------------------------------------


T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    """Where a history stands: the snapshot a flow starts from, and where it says the history is after."""

    conversation_id: str | None
    branch_id: str | None


@dataclass(frozen=True)
class Done(Generic[T]):
    """A flow's outcome: its value, where the history stands after it, and whether it wrote (a write moves
    the history whatever else happened meanwhile) or replied (``value`` is the new :attr:`last_reply`)."""

    value: T
    at: Place
    wrote: bool = False
    replied: bool = False
