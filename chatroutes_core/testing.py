"""Test helpers: :class:`LocalServer` runs the local ChatRoutes-compatible server in a background thread.

Example::

    from chatroutes_core.testing import LocalServer

    with LocalServer() as srv:
        client = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
        ...
        assert srv.count_messages() == 2
"""

from __future__ import annotations

import functools
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from chatroutes_core.server import FaultInjector, create_app
from chatroutes_core.server.state import ServerState

__all__ = ["LocalServer", "new_api_key", "running_servers"]


_P = ParamSpec("_P")
_R = TypeVar("_R")

_LOOPBACK = ["127.0.0.1", "::1", "localhost"]
_RUNNING: set[LocalServer] = set()


def running_servers() -> list[LocalServer]:
    """The LocalServers started and not yet stopped (the test suite lets tests reach them on loopback)."""
    return list(_RUNNING)


def _allow_loopback() -> None:
    """Under pytest-socket, let this test reach loopback (only): a LocalServer is a test's own server."""
    pytest_socket = sys.modules.get("pytest_socket")
    if pytest_socket is None:
        return
    pytest_socket.enable_socket()
    pytest_socket.socket_allow_hosts(_LOOPBACK, allow_unix_socket=True)


def _on_fault_queue(
    method: Callable[Concatenate[FaultInjector, _P], _R],
) -> Callable[Concatenate[LocalServer, _P], _R]:
    """A ``FaultInjector`` method as a ``LocalServer`` one, on the queue of the server's current state."""

    @functools.wraps(method)
    def forward(server: LocalServer, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return method(server.state.faults, *args, **kwargs)

    return forward


def new_api_key() -> str:
    """A fresh random key in the local server's format."""
    return f"cr_local_sk_{secrets.token_hex(24)}"


class LocalServer:
    """The local server on a free loopback port, with a temporary SQLite file unless ``db_path`` is given.

    Args:
        latency: seconds added before every API answer.
        token_delay: seconds before each streamed content event.
        **options: ``db_path`` (reuse a database, e.g. to test a restart), ``api_key`` (the key to use;
            a new one by default), ``responder``, ``max_body_bytes``, ``partial_context_messages``,
            ``test_knobs`` (mount the ``/_admin`` routes), ``host`` (default ``127.0.0.1``).

    Starts on ``__enter__`` (or ``start()``) and stops on ``__exit__`` (or ``stop()``).
    """

    def __init__(self, latency: float = 0.0, token_delay: float = 0.0, **options: Any) -> None:
        self._host: str = options.pop("host", "127.0.0.1")
        db_path = options.pop("db_path", None) or options.pop("db", None)  # `db`: as `chatroutes serve --db`
        self.api_key: str = options.pop("api_key", None) or new_api_key()
        self._tmpdir: str | None = None
        if db_path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="chatroutes-local-")
            db_path = Path(self._tmpdir) / "chatroutes.sqlite3"
            weakref.finalize(self, shutil.rmtree, self._tmpdir, True)  # also when only stop() was called
        self.db_path = Path(db_path)
        self._options = {"latency": latency, "token_delay": token_delay, **options}
        self.app = create_app(db_path=self.db_path, api_keys=[self.api_key], **self._options)
        self.state: ServerState = self.app.state.server
        self._stopped = False
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port: int = 0

    def __repr__(self) -> str:  # the key stays out of reprs
        return f"LocalServer(base_url={self.base_url!r}, db_path={str(self.db_path)!r})"

    # lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> LocalServer:
        """Start serving (again, after :meth:`stop`: same database, keys and knobs, a new free port)."""
        import uvicorn

        if self._stopped:  # the store was closed by stop(): reopen the same file
            knobs = {"latency": self.state.latency, "token_delay": self.state.token_delay}
            scripts = self.state.scripts
            self.app = create_app(db_path=self.db_path, api_keys=[self.api_key], **{**self._options, **knobs})
            self.state = self.app.state.server
            self.state.scripts = scripts
            self._stopped = False
        _allow_loopback()
        _RUNNING.add(self)

        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only when proto says TCP
        # (with proto 0 every response body waits ~40 ms for a delayed ACK).
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="chatroutes-local-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the local server did not start")
            time.sleep(0.002)
        self._sock = sock
        return self

    def stop(self) -> None:
        """Stop the server, join its thread and close the database (kept: :meth:`start` serves it again)."""
        _RUNNING.discard(self)
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None
            self._thread = None
            self._sock.close()
        if not self._stopped:
            self.state.store.close()
            self._stopped = True

    def close(self) -> None:
        """Stop, and remove the temporary database (when this server made it)."""
        self.stop()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # addresses and keys -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:53211``."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base, ending in ``/api/v1``."""
        return f"{self.url}/api/v1"

    def new_api_key(self) -> str:
        """Register and return a second key; its data is invisible to every other key."""
        key = new_api_key()
        self.state.store.add_key(key)
        return key

    # observation ----------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request received so far; paths are full (``/api/v1/...``)."""
        with self.state._log_lock:
            return list(self.state.requests)

    @property
    def in_flight(self) -> int:
        """Requests received and not yet fully answered (a caller that timed out does not end them)."""
        return self.state.in_flight

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no request is in flight (e.g. one a client gave up on); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.state.in_flight and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self.state.in_flight

    def reset_requests(self) -> None:
        self.state.reset_requests()

    def count_messages(self, conversation_id: str | None = None) -> int:
        """Messages stored server-side (deleted ones excluded), in one conversation or in all."""
        return self.state.store.count_messages(conversation_id)

    @property
    def last_stream_timings(self) -> list[float]:
        """``time.perf_counter()`` at which each event of the latest stream was produced."""
        return list(self.state.last_stream_timings)

    # knobs ----------------------------------------------------------------------------------------------

    def set_latency(self, seconds: float) -> None:
        self.state.latency = seconds

    def set_token_delay(self, seconds: float) -> None:
        self.state.token_delay = seconds

    def script(self, conversation_id: str | None, *replies: str) -> int:
        """Queue the next model outputs for a conversation (``None``: any conversation): a fake model.

        Each reply the server generates takes the next queued text, from the conversation's own queue
        first, then from the ``None`` queue; with none queued the responder answers as usual. Scripted
        replies stream word by word and are stored like any other (``metadata.responder`` is
        ``"scripted"``). Returns how many replies are queued for ``conversation_id``.

        Example::

            srv.script(conv.id, '<tool_call>\n{"name": "now", "arguments": {}}\n</tool_call>', "It is noon.")
        """
        return self.state.script(conversation_id, *replies)

    def clear_scripts(self) -> None:
        """Drop every queued scripted reply."""
        self.state.clear_scripts()

    @property
    def faults(self) -> FaultInjector:
        return self.state.faults

    #: Queue a fault (see ``chatroutes_core.server.faults``): ``srv.inject(503, path="/messages$")``.
    inject = _on_fault_queue(FaultInjector.inject)
