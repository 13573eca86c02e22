"""Issue 14 cases: what building a client or a model costs, and one connection pool against sixteen."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable
from typing import Any

import httpx

from bench._harness import Interleaved, ServerProcess, median
from bench.cases import Result, _ms
from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, ClientProvider
from chatroutes_core._http.pool import ShardedAsyncTransport, shared_ssl_context

URL = "https://api.chatroutes.com/api/v1"
KEY = "cr_bench_sk_0123456789abcdef0123456789abcdef"


def _per_construction(make: Callable[[], Any], count: int, close: Callable[[Any], None] | None) -> float:
    """Mean wall seconds to make one object (``close`` runs outside the timed part)."""
    made = []
    started = time.perf_counter()
    for _ in range(count):
        made.append(make())
    elapsed = (time.perf_counter() - started) / count
    if close is not None:
        for obj in made:
            close(obj)
    return elapsed


def construction_cost(*, rounds: int) -> Result:
    """Build each object many times (interleaved rounds); httpx.Client() is the baseline."""
    from chatroutes import ChatRoutes as OfficialClient

    from langchain_chatroutes import ChatChatRoutes, ChatRoutesChatMessageHistory
    from llama_index_chatroutes import ChatRoutes, ChatRoutesChatStore

    provider = ClientProvider()
    parent = ChatRoutesClient(KEY, URL)
    shared_ssl_context()  # loaded once per process; its one-time cost is reported below
    ssl_started = time.perf_counter()
    httpx.create_ssl_context()
    ssl_once = time.perf_counter() - ssl_started

    def close_sync(obj: Any) -> None:
        obj.close()

    def close_async(obj: Any) -> None:
        asyncio.run(obj.aclose())

    heavy = 8  # httpx clients load a CA bundle each: 15-50 ms apiece
    light = 300
    variants: dict[str, Callable[[], float]] = {
        "httpx.Client()": lambda: _per_construction(httpx.Client, heavy, close_sync),
        "httpx.AsyncClient()": lambda: _per_construction(httpx.AsyncClient, heavy, close_async),
        "official chatroutes.ChatRoutes(api_key)": lambda: _per_construction(
            lambda: OfficialClient(api_key=KEY), light, None
        ),
        "ChatRoutesClient(api_key, base_url)": lambda: _per_construction(
            lambda: ChatRoutesClient(KEY, URL), light, None
        ),
        "AsyncChatRoutesClient(api_key, base_url)": lambda: _per_construction(
            lambda: AsyncChatRoutesClient(KEY, URL), light, None
        ),
        "client.with_options(max_retries=0)": lambda: _per_construction(
            lambda: parent.with_options(max_retries=0), light, None
        ),
        "ClientProvider.client(...) lookup (shared_client)": lambda: _per_construction(
            lambda: provider.client(api_key=KEY, base_url=URL), light, None
        ),
        "first request's pool: httpx.Client(verify=shared SSL context)": lambda: _per_construction(
            lambda: httpx.Client(verify=shared_ssl_context()), light // 10, close_sync
        ),
        "ChatChatRoutes(api_key, base_url, conversation_id)": lambda: _per_construction(
            lambda: ChatChatRoutes(api_key=KEY, base_url=URL, conversation_id="conv_1"), light, None
        ),
        "ChatRoutesChatMessageHistory(conversation_id, api_key, base_url)": lambda: _per_construction(
            lambda: ChatRoutesChatMessageHistory("conv_1", api_key=KEY, base_url=URL), light, None
        ),
        "LlamaIndex ChatRoutes(api_key, base_url, conversation_id)": lambda: _per_construction(
            lambda: ChatRoutes(api_key=KEY, base_url=URL, conversation_id="conv_1"), light, None
        ),
        "LlamaIndex ChatRoutesChatStore(api_key, base_url)": lambda: _per_construction(
            lambda: ChatRoutesChatStore(api_key=KEY, base_url=URL), light, None
        ),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in variants.values():
            fn()
        runs = Interleaved().run(variants, rounds)
    base = "httpx.Client()"
    res = Result(f"7. Construction cost (medians of {rounds} interleaved rounds; no I/O in any of them)")
    for name in variants:
        res.row(name, f"{_ms(runs.median(name))} each, {runs.paired_ratio(name, base):.4f}× httpx.Client()")
    res.row("one SSL context (httpx.create_ssl_context(), once per process)", _ms(ssl_once))
    for name in ("ChatRoutesClient(api_key, base_url)", "AsyncChatRoutesClient(api_key, base_url)"):
        ratio = runs.paired_ratio(name, base)
        res.target(f"{name} ≤ 0.25× httpx.Client() (measured {ratio:.4f}×)", ratio <= 0.25)
    for name in list(variants)[3:7] + list(variants)[8:]:
        med = runs.median(name)
        res.target(f"{name} well under 1 ms (≤ 0.25 ms; measured {_ms(med)})", med <= 0.00025)
    return res


def pool_sharding(
    srv: ServerProcess, *, concurrency: int = 64, latency: float = 0.25, rounds: int = 5
) -> Result:
    """64 concurrent sends at 250 ms server latency through one pool, and through up to 16 pools."""
    core = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
    convs = [core.conversations.create(title=f"pool-{i}").id for i in range(concurrency)]
    core.close()
    makers: dict[str, Callable[[], httpx.AsyncClient]] = {
        "1 pool (httpx.AsyncClient default transport)": lambda: httpx.AsyncClient(),
        "1 pool (ShardedAsyncTransport(shards=1))": lambda: httpx.AsyncClient(
            transport=ShardedAsyncTransport(shards=1)
        ),
        "up to 16 pools (the default, ShardedAsyncTransport())": lambda: httpx.AsyncClient(
            transport=ShardedAsyncTransport()
        ),
    }

    async def sample(make: Callable[[], httpx.AsyncClient]) -> tuple[float, float]:
        http = make()
        client = AsyncChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url, http_client=http)
        await asyncio.gather(*(client.messages.send(c, content="warm") for c in convs))  # connections
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client.messages.send(c, content="hello") for c in convs))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        await http.aclose()
        return wall, cpu

    walls: dict[str, list[float]] = {name: [] for name in makers}
    cpus: dict[str, list[float]] = {name: [] for name in makers}
    srv.knobs(latency=latency)
    try:
        names = list(makers)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                wall, cpu = asyncio.run(sample(makers[name]))
                walls[name].append(wall)
                cpus[name].append(cpu)
    finally:
        srv.knobs(latency=0.0)
    res = Result(
        f"8. Connection pools: {concurrency} concurrent sends, {int(latency * 1000)} ms server latency"
        f" ({rounds} rounds)"
    )
    sharded = "up to 16 pools (the default, ShardedAsyncTransport())"
    for name in makers:
        res.row(
            name,
            f"wall {median(walls[name]):.3f} s = {median(walls[name]) / latency:.2f}× latency; "
            f"client CPU {_ms(median(cpus[name]))} per fan-out",
        )
    one = "1 pool (httpx.AsyncClient default transport)"
    cpu_ratio = median(cpus[one]) / median(cpus[sharded])
    wall_ratio = median(walls[one]) / median(walls[sharded])
    res.target(
        f"sharding earns its keep: one pool costs more client CPU than up to 16 ({cpu_ratio:.2f}× CPU, "
        f"{wall_ratio:.2f}× wall)",
        cpu_ratio > 1.1,
    )
    return res
