"""The pure decision: how to send a message list (continue, fork, bound, new), and the turn's text."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from chatroutes_core.tools import ToolCall, ToolResult, render_tool_calls, render_tool_results

from .._exceptions import UsageError
from ._digest import ROOT, Proof, chain_all, prove, system_digest, system_text
from ._types import ROLES, Binding, EmptyTurnError, MappingError, TreeRef, Turn, UnsupportedMessageError

Action = Literal["new", "bound", "continue", "fork", "check", "read"]

NO_SYSTEM = "[system] (no system instructions apply from here on)"
"""Sent when the list drops the system text that was in force on the branch."""


@dataclass(frozen=True)
class BranchState:
    """What the client knows about a branch it wrote to: its tip and the system text in force there."""

    tip: str
    system_digest: str | None = None


class TipCache:
    """Bounded LRU of branch states: ``(conversation_id, branch_id) -> tip`` (and system digest).

    Thread-safe: one lock guards the entries it holds.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> TipCache:
        return self  # shared by design: a deep copy of a model shares its branch tips, as bind() copies do

    def __init__(self, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise UsageError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._states: OrderedDict[tuple[str, str], BranchState] = OrderedDict()
        self._lock = threading.Lock()

    def state(self, conversation_id: str, branch_id: str) -> BranchState | None:
        """The remembered state, or ``None``."""
        with self._lock:
            key = (conversation_id, branch_id)
            state = self._states.get(key)
            if state is not None:
                self._states.move_to_end(key)
            return state

    def get(self, conversation_id: str, branch_id: str) -> str | None:
        """The remembered tip, or ``None``."""
        state = self.state(conversation_id, branch_id)
        return state.tip if state is not None else None

    def set(
        self, conversation_id: str, branch_id: str, message_id: str, system_digest: str | None = None
    ) -> None:
        """Remember ``message_id`` as the branch's tip (evicting the least recently used beyond maxsize)."""
        with self._lock:
            key = (conversation_id, branch_id)
            self._states[key] = BranchState(message_id, system_digest)
            self._states.move_to_end(key)
            while len(self._states) > self.maxsize:
                self._states.popitem(last=False)

    def forget(self, conversation_id: str, branch_id: str) -> None:
        """Drop what is known about one branch."""
        with self._lock:
            self._states.pop((conversation_id, branch_id), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._states)

    def __repr__(self) -> str:
        return f"TipCache(maxsize={self.maxsize}, size={len(self)})"


# --- rendering ------------------------------------------------------------------------------------------


def _tool_calls_text(turn: Turn) -> str:
    calls = [ToolCall(call.id, call.name, dict(call.arguments)) for call in turn.tool_calls]
    return "\n".join(part for part in [turn.content, render_tool_calls(calls) if calls else ""] if part)


def _tool_results_text(turns: Sequence[Turn]) -> str:
    return render_tool_results(
        [ToolResult(t.tool_call_id or "", t.name or "", t.content, t.is_error) for t in turns]
    )


def _validate(turns: Sequence[Turn]) -> None:
    for turn in turns:
        if turn.role not in ROLES:
            raise UnsupportedMessageError(
                "ChatRoutes takes user, assistant, system and tool messages only; "
                f"got a {turn.role!r} message"
            )


def render_transcript(turns: Sequence[Turn]) -> str:
    """Render turns as the content of one user message.

    Consecutive user turns are joined by a blank line; system turns are rendered inline as
    ``[system] text``; tool results as ``<tool_response>`` blocks; when the turns hold an assistant turn (a
    few-shot transcript, another model's replies, a forked path) every turn is labelled (``[user]``,
    ``[assistant]``, ``[system]``) and an assistant's tool calls follow its text as ``<tool_call>`` blocks.
    """
    if not turns:
        raise EmptyTurnError("nothing to send: the new turn is empty")
    _validate(turns)
    if all(not turn.content.strip() and not turn.tool_calls for turn in turns):
        raise EmptyTurnError("nothing to send: the new turn has no text")
    labelled = any(turn.role == "assistant" for turn in turns)
    parts: list[str] = []
    previous: str | None = None
    results: list[Turn] = []
    for turn in turns:
        if turn.role == "tool":
            results.append(turn)  # one step's results travel together, one block each, in call order
            if previous != "tool":
                parts.append("")
            parts[-1] = _tool_results_text(results)
        elif turn.role == "user" and not labelled:
            if previous == "user":
                parts[-1] = f"{parts[-1]}\n\n{turn.content}"
            else:
                parts.append(turn.content)
        elif turn.role == "assistant":
            parts.append(f"[assistant] {_tool_calls_text(turn)}")
        else:
            parts.append(f"[{turn.role}] {turn.content}")
        if turn.role != "tool":
            results = []
        previous = turn.role
    return "\n\n".join(parts)


def _segment(turns: Sequence[Turn], system: str | None) -> str:
    """The system text (when it must be sent) first, then the conversation turns."""
    body = [turn for turn in turns if turn.role != "system"]
    if not body:
        _validate(turns)
        raise EmptyTurnError("nothing to send: no user or tool message after the last reply")
    text = render_transcript(body)
    if system is None:
        return text
    return f"{f'[system] {system}' if system else NO_SYSTEM}\n\n{text}"


# --- the plan -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What :func:`plan_turn` decided.

    ``check``: the anchor's tip is unknown; the flow sends optimistically (servers that enforce
    ``parentMessageId``) or reads the tip first. ``read``: a reply's ref has no digest; the flow reads the
    branch and plans again with read-time digests.

    Attributes:
        anchor: the message the turn follows (continue) or the fork point (fork).
        before: the turns digest of the whole list (a reply's own digest chains onto it).
        base: the turns digest just before the turns sent.
        system_digest: the digest of the list's system text (what is in force after this turn).
    """

    action: Action
    content: str
    conversation_id: str | None = None
    branch_id: str | None = None
    anchor: TreeRef | None = None
    before: str = ROOT
    base: str = ROOT
    system_digest: str = ""

    def resolve(self, tip_message_id: str | None) -> Plan:
        """Turn a ``check`` plan into ``continue`` or ``fork`` given the branch's tip (``None``: unknown)."""
        if self.action != "check":
            return self
        assert self.anchor is not None
        at_tip = tip_message_id is not None and tip_message_id == self.anchor.message_id
        return replace(self, action="continue" if at_tip else "fork")


def _changed_system(text: str, digest: str, known: str | None) -> str | None:
    """The system text to send with the turn, or None when the branch already has it in force."""
    if known == digest:
        return None
    if known is None and not text:
        return None  # nothing known, nothing to say
    return text


def plan_turn(turns: Sequence[Turn], binding: Binding | None = None, tips: TipCache | None = None) -> Plan:
    """Decide how to send ``turns`` (pure; validates and renders the new turn, raising before any I/O).

    Example:
        >>> plan_turn([Turn("user", "Hi")]).action
        'new'
    """
    binding = binding or Binding()
    _validate(turns)
    system = system_text(turns)
    sys_digest = system_digest(system)
    proof = prove(turns)
    if proof.proven is None:
        before = chain_all(ROOT, turns)  # (otherwise it chains from the proven reply, below)
    if proof.unverifiable is not None:
        ref = turns[proof.unverifiable].ref
        assert ref is not None
        return Plan("read", "", ref.conversation_id, binding.branch_id or ref.branch_id, ref,
                    system_digest=sys_digest)  # fmt: skip
    if proof.anchor is None:
        return _unanchored(turns, binding, tips, system, sys_digest, before)
    if proof.proven is None:
        # The list shares nothing provable with any branch: a new conversation with the list as transcript.
        return Plan("new", _segment(turns, system or None), before=before, system_digest=sys_digest)
    at = turns[proof.proven]
    anchor = at.ref
    assert anchor is not None
    if binding.conversation_id is not None and binding.conversation_id != anchor.conversation_id:
        raise MappingError(
            f"the last ChatRoutes reply in the list belongs to conversation {anchor.conversation_id!r}, "
            f"but the model is bound to {binding.conversation_id!r}"
        )
    known = anchor.system_digest
    if known is None and tips is not None:
        # A ref read back from a branch: the system text in force is known if this client wrote that tip.
        state = tips.state(anchor.conversation_id, binding.branch_id or anchor.branch_id)
        known = state.system_digest if state is not None and state.tip == anchor.message_id else None
    content = _segment(turns[proof.proven + 1 :], _changed_system(system, sys_digest, known))
    # The reply's digest continues the branch's own chain (a trimmed list's turns hash from the proven reply).
    before = chain_all(proof.digest, turns[proof.proven + 1 :])
    if not proof.complete:
        # A reply after the proven one differs from what the branch holds: fork at the last shared reply.
        return Plan("fork", content, anchor.conversation_id, None, anchor, before, proof.digest, sys_digest)
    branch = binding.branch_id or anchor.branch_id
    plan = Plan("check", content, anchor.conversation_id, branch, anchor, before, proof.digest, sys_digest)
    tip = tips.get(anchor.conversation_id, branch) if tips is not None else None
    return plan if tip is None else plan.resolve(tip)


def _unanchored(
    turns: Sequence[Turn],
    binding: Binding,
    tips: TipCache | None,
    system: str,
    sys_digest: str,
    before: str,
) -> Plan:
    if binding.conversation_id is None:
        return Plan("new", _segment(turns, system or None), before=before, system_digest=sys_digest)
    # Bound: the server already holds the history; send only what follows the last assistant turn.
    last = max((i for i, turn in enumerate(turns) if turn.role == "assistant"), default=-1)
    known = None
    if tips is not None and binding.branch_id is not None:
        state = tips.state(binding.conversation_id, binding.branch_id)
        known = state.system_digest if state is not None else None
    content = _segment(turns[last + 1 :], _changed_system(system, sys_digest, known))
    base = chain_all(ROOT, turns[: last + 1])
    return Plan("bound", content, binding.conversation_id, binding.branch_id, None, before, base, sys_digest)


__all__ = ["NO_SYSTEM", "BranchState", "Plan", "Proof", "TipCache", "plan_turn", "render_transcript"]
