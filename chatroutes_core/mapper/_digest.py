"""Digests that prove a message list's prefix equals a branch's history, with no request.

Every reply the mapper returns carries, in its :class:`~chatroutes_core.mapper.TreeRef`:

* ``digest``: the *turns digest* of the list it ended. Turns are the user, assistant and tool messages (system
  text is excluded, so a RAG prompt that changes every turn continues the branch). The digest is a chain,
  ``d(i) = sha256(d(i-1) + canonical(turn i))``, from :data:`ROOT`, over a canonical, framework-free form of
  each turn (role, text, tool calls by name and arguments, the tool call a result answers).
* ``base``: the chain value just before the turns the reply answered (a trimmed list uses it).
* ``system_digest``: the digest of the system text in force (all system messages of the list, in order).

On the next call, :func:`prove` recomputes the chain over the caller's list: a reply is proven when the chain
reaches it with its own ``digest``. Messages read back from a branch get digests computed at read time
(:func:`annotate`), so a history's messages prove themselves the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ._types import TreeRef, Turn

ROOT = "0" * 32
"""The turns digest of an empty list."""

_SIZE = 32  # hex characters kept (128 bits)


def canonical(turn: Turn) -> str:
    """The framework-free form of one turn that digests are computed over.

    A plain user or assistant text is ``role U+001F text``; a turn with tool calls or a tool result is a JSON
    array (keys sorted), which never starts like the plain form.
    """
    if not turn.tool_calls and turn.role != "tool":
        return f"{turn.role}\x1f{turn.content}"
    payload: list[object] = [turn.role, turn.content]
    if turn.tool_calls:
        payload.append([[call.name, dict(call.arguments)] for call in turn.tool_calls])
    if turn.role == "tool":
        payload.append([turn.tool_call_id or "", turn.name or "", turn.is_error])
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def chain(previous: str, turn: Turn) -> str:
    """The turns digest after ``turn``, given the digest before it."""
    data = f"{previous}\x1e{canonical(turn)}".encode()
    return hashlib.sha256(data).hexdigest()[:_SIZE]


def chain_all(previous: str, turns: Sequence[Turn]) -> str:
    """The turns digest after every conversation turn of ``turns`` (system turns are skipped)."""
    for turn in turns:
        if turn.role != "system":
            previous = chain(previous, turn)
    return previous


def system_text(turns: Sequence[Turn]) -> str:
    """The system text in force: every system message of the list, in order, joined by a blank line."""
    return "\n\n".join(turn.content for turn in turns if turn.role == "system")


def system_digest(text: str) -> str:
    """The digest of a system text (the empty text has one too: "no system message")."""
    return hashlib.sha256(f"system\x1e{text}".encode()).hexdigest()[:_SIZE]


@dataclass(frozen=True)
class Proof:
    """What :func:`prove` found.

    Attributes:
        proven: index (into the turns) of the last reply proven to be where the list says; None: nothing.
        anchor: index of the last reply that carries a ref (the anchor), or None.
        digest: the turns digest at ``proven`` (:data:`ROOT` when nothing is proven).
        unverifiable: index of a reply whose ref has no digest (an old ref): a read must decide.
    """

    proven: int | None
    anchor: int | None
    digest: str = ROOT
    unverifiable: int | None = None

    @property
    def complete(self) -> bool:
        """Every reply up to the anchor is proven."""
        return self.anchor is not None and self.proven == self.anchor


def _anchor(turns: Sequence[Turn]) -> int | None:
    for index in range(len(turns) - 1, -1, -1):
        if turns[index].role == "assistant" and turns[index].ref is not None:
            return index
    return None


def prove(turns: Sequence[Turn]) -> Proof:
    """Check the list's replies against their digests, oldest first, stopping at the first that fails.

    A reply is proven when the chain over the list reaches it with its ``digest``. The first reply of the
    list is also proven when nothing precedes it, or when the turns before it chain from its ``base`` to
    its ``digest``: a trimmed list (``trim_messages``, a sliding window) is then a suffix of the branch. A
    trimmed list that later differs from the branch proves nothing (what it dropped is unknown).
    """
    anchor = _anchor(turns)
    running = ROOT
    proven: int | None = None
    proven_digest = ROOT
    conversation_turns: list[Turn] = []
    trimmed = False
    for index, turn in enumerate(turns):
        if turn.role == "system":
            continue
        conversation_turns.append(turn)
        running = chain(running, turn)
        ref = turn.ref if turn.role == "assistant" else None
        if ref is None:
            continue
        if ref.digest is None:
            return Proof(proven, anchor, proven_digest, unverifiable=index)
        first = proven is None
        suffix = first and (
            len(conversation_turns) == 1
            or (ref.base is not None and chain_all(ref.base, conversation_turns) == ref.digest)
        )
        if running != ref.digest and not suffix:
            if trimmed:
                # A trimmed list that then differs from the branch: what it dropped is unknown (it may have
                # been edited too), so nothing is shared; the list becomes a conversation of its own.
                return Proof(None, anchor)
            break
        trimmed = trimmed or (first and running != ref.digest)
        proven, proven_digest, running = index, ref.digest, ref.digest
    return Proof(proven, anchor, proven_digest)


def annotate(turns: Sequence[Turn]) -> list[Turn]:
    """Read-time digests: refs of stored turns (one branch's history, in order) gain ``digest``/``base``."""
    running = ROOT
    base = ROOT
    result: list[Turn] = []
    for turn in turns:
        if turn.role == "system":
            result.append(turn)
            continue
        running = chain(running, turn)
        if turn.ref is not None and turn.role == "assistant":
            turn = replace(turn, ref=replace(turn.ref, digest=running, base=base, system_digest=None))
            base = running
        result.append(turn)
    return result


def sealed(ref: TreeRef, before: str, base: str, system: str, reply: Turn) -> TreeRef:
    """The ref of a new reply: its digest chains ``reply`` (as the caller will see it) onto ``before``."""
    return replace(ref, digest=chain(before, reply), base=base, system_digest=system)
