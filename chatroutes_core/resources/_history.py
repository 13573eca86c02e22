"""Reading a branch's full history: the pure pieces (which parent to read next, how to splice histories)
and the one flow that does it for both clients (``branches.get_history`` and the adapters).

The full history of a branch is its parent's history up to ``forkPointMessageId``, then its own messages;
a server may or may not include the inherited part. :func:`branch_history` costs **one request** when the
server includes it (the history starts at a root message and reports parents), and reads the branch list and
the ancestors only when it must assemble the history itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .._http.request import CallOptions
from ..flows import Flow, call
from ..models import Branch, Message

__all__ = ["BranchRead", "assemble", "branch_history", "finish", "parent_to_fetch", "read_branch"]


def parent_to_fetch(branch: Branch | None, own: Sequence[Message], seen: set[str]) -> str | None:
    """The parent whose history must be prepended, or None when ``own`` is already complete.

    None when the branch is a root, has no fork point, would close a cycle, or when the server already
    included the inherited part (the fork point message is among the branch's own messages).
    """
    if branch is None or not branch.parent_branch_id or not branch.fork_point_message_id:
        return None
    if branch.parent_branch_id in seen or any(m.id == branch.fork_point_message_id for m in own):
        return None
    return branch.parent_branch_id


def _splice(
    parent_history: Sequence[Message], fork_point: str | None, own: Sequence[Message]
) -> list[Message]:
    """Parent history up to and including the fork point, then the branch's own messages."""
    prefix: list[Message] = []
    for message in parent_history:
        prefix.append(message)
        if message.id == fork_point:
            break
    else:
        prefix = []  # the fork point is not in the parent's history: do not guess an inherited part
    return [*prefix, *own]


def finish(messages: Sequence[Message], branch_id: str) -> list[Message]:
    """Deduplicate by id (first wins); label every message with the branch it was seen through."""
    seen: set[str] = set()
    result: list[Message] = []
    for message in messages:
        if message.id in seen:
            continue
        seen.add(message.id)
        result.append(
            message if message.branch_id == branch_id else message.model_copy(update={"branch_id": branch_id})
        )
    return result


def assemble(chain: Sequence[tuple[Branch | None, Sequence[Message]]]) -> list[Message]:
    """Fold a child-to-root chain of (branch, own messages) into one history, root first."""
    history: list[Message] = list(chain[-1][1])
    for branch, own in reversed(chain[:-1]):
        history = _splice(history, branch.fork_point_message_id if branch else None, own)
    return history


def _self_contained(own: Sequence[Message]) -> bool:
    """The messages start at the conversation's root, as far as the server's parent ids tell."""
    return (
        len(own) > 1
        and own[0].parent_message_id is None
        and any(message.parent_message_id for message in own[1:])
    )


def branch_history(
    conversation_id: str,
    branch_id: str,
    branches: Sequence[Branch] | None = None,
    options: CallOptions | None = None,
) -> Flow[list[Message]]:
    """The branch's full history, deduplicated by id, every message labelled with ``branch_id``.

    ``branches`` (the conversation's branch list, if known) saves the GET of the list when the server
    leaves the inherited part out. ``options`` (per-call options) apply to every request.
    """
    options = options or {}
    own = yield from call(lambda c: c.branches.get_messages, conversation_id, branch_id).with_options(options)
    if branches is None:
        if _self_contained(own):
            return finish(own, branch_id)
        branches = yield from call(lambda c: c.branches.list, conversation_id).with_options(options)
    known = {branch.id: branch for branch in branches}
    chain: list[tuple[Branch | None, list[Message]]] = [(known.get(branch_id), own)]
    seen = {branch_id}
    current = parent_to_fetch(known.get(branch_id), own, seen)
    while current is not None:
        seen.add(current)
        read = call(lambda c: c.branches.get_messages, conversation_id, current).with_options(options)
        parent = yield from read
        chain.append((known.get(current), parent))
        current = parent_to_fetch(known.get(current), parent, seen)
    return finish(assemble(chain), branch_id)


@dataclass(frozen=True)
class BranchRead:
    """A read: the branch's id (known once read, for "the main branch") and its full history."""

    branch_id: str | None
    messages: list[Message]


def read_branch(
    conversation_id: str, branch_id: str | None, branches: Sequence[Branch] | None = None
) -> Flow[BranchRead]:
    """One branch's history; ``branch_id=None`` is the main branch (one GET, its id read off the messages)."""
    if branch_id is not None:
        return BranchRead(branch_id, (yield from branch_history(conversation_id, branch_id, branches)))
    main = next((b for b in branches or () if b.is_main), None)
    if main is not None:
        return BranchRead(main.id, (yield from branch_history(conversation_id, main.id, branches)))
    stored = yield from call(lambda c: c.messages.list, conversation_id)
    main_id = next((message.branch_id for message in stored if message.branch_id), None)
    return BranchRead(main_id, finish(stored, main_id) if main_id else list(stored))
