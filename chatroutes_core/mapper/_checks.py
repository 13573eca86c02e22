"""What a turn is checked for before its first request (pure): so a refused turn creates nothing.

A first turn creates a conversation, then sends; a server refusing the send (400) after the create left an
empty conversation behind. Whatever can be known before the first request is checked here: the generation
options (``temperature``, ``max_tokens``, a per-call ``timeout``), text that is not valid Unicode (a lone
surrogate, which no request body can carry), and tool results that answer no call. What only the server
knows (its content limit) is handled by the flow: the conversation or fork made for a refused turn is
deleted (``_flows.send``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatroutes_core._http.request import check_generation, check_timeout
from chatroutes_core.tools._calls import tool_call_id

from ._types import Binding, MappingError, Turn

__all__ = ["check_turn"]


def check_turn(turns: Sequence[Turn], binding: Binding | None, generation: Mapping[str, Any]) -> None:
    """Raise a ``UsageError`` (before any request) for bad generation options, invalid text or a tool
    result that answers no call of the assistant message before it."""
    check_generation(generation)
    if "timeout" in generation:
        check_timeout(generation["timeout"])
    for index, turn in enumerate(turns):
        _check_text(turn.content, f"message {index} ({turn.role})")
    _check_tool_results(turns, binding)


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MappingError(
            f"{where} is not valid Unicode: a lone surrogate at position {exc.start} (no request carries it)"
        ) from None


_OUR_CALL_POSITIONS = 64  # a reply of ours names its calls, valid or not, by message id and position


def _answers(turn: Turn, assistant: Turn) -> bool:
    """Whether the tool result ``turn`` answers a call of ``assistant`` (one of its parsed calls, or for a
    reply of ours any block position, so a result for a malformed call, which has no parsed call, fits)."""
    if any(call.id == turn.tool_call_id for call in assistant.tool_calls):
        return True
    if assistant.ref is None:
        return False
    message_id = assistant.ref.message_id
    return any(tool_call_id(message_id, i) == turn.tool_call_id for i in range(_OUR_CALL_POSITIONS))


def _check_tool_results(turns: Sequence[Turn], binding: Binding | None) -> None:
    assistant: Turn | None = None  # the last assistant turn so far
    for index, turn in enumerate(turns):
        if turn.role == "assistant":
            assistant = turn
        elif turn.role == "tool" and turn.tool_call_id is not None:
            if assistant is None and binding is not None and binding.conversation_id is not None:
                continue  # the call is in the bound conversation's history, on the server
            if assistant is None or not _answers(turn, assistant):
                made = ", ".join(call.id for call in assistant.tool_calls) if assistant else ""
                raise MappingError(
                    f"message {index} is a tool result for call {turn.tool_call_id!r}, but no assistant "
                    f"message before it made that call (the last one's calls: {made or 'none'})"
                )
