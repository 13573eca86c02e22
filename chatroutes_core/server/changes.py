"""The change feed: what was written, per API key, as numbered events (a service: no HTTP here).

After a write request under ``/api/v1`` succeeds (2xx, not an idempotent replay), the HTTP layer's hook
(:mod:`chatroutes_core.server.routes.changes`, which also serves ``GET /api/v1/_changes`` as SSE) publishes
one :class:`Change` to the :class:`ChangeFeed` for the owner (the hash of the request's key):
``{"conversationId", "branchId", "kind", "id", "version"}`` with ``kind`` one of ``message``, ``branch``,
``conversation``, ``checkpoint``. A streamed send is published when its stream ends. ``version`` is one
counter for the whole feed, so a reader resumes with ``since=<last version seen>``; the feed keeps the last
``keep`` changes of each owner (an older ``since`` gets a ``reset`` event: read everything again).

Readers in the same process (the explorer mounted by ``chatroutes serve``) subscribe directly; others read
``GET /api/v1/_changes?since=N`` with their key. Another key's changes are never visible.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["RESET", "Change", "ChangeFeed", "Kind", "Reset"]

Kind = Literal["message", "branch", "conversation", "checkpoint"]
Reset = Literal["reset"]
RESET: Reset = "reset"
"""What :meth:`ChangeFeed.follow` yields when a reader's ``since`` is older than the changes still kept."""


@dataclass(frozen=True)
class Change:
    version: int
    conversation_id: str | None
    branch_id: str | None
    kind: Kind
    id: str | None

    def json(self) -> dict[str, Any]:
        return {"conversationId": self.conversation_id, "branchId": self.branch_id, "kind": self.kind,
                "id": self.id, "version": self.version}  # fmt: skip


class Subscription:
    """A reader's queue of changes (fed from any thread); ``async for change in sub``; close when done."""

    def __init__(self, feed: ChangeFeed, owner: str) -> None:
        self._feed, self.owner = feed, owner
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Change] = asyncio.Queue()

    def _deliver(self, change: Change) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, change)

    async def get(self, timeout: float | None = None) -> Change | None:
        """The next change, or None after ``timeout`` seconds."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._feed._unsubscribe(self)


class ChangeFeed:
    """Per-owner publish/subscribe with one version counter. Thread-safe: the lock guards everything."""

    def __init__(self, keep: int = 1000) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._keep = keep
        self._recent: dict[str, deque[Change]] = {}
        self._subscribers: dict[str, set[Subscription]] = {}

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def publish(
        self, owner: str, kind: Kind, conversation_id: str | None, branch_id: str | None = None,
        item_id: str | None = None,
    ) -> Change:  # fmt: skip
        with self._lock:
            self._version += 1
            change = Change(self._version, conversation_id, branch_id, kind, item_id)
            self._recent.setdefault(owner, deque(maxlen=self._keep)).append(change)
            subscribers = list(self._subscribers.get(owner, ()))
        for sub in subscribers:
            sub._deliver(change)
        return change

    def since(self, owner: str, version: int) -> list[Change] | None:
        """The owner's changes after ``version``; None when some of them are no longer kept."""
        with self._lock:
            recent = self._recent.get(owner, deque())
            if version >= self._version:
                return []
            if len(recent) == self._keep and recent[0].version > version + 1:
                return None
            return [c for c in recent if c.version > version]

    def subscribe(self, owner: str) -> Subscription:
        sub = Subscription(self, owner)
        with self._lock:
            self._subscribers.setdefault(owner, set()).add(sub)
        return sub

    async def follow(
        self, owner: str, since: int, heartbeat: float
    ) -> AsyncGenerator[Change | Reset | None, None]:
        """The owner's changes after ``since``, then live as they come, each once and in order.

        Yields :data:`RESET` first when some of those changes are no longer kept (read everything again), and
        None after each ``heartbeat`` quiet seconds (a reader's keep-alive). Close it (``aclosing``) to stop.
        """
        sub = self.subscribe(owner)  # before reading the backlog, so nothing falls between the two
        try:
            backlog = self.since(owner, since)
            if backlog is None:
                yield RESET
            last = since
            for change in backlog or ():
                last = change.version
                yield change
            while True:
                got = await sub.get(heartbeat)
                if got is None:
                    yield None
                elif got.version > last:
                    last = got.version
                    yield got
        finally:
            sub.close()

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.get(sub.owner, set()).discard(sub)
