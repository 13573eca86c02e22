"""A branch's stored messages as mapper turns, with read-time digests (shared by both adapters' histories)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from chatroutes_core.models import Message
from chatroutes_core.tools import parse_reply, parse_tool_results

from ._digest import annotate
from ._types import ToolCallTurn, TreeRef, Turn


def stored_turns(message: Message, ref: TreeRef) -> list[Turn]:
    """One stored message as turns: a reply with ``<tool_call>`` blocks is text plus tool calls (ids from the
    message id and position, so every read gives the same ids); a user message made only of
    ``<tool_response>`` blocks is one tool turn per result."""
    if message.role == "assistant":
        parsed = parse_reply(message.content, message.id)
        if not parsed.tool_calls:
            return [Turn("assistant", message.content, ref)]
        calls = tuple(ToolCallTurn(c.id, c.name, c.arguments) for c in parsed.tool_calls)
        return [Turn("assistant", parsed.text, ref, calls)]
    if message.role == "system":
        return [Turn("system", message.content, ref)]
    results = parse_tool_results(message.content)
    if results:
        return [
            Turn("tool", r.content, ref, tool_call_id=r.tool_call_id, name=r.name, is_error=r.is_error)
            for r in results
        ]
    return [Turn("user", message.content, ref)]


def history_turns(messages: Sequence[Message], conversation_id: str, branch_id: str) -> list[Turn]:
    """A branch's full history (as ``branches.get_history`` returns it) as turns whose replies prove it.

    Every turn's ref names ``branch_id`` (the branch it was seen through); assistant turns carry digests
    computed over the history read, so passing them back as a list proves the prefix with no request.
    """
    turns: list[Turn] = []
    for message in messages:
        turns.extend(stored_turns(message, TreeRef(conversation_id, branch_id, message.id)))
    return annotate(turns)


def with_read_digests(turns: Sequence[Turn], read: Sequence[Turn]) -> list[Turn]:
    """Give refs without a digest the digest read from the branch; drop refs the branch does not hold."""
    known = {turn.ref.message_id: turn.ref for turn in read if turn.ref is not None and turn.ref.digest}
    result: list[Turn] = []
    for turn in turns:
        if turn.role == "assistant" and turn.ref is not None and turn.ref.digest is None:
            found = known.get(turn.ref.message_id)
            turn = replace(turn, ref=found)
        result.append(turn)
    return result


__all__ = ["history_turns", "stored_turns", "with_read_digests"]
