"""The live state of one server: its store, responder, knobs, fault queue and request log."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from .errors import ApiError
from .faults import FaultInjector
from .responders import EchoResponder, Responder, ScriptedResponder
from .store import Store

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: Seconds a write waits for a branch another write holds (a long stream, a slow upstream) before a 503.
DEFAULT_LOCK_WAIT = 15.0


@dataclass
class ServerState:
    """Everything a running app shares; the knobs may be changed from another thread at any time."""

    store: Store
    responder: Responder = field(default_factory=EchoResponder)
    latency: float = 0.0
    token_delay: float = 0.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    partial_context_messages: int = 4
    test_knobs: bool = False
    lock_wait: float = DEFAULT_LOCK_WAIT
    faults: FaultInjector = field(default_factory=FaultInjector)
    requests: list[tuple[str, str]] = field(default_factory=list)
    in_flight: int = 0  # requests received and not yet answered in full (streams included)
    #: Production times (``time.perf_counter()``) of every event of the latest stream, in order.
    last_stream_timings: list[float] = field(default_factory=list)
    #: Scripted replies (test knob): conversation id, ``owner:<key hash>`` (any conversation of that key,
    #: queued over HTTP) or ``None`` (any conversation, queued in process) -> replies still queued.
    scripts: dict[str | None, deque[str]] = field(default_factory=dict)
    #: Knobs set over HTTP (``/_admin/knobs``): key hash -> {"latency"|"token_delay": seconds}; they apply
    #: to that key's requests only, in place of the process-wide ``latency``/``token_delay``.
    owner_knobs: dict[str, dict[str, float]] = field(default_factory=dict)
    _log_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _script_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict, repr=False)
    _held: dict[str, tuple[asyncio.Lock, list[int]]] = field(default_factory=dict, repr=False)

    def record_request(self, method: str, path: str) -> None:
        with self._log_lock:
            self.requests.append((method, path))

    def reset_requests(self) -> None:
        with self._log_lock:
            self.requests.clear()

    def script(self, conversation_id: str | None, *replies: str) -> int:
        """Queue the next model outputs for a conversation (``None``: for any conversation).

        Each send that generates a reply takes the next one: first from its conversation's queue, then
        from the ``None`` queue; with both empty the responder answers as usual. A scripted reply is
        streamed and stored like any other (a send refused before generation consumes nothing).
        Returns how many replies are now queued for ``conversation_id``.
        """
        with self._script_lock:
            queue = self.scripts.setdefault(conversation_id, deque())
            queue.extend(replies)
            return len(queue)

    def clear_scripts(self, keys: list[str | None] | None = None) -> None:
        """Drop queued replies: all of them, or those under ``keys`` (see ``scripts``)."""
        with self._script_lock:
            if keys is None:
                self.scripts.clear()
            for key in keys or ():
                self.scripts.pop(key, None)

    def responder_for(self, conversation_id: str, owner: str | None = None) -> Responder:
        """The responder for the next reply in ``conversation_id`` (of key hash ``owner``): a scripted reply
        if one is queued for the conversation, for its key, or for any conversation, in that order."""
        with self._script_lock:
            for key in (conversation_id, owner and f"owner:{owner}", None):
                queue = self.scripts.get(key)
                if queue:
                    text = queue.popleft()
                    if not queue:
                        del self.scripts[key]
                    return ScriptedResponder(text)
        return self.responder

    def latency_for(self, owner: str | None) -> float:
        return self.owner_knobs.get(owner or "", {}).get("latency", self.latency)

    def token_delay_for(self, owner: str | None) -> float:
        return self.owner_knobs.get(owner or "", {}).get("token_delay", self.token_delay)

    def lock_for(self, name: str) -> asyncio.Lock:
        """An asyncio lock per name (a branch id, an idempotency key); all used on the server's loop."""
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock

    @asynccontextmanager
    async def branch_locks(self, *branch_ids: str) -> AsyncIterator[None]:
        """Hold the locks of ``branch_ids``, in the order given (ancestors first), each waited for at most
        ``lock_wait`` seconds: past that the write is refused with a 503 ``BRANCH_BUSY`` and a Retry-After,
        with nothing stored, instead of waiting behind a stream or a hung upstream without limit."""
        held: list[asyncio.Lock] = []
        try:
            for branch_id in branch_ids:
                lock = self.lock_for(branch_id)
                try:
                    await asyncio.wait_for(lock.acquire(), self.lock_wait)
                except TimeoutError:
                    raise ApiError(
                        503,
                        f"Branch {branch_id} is busy with another write; nothing was stored, try again",
                        code="BRANCH_BUSY",
                        retry_after=max(1.0, self.lock_wait),
                    ) from None
                held.append(lock)
            yield
        finally:
            for lock in reversed(held):
                lock.release()

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        """Hold a per-name asyncio lock that is forgotten when nobody holds or waits for it.

        For names without bound (idempotency keys): :meth:`lock_for` keeps every lock it ever made.
        """
        entry = self._held.get(name)
        if entry is None:
            entry = self._held[name] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._held[name]
