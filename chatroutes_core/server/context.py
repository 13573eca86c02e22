"""Context assembly (what the responder sees for a send) and deterministic checkpoint summaries. Pure.

Rules, in order:

1. A checkpoint on the branch whose anchor is still in the branch's history wins: the context is the
   checkpoint's summary (as a system message) followed by the history after the anchor.
2. Otherwise ``contextMode`` decides how much of the *inherited* history (the parent's, up to the fork point)
   is kept: ``FULL`` all of it, ``PARTIAL`` the last ``partial_messages`` messages, ``MINIMAL`` only the fork
   point message. The branch's own messages are always kept.
3. The new user message comes last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .store import CheckpointRow, MessageRow
from .tokens import MESSAGE_OVERHEAD

SUMMARY_SNIPPET_WORDS = 12
SUMMARY_MAX_CHARS = 2000


class Turn(Protocol):
    """One message given to a responder: a :class:`ChatTurn` or a stored ``MessageRow`` as it is."""

    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...


@dataclass(frozen=True)
class ChatTurn:
    """One message given to a responder that is not a stored message (a summary, the new user text)."""

    role: str
    content: str


@dataclass(frozen=True)
class Context:
    messages: list[Turn]
    prior_count: int  # stored messages included (not the summary, not the new user message)
    checkpoint_used: bool
    truncated: bool  # fewer stored messages than the branch's full history
    prompt_tokens: int
    turn: int  # 1-based index of the new user message among the branch's user messages


def _snippet(text: str) -> str:
    words = text.split()
    cut = " ".join(words[:SUMMARY_SNIPPET_WORDS])
    return cut + (" …" if len(words) > SUMMARY_SNIPPET_WORDS else "")


def summarize(messages: Sequence[MessageRow], branch_title: str) -> str:
    """A deterministic summary: counts, then the first words of every message."""
    users = sum(1 for m in messages if m.role == "user")
    head = f"Summary of {len(messages)} messages ({users} user turns) on branch '{branch_title}'. "
    body = " | ".join(f"{m.role}: {_snippet(m.content)}" for m in messages)
    text = head + body
    return text if len(text) <= SUMMARY_MAX_CHARS else text[: SUMMARY_MAX_CHARS - 1] + "…"


def assemble(
    inherited: Sequence[MessageRow],
    own: Sequence[MessageRow],
    new_user_text: str,
    *,
    context_mode: str,
    checkpoint: CheckpointRow | None = None,
    partial_messages: int = 4,
) -> Context:
    """Build the responder's context for a new user message on a branch.

    Stored messages go into the context as they are (no per-message copies): a send on a long branch
    costs a few list operations per stored message, nothing more.
    """
    history = [*inherited, *own]
    turn = [m.role for m in history].count("user") + 1
    anchor = None
    if checkpoint is not None:
        anchor = next((i for i, m in enumerate(history) if m.id == checkpoint.anchor_message_id), None)
    summary: list[ChatTurn] = []
    if checkpoint is not None and anchor is not None:
        kept = history[anchor + 1 :]
        summary = [ChatTurn("system", f"Conversation so far (checkpoint summary): {checkpoint.summary}")]
    else:
        if context_mode == "MINIMAL":
            prefix = list(inherited[-1:])
        elif context_mode == "PARTIAL":
            prefix = list(inherited[-partial_messages:]) if partial_messages > 0 else []
        else:
            prefix = list(inherited)
        kept = [*prefix, *own]
    turns: list[Turn] = [*summary, *kept, ChatTurn("user", new_user_text)]
    # estimate_prompt_tokens, inlined: one token per four characters (rounded up) plus the overhead.
    tokens = sum([(len(t.content) + 3) // 4 for t in turns]) + MESSAGE_OVERHEAD * len(turns)
    return Context(
        messages=turns,
        prior_count=len(kept),
        checkpoint_used=bool(summary),
        truncated=len(kept) < len(history),
        prompt_tokens=tokens,
        turn=turn,
    )
