"""Shared parts of the benchmarks: a server in its own process, interleaved runs, medians, machine facts."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from chatroutes_core.testing import new_api_key


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`chatroutes serve --test-knobs` in a child process, so the server never shares the client's GIL."""

    def __init__(self) -> None:
        self.api_key = new_api_key()
        self.port = _free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="chatroutes-bench-")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def __enter__(self) -> ServerProcess:
        db = Path(self._tmp.name) / "bench.sqlite3"
        code = "import sys; from chatroutes_core.cli import main; sys.exit(main(sys.argv[1:]))"
        args = ["serve", "--port", str(self.port), "--db", str(db), "--api-key", self.api_key]
        args += ["--test-knobs", "--log-level", "warning"]
        self._proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base_url}/autobranch/health", headers=self.headers, timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("the benchmark server did not start within 30 s")

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None
        self._tmp.cleanup()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"ApiKey {self.api_key}"}

    def knobs(self, *, latency: float | None = None, token_delay: float | None = None) -> None:
        body: dict[str, float] = {}
        if latency is not None:
            body["latency"] = latency
        if token_delay is not None:
            body["token_delay"] = token_delay
        httpx.post(f"{self.base_url}/_admin/knobs", json=body, headers=self.headers).raise_for_status()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclass
class Interleaved:
    """Per-variant samples from rounds run in rotating order, so drift hits every variant alike.

    Besides the wall time each sample returns, the client's own CPU time per call (``time.process_time``
    of the calls made through :func:`per_call`) is kept: it does not depend on what else the machine runs.
    """

    samples: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)

    def run(self, variants: dict[str, Callable[[], float]], rounds: int) -> Interleaved:
        names = list(variants)
        for r in range(rounds):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                _LAST_CPU.clear()
                self.samples.setdefault(name, []).append(variants[name]())
                if _LAST_CPU:
                    self.cpu.setdefault(name, []).append(_LAST_CPU[-1])
        return self

    def median(self, name: str) -> float:
        return median(self.samples[name])

    def cpu_median(self, name: str) -> float | None:
        return median(self.cpu[name]) if self.cpu.get(name) else None

    def paired_ratio(self, name: str, base: str) -> float:
        """The median over rounds of ``name / base`` measured in the same round (drift cancels best)."""
        return median([a / b for a, b in zip(self.samples[name], self.samples[base], strict=True)])


_LAST_CPU: list[float] = []


def per_call(fn: Callable[[], Any], calls: int) -> float:
    """Mean wall seconds per call over a batch of calls (one sample of an interleaved run).

    The client CPU seconds per call of the batch are recorded for :class:`Interleaved`.
    """
    cpu = time.process_time()
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    wall = (time.perf_counter() - started) / calls
    _LAST_CPU.append((time.process_time() - cpu) / calls)
    return wall


def machine() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "-"

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "chatroutes-integrations": version("chatroutes-integrations"),
        "chatroutes (official SDK)": version("chatroutes"),
        "httpx": version("httpx"),
        "requests": version("requests"),
        "langchain-core": version("langchain-core"),
        "llama-index-core": version("llama-index-core"),
        "fastapi": version("fastapi"),
        "uvicorn": version("uvicorn"),
    }
