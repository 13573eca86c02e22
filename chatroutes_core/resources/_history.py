"""The pure pieces of ``branches.get_history``: which parent to read next, and how to splice histories."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Branch, Message

__all__ = ["assemble", "finish", "parent_to_fetch"]


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
