"""A branch's stored messages as mapper turns, with read-time digests (shared by both adapters' histories)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from chatroutes_core.models import Message

from ._digest import annotate
from ._types import TreeRef, Turn


def stored_turns(message: Message, ref: TreeRef) -> list[Turn]:
    """One stored message as turns (a stored user message may hold several tool results)."""
    role = message.role if message.role in ("user", "assistant", "system") else "user"
    return [Turn(role, message.content, ref)]


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
