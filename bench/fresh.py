"""Issue 14 cases: a fresh model per call, 64 fresh models at once, and a web app that builds one per request.

They measure whatever the adapters do today: each builds its model exactly as a new user would
(``ChatChatRoutes(api_key=..., base_url=..., conversation_id=...)``), so the figures move when the adapters
move to the shared client provider, with no change here.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench._harness import Interleaved, ServerProcess, _free_port, median, per_call
from bench.cases import Result, _ms
from chatroutes_core import ChatRoutesClient


class _Requests:
    """Counts the requests every httpx client of this process sends, sync and async."""

    def __init__(self) -> None:
        self.count = 0
        self._sync, self._async = httpx.Client.send, httpx.AsyncClient.send

    def __enter__(self) -> _Requests:
        sync, asend = self._sync, self._async

        def counted(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            self.count += 1
            return sync(client, request, **kwargs)

        async def acounted(
            client: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
        ) -> httpx.Response:
            self.count += 1
            return await asend(client, request, **kwargs)

        httpx.Client.send = counted  # type: ignore[method-assign]
        httpx.AsyncClient.send = acounted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        httpx.Client.send = self._sync  # type: ignore[method-assign]
        httpx.AsyncClient.send = self._async  # type: ignore[method-assign]


# --- 9. a fresh instance per call ---------------------------------------------------------------------------


def fresh_instance_per_call(srv: ServerProcess, *, calls: int, rounds: int) -> Result:
    """One bound turn per call: a model built for the call against one built once, sync and async."""
    from llama_index.core.llms import ChatMessage

    from langchain_chatroutes import ChatChatRoutes
    from llama_index_chatroutes import ChatRoutes

    core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    opts = {"api_key": srv.api_key, "base_url": srv.base_url}
    user = [ChatMessage(role="user", content="hello")]

    def lc(cid: str) -> Any:
        return ChatChatRoutes(conversation_id=cid, **opts)

    def li(cid: str) -> Any:
        return ChatRoutes(conversation_id=cid, **opts)

    counts: dict[str, list[float]] = {}

    def sync_variant(
        name: str, make: Callable[[str], Any], call: Callable[[Any], Any], fresh: bool
    ) -> Callable[[], float]:
        def sample() -> float:
            cid = core.conversations.create(title="fresh").id
            warm = make(cid)
            call(warm)  # a warm instance has sent once already
            before = sent.count
            result = per_call(lambda: call(make(cid) if fresh else warm), calls)
            counts.setdefault(name, []).append((sent.count - before) / calls)
            return result

        return sample

    def async_variant(
        name: str, make: Callable[[str], Any], call: Callable[[Any], Awaitable[Any]], fresh: bool
    ) -> Callable[[], float]:
        def sample() -> float:
            cid = core.conversations.create(title="fresh").id

            async def run() -> float:
                warm = make(cid)
                await call(warm)  # a warm instance has sent once in this loop already
                before, started = sent.count, time.perf_counter()
                for _ in range(calls):
                    await call(make(cid) if fresh else warm)
                elapsed = (time.perf_counter() - started) / calls
                counts.setdefault(name, []).append((sent.count - before) / calls)
                return elapsed

            return asyncio.run(run())

        return sample

    variants: dict[str, Callable[[], float]] = {}
    for fresh in (False, True):
        tag = "fresh per call" if fresh else "warm (one instance)"
        for name, variant, make, call in (
            (f"ChatChatRoutes.invoke, {tag}", sync_variant, lc, lambda m: m.invoke("hello")),
            (f"ChatChatRoutes.ainvoke, {tag}", async_variant, lc, lambda m: m.ainvoke("hello")),
            (f"LlamaIndex ChatRoutes.chat, {tag}", sync_variant, li, lambda m: m.chat(user)),
            (f"LlamaIndex ChatRoutes.achat, {tag}", async_variant, li, lambda m: m.achat(user)),
        ):
            variants[name] = variant(name, make, call, fresh)  # type: ignore[operator]
    with _Requests() as sent:
        for fn in variants.values():
            fn()
        runs = Interleaved().run(variants, rounds)
    res = Result(f"9. A fresh bound instance per call ({calls * rounds} calls each, interleaved)")
    for name in variants:
        warm = name.replace("fresh per call", "warm (one instance)")
        res.row(
            name,
            f"{_ms(runs.median(name))} per call, {runs.paired_ratio(name, warm):.2f}× warm; "
            f"{median(counts[name]):.2f} requests per call",
        )
        if "fresh" in name:
            ratio = runs.paired_ratio(name, warm)
            res.target(f"{name} ≤ 1.2× warm (measured {ratio:.2f}×)", ratio <= 1.2)
    core.close()
    return res


# --- 10. 64 fresh instances at once -------------------------------------------------------------------------


def fresh_fanout(
    srv: ServerProcess, *, concurrency: int = 64, latency: float = 0.25, rounds: int = 2
) -> Result:
    """64 fresh instances, each bound to its own conversation, called at once; against one warm call."""
    from llama_index.core.llms import ChatMessage

    from langchain_chatroutes import ChatChatRoutes
    from llama_index_chatroutes import ChatRoutes

    core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    convs = [core.conversations.create(title=f"fresh-fan-{i}").id for i in range(concurrency)]
    core.close()
    opts = {"api_key": srv.api_key, "base_url": srv.base_url}
    user = [ChatMessage(role="user", content="hello")]

    async def one_warm() -> float:
        model = ChatChatRoutes(conversation_id=convs[0], **opts)
        await model.ainvoke("warm-up")
        started = time.perf_counter()
        await model.ainvoke("hello")
        return time.perf_counter() - started

    async def lc_warm_fanout() -> float:
        model = ChatChatRoutes(**opts)
        await model.ainvoke("warm-up", config={"configurable": {"conversation_id": convs[0]}})
        started = time.perf_counter()
        await asyncio.gather(
            *(model.ainvoke("hello", config={"configurable": {"conversation_id": c}}) for c in convs)
        )
        return time.perf_counter() - started

    async def lc_fresh() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(ChatChatRoutes(conversation_id=c, **opts).ainvoke("hello") for c in convs))
        return time.perf_counter() - started

    async def li_fresh() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(ChatRoutes(conversation_id=c, **opts).achat(user) for c in convs))
        return time.perf_counter() - started

    out: dict[str, list[float]] = {"warm": [], "warm64": [], "lc": [], "li": []}
    srv.knobs(latency=latency)
    try:
        for _ in range(rounds):
            out["warm"].append(asyncio.run(one_warm()))
            out["warm64"].append(asyncio.run(lc_warm_fanout()))
            out["lc"].append(asyncio.run(lc_fresh()))
            out["li"].append(asyncio.run(li_fresh()))
    finally:
        srv.knobs(latency=0.0)
    warm = median(out["warm"])
    res = Result(
        f"10. {concurrency} fresh instances at once, {int(latency * 1000)} ms server latency"
        f" ({rounds} rounds)"
    )
    res.row("one warm ChatChatRoutes.ainvoke (the baseline)", f"{warm:.3f} s")
    warm64 = median(out["warm64"])
    res.row(
        f"{concurrency} × one warm ChatChatRoutes.ainvoke (reference: the machine's fan-out cost)",
        f"wall {warm64:.3f} s = {warm64 / warm:.2f}× one warm call",
    )
    for key, name in (("lc", "ChatChatRoutes(...).ainvoke"), ("li", "LlamaIndex ChatRoutes(...).achat")):
        wall = median(out[key])
        ratio = wall / warm
        label = f"{concurrency} × fresh {name} (asyncio.gather)"
        res.row(
            label,
            f"wall {wall:.3f} s = {ratio:.2f}× one warm call, {wall / warm64:.2f}× the warm fan-out",
        )
        res.target(f"{concurrency} fresh {name} ≤ 1.5× one warm call (measured {ratio:.2f}×)", ratio <= 1.5)
    return res


# --- 11. a web app that builds a model per request ----------------------------------------------------------


class _App:
    """``python -m bench._apps KIND PORT ARG`` in a child process."""

    def __init__(self, kind: str, arg: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        root = Path(__file__).resolve().parents[1]
        command = [sys.executable, "-m", "bench._apps", kind, str(self.port), arg]
        self._proc = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL)

    def __enter__(self) -> _App:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/health", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"bench app {self.url} did not start")

    def __exit__(self, *exc: object) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)


async def _drive(url: str, *, workers: int, per_worker: int) -> float:
    """``workers`` users, each sending ``per_worker`` requests one after another; requests per second."""
    limits = httpx.Limits(max_connections=workers)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def user(index: int) -> None:
            for turn in range(per_worker):
                response = await http.post("/chat", json={"user": index, "text": f"turn {turn}"})
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(workers)))
        return workers * per_worker / (time.perf_counter() - started)


def per_request_app(
    srv: ServerProcess, *, workers: int = 16, per_worker: int = 12, rounds: int = 2, latency: float = 0.05
) -> Result:
    """FastAPI + ChatChatRoutes per request (local ChatRoutes server) against FastAPI + ChatOpenAI per request
    (OpenAI-compatible stub); both backends add the same latency."""
    core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    convs = [core.conversations.create(title=f"user-{i}").id for i in range(workers)]
    core.close()
    rates: dict[str, list[float]] = {"ChatChatRoutes": [], "ChatOpenAI": []}
    with tempfile.TemporaryDirectory(prefix="chatroutes-bench-") as tmp, _App("stub", str(latency)) as stub:
        cr_config, oa_config = Path(tmp) / "cr.json", Path(tmp) / "oa.json"
        config = {"api_key": srv.api_key, "base_url": srv.base_url, "conversations": convs}
        cr_config.write_text(json.dumps(config))
        oa_config.write_text(json.dumps({"api_key": "sk-stub", "base_url": stub.url + "/v1"}))
        srv.knobs(latency=latency)
        try:
            with _App("chatroutes", str(cr_config)) as cr_app, _App("openai", str(oa_config)) as oa_app:
                apps = {"ChatChatRoutes": cr_app.url, "ChatOpenAI": oa_app.url}
                for url in apps.values():
                    asyncio.run(_drive(url, workers=workers, per_worker=2))  # warm-up
                for r in range(rounds):
                    for name in list(apps)[r % 2 :] + list(apps)[: r % 2]:
                        rate = asyncio.run(_drive(apps[name], workers=workers, per_worker=per_worker))
                        rates[name].append(rate)
        finally:
            srv.knobs(latency=0.0)
    res = Result(
        f"11. FastAPI app building a model per request: {workers} concurrent users, {int(latency * 1000)} ms "
        f"backend latency ({rounds} rounds of {workers * per_worker} requests)"
    )
    ours, anchor = median(rates["ChatChatRoutes"]), median(rates["ChatOpenAI"])
    res.row("FastAPI + ChatChatRoutes per request → local ChatRoutes server", f"{ours:,.1f} requests/s")
    res.row("FastAPI + ChatOpenAI per request → OpenAI-compatible stub", f"{anchor:,.1f} requests/s")
    res.target(f"per-request app throughput ≥ the ChatOpenAI app's ({ours / anchor:.2f}×)", ours >= anchor)
    return res
