"""One async core client per running event loop: an httpx connection pool must not cross loops, and
LlamaIndex runs some sync paths (memory reads, ``asyncio_run``) on loops of their own."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from typing import Any

from chatroutes_core import AsyncChatRoutesClient


class LoopClients:
    """``get(options)`` returns this loop's client, building it from ``options()`` the first time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncChatRoutesClient] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, options: Callable[[], dict[str, Any]]) -> AsyncChatRoutesClient:
        loop = asyncio.get_running_loop()
        with self._lock:
            client = self._clients.get(loop)
            if client is None:
                client = AsyncChatRoutesClient(**options())
                self._clients[loop] = client
            return client
