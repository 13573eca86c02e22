"""The six benchmark cases of issue 9; each returns a `Result` of medians, ratios and targets."""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench._harness import Interleaved, ServerProcess, median, per_call
from chatroutes_core import ChatRoutesClient
from chatroutes_core.testing import LocalServer


@dataclass
class Result:
    case: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    targets: list[tuple[str, bool]] = field(default_factory=list)

    def row(self, name: str, value: str) -> None:
        self.rows.append((name, value))

    def target(self, text: str, met: bool) -> None:
        self.targets.append((text, met))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def _official(srv: ServerProcess | LocalServer) -> Any:
    from chatroutes import ChatRoutes

    return ChatRoutes(api_key=srv.api_key, base_url=srv.base_url, retry_attempts=0)


# --- 1. per-call overhead -------------------------------------------------------------------------


def per_call_overhead(srv: ServerProcess, *, calls: int, rounds: int) -> Result:
    """`messages.send` through our client, the official SDK and a bare httpx POST with JSON decode.

    Our client sends an ``Idempotency-Key`` on every POST (so a retried send is never stored twice), which
    makes the server look the key up and store the answer; the official SDK and the bare POST send none.
    So the bare POST is measured twice: as is, and with an ``Idempotency-Key`` (same server work as ours).
    """
    ours = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    sdk = _official(srv)
    raw = httpx.Client(base_url=srv.base_url, headers=srv.headers)
    body = {"content": "hello", "model": "gpt-5"}

    def fresh() -> str:  # a new conversation per batch keeps the branch history (server cost) equal
        return ours.conversations.create(title="bench").id

    def batch(send: Callable[[str], Any]) -> Callable[[], float]:
        def sample() -> float:
            cid = fresh()
            return per_call(lambda: send(cid), calls)

        return sample

    def raw_idem(cid: str) -> Any:
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        return raw.post(f"/conversations/{cid}/messages", json=body, headers=headers).json()

    base, base_idem = "httpx.Client.post + json()", "httpx.Client.post + json(), with Idempotency-Key"
    ours_name, sdk_name = "ChatRoutesClient.messages.send", "official chatroutes messages.send"
    variants = {
        base: batch(lambda cid: raw.post(f"/conversations/{cid}/messages", json=body).json()),
        base_idem: batch(raw_idem),
        ours_name: batch(lambda cid: ours.messages.send(cid, content="hello", model="gpt-5")),
        sdk_name: batch(lambda cid: sdk.messages.send(cid, dict(body))),
    }
    for send in variants.values():  # warm-up: connections, imports, server caches
        send()
    runs = Interleaved().run(variants, rounds)
    res = Result(f"1. Per-call overhead of messages.send ({calls * rounds} calls each, interleaved)")
    for name in variants:
        cpu = runs.cpu_median(name) or 0.0
        res.row(
            name,
            f"{_ms(runs.median(name))} per call, {runs.paired_ratio(name, base):.3f}× raw httpx, "
            f"{runs.paired_ratio(name, base_idem):.3f}× raw httpx with the key; client CPU {_ms(cpu)}",
        )
    ours_ratio = runs.paired_ratio(ours_name, base)
    ours_fair = runs.paired_ratio(ours_name, base_idem)
    sdk_ratio = runs.paired_ratio(sdk_name, base)
    vs_sdk = runs.paired_ratio(ours_name, sdk_name)
    res.target(
        f"ours ≤ 1.10× raw httpx (measured {ours_ratio:.3f}×; {ours_fair:.3f}× the same POST with the "
        "Idempotency-Key ours sends)",
        ours_ratio <= 1.10,
    )
    res.target(
        f"ours no slower than the official SDK (ours/SDK {vs_sdk:.3f}× per round; vs raw httpx "
        f"{ours_ratio:.3f}× and {sdk_ratio:.3f}×)",
        vs_sdk <= 1.0,
    )
    ours.close()
    raw.close()
    return res


# --- 2. adapters' own cost ------------------------------------------------------------------------


def adapter_overhead(srv: ServerProcess, *, calls: int, rounds: int) -> Result:
    """ChatChatRoutes.invoke and LlamaIndex ChatRoutes.chat continuing a branch vs the core `send`."""
    from langchain_core.messages import HumanMessage
    from llama_index.core.llms import ChatMessage

    from langchain_chatroutes import ChatChatRoutes
    from llama_index_chatroutes import ChatRoutes

    core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    lc = ChatChatRoutes(api_key=srv.api_key, base_url=srv.base_url)
    li = ChatRoutes(api_key=srv.api_key, base_url=srv.base_url)

    def core_sample() -> float:
        cid = core.conversations.create(title="bench").id
        last: str | None = None

        def turn() -> None:  # with parentMessageId, as the adapters send: the same server work
            nonlocal last
            last = core.messages.send(cid, content="hello", parent_message_id=last).message.id

        return per_call(turn, calls)

    def lc_sample() -> float:
        last = lc.invoke("start")  # a new conversation; every timed call continues it with one request

        def turn() -> None:
            nonlocal last
            last = lc.invoke([last, HumanMessage("hello")])

        return per_call(turn, calls)

    def li_sample() -> float:
        last = li.chat([ChatMessage(role="user", content="start")]).message

        def turn() -> None:
            nonlocal last
            last = li.chat([last, ChatMessage(role="user", content="hello")]).message

        return per_call(turn, calls)

    variants = {
        "core messages.send": core_sample,
        "ChatChatRoutes.invoke": lc_sample,
        "ChatRoutes.chat": li_sample,
    }
    for fn in variants.values():
        fn()
    runs = Interleaved().run(variants, rounds)
    base = runs.median("core messages.send")
    res = Result(f"2. Adapters' own cost per call ({calls * rounds} calls each, interleaved)")
    base_cpu = runs.cpu_median("core messages.send") or 0.0
    for name in variants:
        med, cpu = runs.median(name), runs.cpu_median(name) or 0.0
        res.row(
            name,
            f"{_ms(med)} per call, {runs.paired_ratio(name, 'core messages.send'):.3f}× core send "
            f"(+{(med - base) * 1e6:.0f} µs wall); client CPU {_ms(cpu)} (+{(cpu - base_cpu) * 1e6:.0f} µs)",
        )
    core.close()
    return res


# --- 3. time to first token -----------------------------------------------------------------------


def time_to_first_token(*, samples: int, token_delay: float = 0.05) -> Result:
    """First content chunk at the caller minus the moment the server produced it (same process clock)."""
    from langchain_chatroutes import ChatChatRoutes

    res = Result(
        f"3. Time to first token, {int(token_delay * 1000)} ms per-token delay ({samples} streams each)"
    )
    with LocalServer(token_delay=token_delay) as srv:
        core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
        sdk = _official(srv)
        cid = core.conversations.create(title="ttft").id
        lc = ChatChatRoutes(api_key=srv.api_key, base_url=srv.base_url, conversation_id=cid)

        def produced() -> float:
            return srv.state.last_stream_timings[0]

        def lc_sample() -> float:
            first = None
            for _chunk in lc.stream("hello there, how are you"):
                if first is None:
                    first = time.perf_counter()
            assert first is not None
            return first - produced()

        def sdk_sample() -> float:
            first: list[float] = []

            def on_chunk(chunk: dict[str, Any]) -> None:
                if chunk.get("type") == "content" and not first:
                    first.append(time.perf_counter())

            sdk.messages.stream(cid, {"content": "hello there, how are you"}, on_chunk=on_chunk)
            return first[0] - produced()

        def core_sample() -> float:
            first = None
            with core.messages.stream(cid, content="hello there, how are you") as stream:
                for _event in stream:
                    if first is None:
                        first = time.perf_counter()
            assert first is not None
            return first - produced()

        variants = {
            "ChatChatRoutes.stream": lc_sample,
            "core messages.stream": core_sample,
            "official SDK stream callback": sdk_sample,
        }
        runs = Interleaved().run(variants, samples)
        for name in variants:
            res.row(
                name, f"median {_ms(runs.median(name))} after production (max {_ms(max(runs.samples[name]))})"
            )
        lc_med = runs.median("ChatChatRoutes.stream")
        res.target(
            f"ChatChatRoutes first token within 5 ms of production (median {_ms(lc_med)})", lc_med <= 0.005
        )
        core.close()
    return res


# --- 4. async fan-out -----------------------------------------------------------------------------


def async_fanout(
    srv: ServerProcess, *, concurrency: int = 64, latency: float = 0.25, rounds: int = 3
) -> Result:
    """64 concurrent `ainvoke` against 250 ms server latency; wall time divided by the latency."""
    from langchain_chatroutes import ChatChatRoutes

    core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    convs = [core.conversations.create(title=f"fan-{i}").id for i in range(concurrency)]
    sdk = _official(srv)
    srv.knobs(latency=latency)
    try:
        model = ChatChatRoutes(api_key=srv.api_key, base_url=srv.base_url)

        async def ours() -> float:
            started = time.perf_counter()
            await asyncio.gather(
                *(model.ainvoke("hello", config={"configurable": {"conversation_id": c}}) for c in convs)
            )
            return time.perf_counter() - started

        def official_pool() -> float:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda c: sdk.messages.send(c, {"content": "hello"}), convs))
            return time.perf_counter() - started

        async def run_all() -> dict[str, list[float]]:
            out: dict[str, list[float]] = {"ours": [], "sdk": []}
            await ours()  # warm-up: pool connections
            for _ in range(rounds):
                out["ours"].append(await ours())
                out["sdk"].append(await asyncio.to_thread(official_pool))
            return out

        runs = asyncio.run(run_all())
    finally:
        srv.knobs(latency=0.0)
        core.close()
    res = Result(
        f"4. Async fan-out: {concurrency} concurrent calls, {int(latency * 1000)} ms server latency"
        f" ({rounds} runs)"
    )
    ours_ratio = median(runs["ours"]) / latency
    sdk_ratio = median(runs["sdk"]) / latency
    res.row(
        f"ChatChatRoutes.ainvoke × {concurrency} (asyncio.gather)",
        f"wall {median(runs['ours']):.3f} s = {ours_ratio:.2f}× latency",
    )
    res.row(
        "official SDK in an 8-thread pool", f"wall {median(runs['sdk']):.3f} s = {sdk_ratio:.2f}× latency"
    )
    res.target(f"fan-out wall ≤ 1.5× latency (measured {ours_ratio:.2f}×)", ours_ratio <= 1.5)
    return res


# --- 5. turn cost vs history length ---------------------------------------------------------------


class _RequestCount:
    """Counts the HTTP requests every ``httpx.Client`` of this process sends (the server runs elsewhere)."""

    def __init__(self) -> None:
        self.count = 0
        self._original = httpx.Client.send

    def __enter__(self) -> _RequestCount:
        original = self._original

        def counting(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            self.count += 1
            return original(client, request, **kwargs)

        httpx.Client.send = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        httpx.Client.send = self._original  # type: ignore[method-assign]


def turn_cost(srv: ServerProcess, *, turns: int = 505, window: int = 5) -> Result:
    """Requests and latency per turn near turn 10 and near turn 500 of one branch.

    The server runs in its own process, as a real one would: with an in-process server, client and server
    share one GIL and each waits for the other's Python work.
    """
    from langchain_core.messages import BaseMessage, HumanMessage
    from langchain_core.runnables import ConfigurableFieldSpec
    from langchain_core.runnables.history import RunnableWithMessageHistory

    from langchain_chatroutes import BranchCache, ChatChatRoutes, ChatRoutesChatMessageHistory

    res = Result(f"5. Turn cost vs history length (one branch, {turns} turns; medians of ±{window} turns)")
    early, late = 10, turns - window
    with _RequestCount() as sent:
        client = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
        model = ChatChatRoutes(api_key=srv.api_key, base_url=srv.base_url)

        def measure(step: Callable[[int], None]) -> tuple[list[float], list[int]]:
            times, requests = [], []
            for i in range(1, turns + 1):
                before = sent.count
                started = time.perf_counter()
                step(i)
                times.append(time.perf_counter() - started)
                requests.append(sent.count - before)
            return times, requests

        history: list[BaseMessage] = []

        def chat_turn(i: int) -> None:
            history.append(HumanMessage(f"turn {i}: tell me more"))
            history.append(model.invoke(history))

        specs = [
            ConfigurableFieldSpec(id="conversation_id", annotation=str, default="", is_shared=True),
            ConfigurableFieldSpec(id="branch_id", annotation=str, default="", is_shared=True),
        ]

        def rwmh(cache: BranchCache | None) -> Callable[[int], None]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                chain = RunnableWithMessageHistory(
                    model,
                    lambda conversation_id, branch_id: ChatRoutesChatMessageHistory(
                        conversation_id, branch_id or None, client=client, branch_cache=cache
                    ),
                    history_factory_config=specs,
                )
            conv = client.conversations.create(title="rwmh").id
            config = {"configurable": {"conversation_id": conv, "branch_id": ""}}

            def rwmh_turn(i: int) -> None:
                chain.invoke([HumanMessage(f"turn {i}: tell me more")], config=config)  # type: ignore[arg-type]

            return rwmh_turn

        for name, step in (
            ("ChatChatRoutes.invoke(full list)", chat_turn),
            ("RunnableWithMessageHistory + history (default: reads the branch each turn)", rwmh(None)),
            ("RunnableWithMessageHistory + history sharing a BranchCache", rwmh(BranchCache())),
        ):
            times, requests = measure(step)
            t_early = median(times[early - window - 1 : early + window])
            t_late = median(times[late - window - 1 : late + window])
            r_early = sorted(set(requests[early - window - 1 : early + window]))
            r_late = sorted(set(requests[late - window - 1 : late + window]))
            ratio = t_late / t_early
            res.row(
                name,
                f"turn {early}: {_ms(t_early)}, {r_early} req/turn; "
                f"turn {late}: {_ms(t_late)}, {r_late} req/turn; "
                f"late/early {ratio:.2f}×",
            )
            res.target(f"{name}: requests per turn constant ({r_early} → {r_late})", r_early == r_late)
            res.target(f"{name}: turn {late} ≤ 1.3× turn {early} (measured {ratio:.2f}×)", ratio <= 1.3)
        client.close()
    return res


# --- 6. detector and server throughput ------------------------------------------------------------


_PIECES = [
    "I need help with billing and also have a technical question about the API.",
    "Should I deploy on Kubernetes or on a single virtual machine for now?",
    "If the migration fails then roll back, otherwise keep the new schema.",
    "We talked about rock and roll for an hour or so, and it was fine either way.",
    "First, summarise the report; second, list the risks; third, propose next steps.",
    "The weather was black and white, more or less what we expected today.",
    "Can you compare PostgreSQL and SQLite for a small analytics service?",
]


def _texts(count: int, length: int = 500, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        text = ""
        while len(text) < length:
            text += rng.choice(_PIECES) + " "
        texts.append(text[:length])
    return texts


def throughput(srv: ServerProcess, *, texts: int, sends_per_thread: int) -> Result:
    from chatroutes_core.autobranch import detect

    res = Result("6. Local AutoBranch detector and local server throughput")
    corpus = _texts(texts)
    rates = []
    for _ in range(5):
        started = time.perf_counter()
        for text in corpus:
            detect(text, threshold=0.5)
        rates.append(len(corpus) / (time.perf_counter() - started))
    res.row(
        "chatroutes_core.autobranch.detect, 500-char texts",
        f"{median(rates):,.0f} texts/s (median of 5 passes)",
    )

    def worker(results: list[int]) -> None:
        with ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url) as client:
            cid = client.conversations.create(title="rps").id
            for _ in range(sends_per_thread):
                client.messages.send(cid, content="hello")
            results.append(sends_per_thread)

    for count in (2, 4):
        done: list[int] = []
        threads = [threading.Thread(target=worker, args=(done,)) for _ in range(count)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        res.row(
            f"local server, message sends, {count} client threads",
            f"{sum(done) / wall:,.0f} sends/s ({sum(done)} sends in {wall:.2f} s)",
        )
    return res
