"""The live state of one server: its store, responder, knobs, fault queue and request log."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from .faults import FaultInjector
from .responders import EchoResponder, Responder
from .store import Store

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


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
    faults: FaultInjector = field(default_factory=FaultInjector)
    requests: list[tuple[str, str]] = field(default_factory=list)
    in_flight: int = 0  # requests received and not yet answered in full (streams included)
    #: Production times (``time.perf_counter()``) of every event of the latest stream, in order.
    last_stream_timings: list[float] = field(default_factory=list)
    _log_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict, repr=False)
    _held: dict[str, tuple[asyncio.Lock, list[int]]] = field(default_factory=dict, repr=False)

    def record_request(self, method: str, path: str) -> None:
        with self._log_lock:
            self.requests.append((method, path))

    def reset_requests(self) -> None:
        with self._log_lock:
            self.requests.clear()

    def lock_for(self, name: str) -> asyncio.Lock:
        """An asyncio lock per name (a branch id, an idempotency key); all used on the server's loop."""
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock

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
