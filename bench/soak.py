"""The soak: `chatroutes serve` in its own process under mixed concurrent load, then the invariants checked.

    python -m bench.soak [--seconds 60] [--workers 8] [--keys 3] [--seed 1]

Workers (threads, one httpx client each, several per API key, sharing their key's conversations) loop until
the time is up over: sends (a few repeated with their ``Idempotency-Key``), streams, forks, merges, branch
deletes, tree reads, checkpoint creates, and reads of another key's conversation. Loopback only; every loop
is bounded by the deadline. Then the server is stopped and its SQLite file and logs (``--log-level debug``,
stdout and stderr captured) are checked:

- no 5xx answer and no broken connection;
- every acknowledged write is present (a message, a branch, a checkpoint; a merge's copies on its parent),
  and every acknowledged branch delete took its messages with it;
- no duplicates: each send's unique text is stored once (an idempotent repeat is replayed, not stored);
- every branch's own messages form one parent chain that starts at its fork point, and every fork point is
  a live message of the parent branch;
- another key's conversation is always a 404;
- ``PRAGMA integrity_check`` is ``ok``;
- no API key in any log line (the banner's ``export CHATROUTES_API_KEY=...`` line, printed for the user to
  paste, is the one place a key is shown and is left out).

Prints operations by kind, errors by kind and p50/p99 latency per kind; :func:`soak_case` gives the same
figures to ``python -m bench``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from chatroutes_core.testing import new_api_key

from ._harness import _free_port
from ._soak_check import check

OPS = {  # kind -> relative weight
    "send": 30,
    "stream": 12,
    "fork": 10,
    "merge": 4,
    "delete": 4,
    "tree": 12,
    "checkpoint": 6,
    "history": 8,
    "foreign": 4,
    "create": 2,
}


@dataclass
class Conv:
    id: str
    main: str
    branches: dict[str, list[str]] = field(default_factory=dict)  # live branch -> acknowledged own messages


@dataclass
class Ledger:
    """What the server acknowledged, and what it answered; guarded by one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    convs: dict[str, list[Conv]] = field(default_factory=lambda: defaultdict(list))  # key -> conversations
    messages: dict[str, str] = field(default_factory=dict)  # acknowledged message id -> its branch
    texts: Counter[str] = field(default_factory=Counter)  # unique send text -> acknowledged sends
    branches: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    unsure: set[str] = field(default_factory=set)  # a delete or merge without an answer: state unknown
    merged: dict[str, str] = field(default_factory=dict)  # branch -> parent
    checkpoints: dict[str, str] = field(default_factory=dict)  # checkpoint id -> branch
    ops: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # "<kind> <status or error>"
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    violations: list[str] = field(default_factory=list)


class Serve:
    """`chatroutes serve` on a free loopback port with a temporary database and debug logging captured."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.port = _free_port()
        self.tmp = tempfile.TemporaryDirectory(prefix="chatroutes-soak-")
        self.db = Path(self.tmp.name) / "soak.sqlite3"
        self.out = Path(self.tmp.name) / "stdout.log"
        self.err = Path(self.tmp.name) / "stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def __enter__(self) -> Serve:
        code = "import sys; from chatroutes_core.cli import main; sys.exit(main(sys.argv[1:]))"
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", str(self.db)]
        args += ["--api-key", *self.keys, "--log-level", "debug", "--lock-wait", "5"]
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=out, stderr=err)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base_url}/autobranch/health", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("chatroutes serve did not start within 30 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
            self.proc = None

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self.tmp.cleanup()


class Worker:
    def __init__(self, srv: Serve, key: str, other_key: str, ledger: Ledger, seed: int) -> None:
        self.key, self.ledger, self.rng = key, ledger, random.Random(seed)
        headers = {"Authorization": f"ApiKey {key}"}
        self.http = httpx.Client(base_url=srv.base_url, headers=headers, timeout=30)
        self.other_key = other_key

    def call(self, kind: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            if kind == "stream":
                with self.http.stream(method, path, **kwargs) as r:
                    r.read()
                    response = r
            else:
                response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            with self.ledger.lock:
                self.ledger.ops[kind] += 1
                self.ledger.errors[f"{kind} {type(exc).__name__}"] += 1
            return None
        with self.ledger.lock:
            self.ledger.ops[kind] += 1
            self.ledger.latency[kind].append(time.perf_counter() - started)
            if response.status_code >= 400 and not (kind == "foreign" and response.status_code == 404):
                code = (
                    response.json().get("code", "")
                    if response.headers.get("content-type", "").startswith("application/json")
                    else ""
                )
                self.ledger.errors[f"{kind} {response.status_code} {code}".rstrip()] += 1
        return response

    def run(self, deadline: float) -> None:
        kinds, weights = list(OPS), list(OPS.values())
        self.create()
        while time.monotonic() < deadline:
            kind = self.rng.choices(kinds, weights)[0]
            getattr(self, kind)()
        self.http.close()

    # helpers ------------------------------------------------------------------------------------------

    def pick(self) -> tuple[Conv, str, list[str]] | None:
        with self.ledger.lock:
            convs = self.ledger.convs[self.key]
            if not convs:
                return None
            conv = self.rng.choice(convs)
            if not conv.branches:
                return None
            branch = self.rng.choice(sorted(conv.branches))
            return conv, branch, list(conv.branches[branch])

    def side_branch(self, kind: str, method: str, suffix: str) -> tuple[Conv, str, httpx.Response] | None:
        """Call ``method`` on a random non-main branch (``.../branches/<id><suffix>``); the answer, or None
        when there was none to pick or no answer came (then the branch's fate is unsure)."""
        picked = self.pick()
        if picked is None or picked[1] == picked[0].main:
            return None
        conv, branch, _ = picked
        r = self.call(kind, method, f"/conversations/{conv.id}/branches/{branch}{suffix}")
        if r is None:
            with self.ledger.lock:
                self.ledger.unsure.add(branch)
            return None
        return conv, branch, r

    def ack_messages(self, conv: Conv, branch: str, *messages: dict[str, Any]) -> None:
        with self.ledger.lock:
            for m in messages:
                self.ledger.messages[m["id"]] = branch
                if branch in conv.branches:
                    conv.branches[branch].append(m["id"])

    # operations ---------------------------------------------------------------------------------------

    def create(self) -> None:
        r = self.call("create", "POST", "/conversations", json={"title": f"soak {uuid.uuid4().hex[:6]}"})
        if r is None or r.status_code != 201:
            return
        data = r.json()["data"]["conversation"]
        main = next(b["id"] for b in data["branches"] if b["isMain"])
        with self.ledger.lock:
            conv = Conv(data["id"], main, {main: []})
            self.ledger.convs[self.key].append(conv)
            self.ledger.branches.add(main)

    def send(self) -> None:
        picked = self.pick()
        if picked is None:
            return
        conv, branch, _ = picked
        text = f"soak {uuid.uuid4().hex}"
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        body = {"content": text, "branchId": branch}
        r = self.call("send", "POST", f"/conversations/{conv.id}/messages", json=body, headers=headers)
        if r is None or r.status_code != 200:
            return
        data = r.json()["data"]
        self.ack_messages(conv, branch, data["userMessage"], data["assistantMessage"])
        with self.ledger.lock:
            self.ledger.texts[text] += 1
        if self.rng.random() < 0.2:  # the same request again: a replay, never a second exchange
            again = self.call(
                "send", "POST", f"/conversations/{conv.id}/messages", json=body, headers=headers
            )
            replayed = again is not None and again.status_code == 200 and again.json()["data"]
            if replayed and replayed["assistantMessage"]["id"] != data["assistantMessage"]["id"]:
                with self.ledger.lock:
                    self.ledger.violations.append(f"idempotent repeat stored again: {text}")

    def stream(self) -> None:
        picked = self.pick()
        if picked is None:
            return
        conv, branch, _ = picked
        text = f"soak {uuid.uuid4().hex}"
        path = f"/conversations/{conv.id}/messages/stream"
        r = self.call("stream", "POST", path, json={"content": text, "branchId": branch})
        if r is None or r.status_code != 200:
            return
        events = [line[6:] for line in r.text.splitlines() if line.startswith("data: ")]
        if not events or events[-1] != "[DONE]":
            return  # an error event (e.g. the branch was merged meanwhile): nothing acknowledged
        complete = json.loads(events[-2])
        reply = complete["message"]
        user = {"id": reply["parentMessageId"]}
        self.ack_messages(conv, branch, user, reply)
        with self.ledger.lock:
            self.ledger.texts[text] += 1

    def fork(self) -> None:
        picked = self.pick()
        if picked is None or not picked[2]:
            return
        conv, _, messages = picked
        at = self.rng.choice(messages)
        body = {"forkPointMessageId": at, "title": f"fork {uuid.uuid4().hex[:4]}"}
        r = self.call("fork", "POST", f"/conversations/{conv.id}/fork", json=body)
        if r is None or r.status_code != 201:
            return
        branch = r.json()["data"]["branch"]["id"]
        with self.ledger.lock:
            conv.branches[branch] = []
            self.ledger.branches.add(branch)

    def merge(self) -> None:
        done = self.side_branch("merge", "POST", "/merge")
        if done is None or done[2].status_code != 200:
            return
        conv, branch, r = done
        with self.ledger.lock:
            self.ledger.merged[branch] = str(r.json()["data"]["branch"]["parentBranchId"])
            conv.branches.pop(branch, None)  # inactive: no more writes to it

    def delete(self) -> None:
        done = self.side_branch("delete", "DELETE", "")
        if done is None or done[2].status_code != 200:
            return
        conv, branch, _ = done
        with self.ledger.lock:
            self.ledger.deleted.add(branch)
            conv.branches.pop(branch, None)

    def tree(self) -> None:
        picked = self.pick()
        if picked is not None:
            self.call("tree", "GET", f"/conversations/{picked[0].id}/tree")

    def history(self) -> None:
        picked = self.pick()
        if picked is not None:
            self.call("history", "GET", f"/conversations/{picked[0].id}/branches/{picked[1]}/messages")

    def checkpoint(self) -> None:
        picked = self.pick()
        if picked is None or not picked[2]:
            return
        conv, branch, messages = picked
        body = {"branchId": branch, "anchorMessageId": messages[-1]}
        r = self.call("checkpoint", "POST", f"/conversations/{conv.id}/checkpoints", json=body)
        if r is not None and r.status_code == 201:
            with self.ledger.lock:
                self.ledger.checkpoints[r.json()["data"]["checkpoint"]["id"]] = branch

    def foreign(self) -> None:
        with self.ledger.lock:
            theirs = list(self.ledger.convs[self.other_key])
        if not theirs:
            return
        conv = self.rng.choice(theirs)
        r = self.call("foreign", "GET", f"/conversations/{conv.id}")
        if r is not None and r.status_code != 404:
            with self.ledger.lock:
                self.ledger.violations.append(f"another key's conversation answered {r.status_code}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


@dataclass
class SoakReport:
    seconds: float
    workers: int
    keys: int
    ops: Counter[str]
    errors: Counter[str]
    latency: dict[str, tuple[float, float]]  # kind -> (p50, p99) seconds
    violations: list[str]
    log_lines: int

    def lines(self) -> list[str]:
        total = sum(self.ops.values())
        rate = total / self.seconds
        out = [
            f"soak: {self.seconds:.0f} s, {self.workers} workers over {self.keys} keys, {total} operations "
            f"({rate:.0f}/s), {self.log_lines} server log lines checked"
        ]
        for kind in sorted(self.ops, key=lambda k: -self.ops[k]):
            p50, p99 = self.latency.get(kind, (0.0, 0.0))
            out.append(
                f"  {kind:<11} {self.ops[kind]:>6}  p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms"
            )
        out.append(
            "errors by kind: " + (", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none")
        )
        out.append("invariants: " + ("all hold" if not self.violations else f"{len(self.violations)} broken"))
        out += [f"  BROKEN {v}" for v in self.violations[:20]]
        return out


def soak(seconds: float = 60.0, workers: int = 8, keys: int = 3, seed: int = 1) -> SoakReport:
    api_keys = [new_api_key() for _ in range(keys)]
    ledger = Ledger()
    with Serve(api_keys) as srv:
        deadline = time.monotonic() + seconds
        crew = [
            Worker(srv, api_keys[i % keys], api_keys[(i + 1) % keys], ledger, seed * 1000 + i)
            for i in range(workers)
        ]
        threads = [threading.Thread(target=w.run, args=(deadline,), daemon=True) for w in crew]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        elapsed = time.monotonic() - started
        if any(t.is_alive() for t in threads):
            ledger.violations.append("a worker did not finish within a minute of the deadline")
        srv.stop()
        check(ledger, srv.db, [srv.out, srv.err], api_keys)
        log_lines = sum(len(p.read_bytes().splitlines()) for p in (srv.out, srv.err))
    latency = {k: (_pct(v, 0.5), _pct(v, 0.99)) for k, v in ledger.latency.items()}
    return SoakReport(
        elapsed, workers, keys, ledger.ops, ledger.errors, latency, ledger.violations, log_lines
    )


def soak_case(seconds: float = 60.0) -> Any:
    """The soak as a ``bench`` case (rows and one target)."""
    from .cases import Result

    report = soak(seconds)
    res = Result("Soak: chatroutes serve under mixed concurrent load (bench/soak.py)")
    total = sum(report.ops.values())
    res.row(
        "run", f"{report.seconds:.0f} s, {report.workers} workers, {report.keys} keys, {total} operations"
    )
    for kind in sorted(report.ops, key=lambda k: -report.ops[k]):
        p50, p99 = report.latency.get(kind, (0.0, 0.0))
        res.row(kind, f"{report.ops[kind]} ops, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    res.row("errors by kind", ", ".join(f"{k}: {v}" for k, v in sorted(report.errors.items())) or "none")
    res.target(
        "no 5xx, no lost or duplicated write, valid chains, integrity ok, no key in logs",
        not report.violations,
    )
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--keys", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    report = soak(args.seconds, args.workers, args.keys, args.seed)
    print("\n".join(report.lines()))
    return 1 if report.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
