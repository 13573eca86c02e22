"""Branches of a history: the structure cache shared by histories, branch info, and the pure rules of
``clear`` and ``fork`` (which messages a branch owns, what blocks a clear, where a fork goes)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_core.messages import BaseMessage

from chatroutes_core.errors import UsageError
from langchain_chatroutes._history_plan import validate_id

if TYPE_CHECKING:
    from chatroutes_core.models import Branch

__all__ = [
    "BranchCache",
    "BranchInUseError",
    "BranchInfo",
    "check_clear",
    "fork_target",
    "fork_title",
    "own_messages",
]


class BranchCache:
    """Branch structure shared by the histories made with it (opt-in), e.g. one per turn by a factory.

    A branch's structure (its parent, its fork point, whether it is main) never changes once it exists, so
    histories given the same ``BranchCache`` share it: a history made per turn
    (``RunnableWithMessageHistory``) then never reads the branch list again, even on a server that leaves
    a fork's inherited part out of its messages. Messages are never cached: every read asks the server.

    Example:
        >>> from langchain_chatroutes import ChatRoutesChatMessageHistory
        >>> cache = BranchCache()
        >>> factory = lambda conversation_id, branch_id: ChatRoutesChatMessageHistory(
        ...     conversation_id, branch_id or None, client=client, branch_cache=cache)
        >>> factory(conv.id, "").messages, factory(conv.id, "").branch_cache is cache
        ([], True)
    """

    def __init__(self, maxsize: int = 64) -> None:
        if maxsize < 1:
            raise UsageError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[str, list[Branch]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> list[Branch] | None:
        """A copy of the conversation's known branches, or None."""
        with self._lock:
            entry = self._entries.get(conversation_id)
            if entry is None:
                return None
            self._entries.move_to_end(conversation_id)
            return list(entry)

    def put(self, conversation_id: str, branches: Sequence[Branch] | None) -> None:
        """Remember the conversation's branches (None forgets them)."""
        with self._lock:
            if branches is None:
                self._entries.pop(conversation_id, None)
                return
            self._entries[conversation_id] = list(branches)
            self._entries.move_to_end(conversation_id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def add(self, conversation_id: str, branch: Branch) -> None:
        """Remember one more branch of a conversation whose branches are known."""
        with self._lock:
            entry = self._entries.get(conversation_id)
            if entry is not None:
                entry.append(branch)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"BranchCache(maxsize={self.maxsize}, size={len(self)})"


class BranchInUseError(UsageError):
    """``clear()`` would delete a message another branch was forked at (nothing was deleted)."""


@dataclass(frozen=True)
class BranchInfo:
    """One alternate history of a conversation.

    Attributes:
        id: the branch id (pass it to :meth:`ChatRoutesChatMessageHistory.switch`).
        title: the branch title.
        is_main: whether this is the conversation's main branch.
        parent_branch_id: the branch it was forked from (None for the main branch).
        fork_point_message_id: the message it was forked at; its history inherits everything up to it.
        message_count: the messages the server reports for the branch (as the server counts them).
    """

    id: str
    title: str | None
    is_main: bool
    parent_branch_id: str | None
    fork_point_message_id: str | None
    message_count: int | None


def own_messages(history: Sequence[BaseMessage], branch: Branch | None) -> list[BaseMessage]:
    fork_point = branch.fork_point_message_id if branch is not None else None
    if fork_point is None:
        return list(history)
    ids = [m.id for m in history]
    return list(history[ids.index(fork_point) + 1 :]) if fork_point in ids else list(history)


def check_clear(branches: Sequence[Branch], own: Sequence[BaseMessage], branch_id: str | None) -> None:
    own_ids = {m.id for m in own}
    blocking = [b for b in branches if b.id != branch_id and b.fork_point_message_id in own_ids]
    if blocking:
        names = ", ".join(f"{b.id} ({b.title or 'untitled'})" for b in blocking)
        raise BranchInUseError(
            f"clear() would delete messages that other branches were forked at: {names}. "
            "Nothing was deleted; clear or delete those branches first."
        )


def fork_target(history: Sequence[BaseMessage], at_message_id: str | None) -> int:
    if not history:
        raise UsageError("this branch has no messages yet, so there is nothing to fork at")
    if at_message_id is None:
        return len(history) - 1
    target = validate_id(at_message_id, "at_message_id")
    for index, message in enumerate(history):
        if message.id == target:
            return index
    raise UsageError(f"message {target!r} is not in this branch's history, so it cannot be a fork point")


def fork_title(at: BaseMessage, limit: int = 40) -> str:
    """A fork's default title: the words of the message it forks after (the tree shows the message's id)."""
    words = " ".join(at.text.split()) if isinstance(at.text, str) else ""
    if len(words) > limit:
        words = (words[:limit].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]) + "…"
    return f"Fork after: {words}" if words else "Fork"
