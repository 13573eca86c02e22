"""Pools: one SSL context per process, made once; async pools added as concurrency needs them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import httpx
import pytest

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core._http import pool as _pool
from chatroutes_core._http.pool import ShardedAsyncTransport, default_async_http, shared_ssl_context
from chatroutes_core.testing import LocalServer


def test_limits_are_shared_out_pools_are_lazy_and_bad_shard_counts_refused() -> None:
    transport = ShardedAsyncTransport(shards=4, limits=httpx.Limits(max_connections=10))
    assert transport._pools == [] and transport._limits.max_connections == 3
    with pytest.raises(ValueError):
        ShardedAsyncTransport(shards=0)


def test_a_pool_is_added_only_when_every_pool_is_busy() -> None:
    transport = ShardedAsyncTransport(shards=2)
    first = transport._pick()
    assert (first, len(transport._pools)) == (0, 1)
    assert transport._pick() == 0  # idle: reused, nothing added
    transport._busy[0] = 1
    assert (transport._pick(), len(transport._pools)) == (1, 2)
    transport._busy[1] = 2
    assert (transport._pick(), len(transport._pools)) == (0, 2)  # at the cap: the least busy


def test_every_pool_uses_the_one_shared_ssl_context() -> None:
    transport = ShardedAsyncTransport(shards=2)
    transport._pick()
    transport._busy[0] = 1
    transport._pick()
    contexts = {id(pool._pool._ssl_context) for pool in transport._pools}
    assert contexts == {id(shared_ssl_context())}


def test_proxy_environment_keeps_httpx_default_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    client = default_async_http(5.0)
    assert not isinstance(client._transport, ShardedAsyncTransport)
    monkeypatch.delenv("HTTPS_PROXY")
    for name in ("HTTP_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "localhost")  # a NO_PROXY alone names no proxy
    assert isinstance(default_async_http(5.0)._transport, ShardedAsyncTransport)


def test_concurrent_sends_spread_over_pools_and_release_them(local_server: LocalServer) -> None:
    async def main() -> tuple[list[str], list[int], int, bool]:
        client = AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url)
        conv = await client.conversations.create(title="fan-out")
        transport = client._http._transport
        assert isinstance(transport, ShardedAsyncTransport)
        others = [await client.conversations.create(title=f"fan-{i}") for i in range(23)]
        sequential_pools = len(transport._pools)
        replies = await asyncio.gather(
            *(client.messages.send(c.id, content="hello") for c in [conv, *others])
        )
        busy = list(transport._busy)
        used = sum(1 for pool in transport._pools if pool._pool.connections)
        await client.close()
        return [r.message.role for r in replies], busy, sequential_pools, used > 1 and client.is_closed

    roles, busy, sequential_pools, spread_and_closed = asyncio.run(main())
    assert roles == ["assistant"] * 24
    assert sequential_pools == 1  # one request at a time never needs a second pool
    assert busy == [0] * len(busy)  # every response released its pool
    assert spread_and_closed


def _race(fn: Callable[[], object], threads: int = 8) -> list[object]:
    barrier = threading.Barrier(threads)
    got: list[object] = []

    def worker() -> None:
        barrier.wait()
        got.append(fn())

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return got


def test_threads_racing_for_the_first_ssl_context_load_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []
    real = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> object:
        made.append(1)
        return real()

    monkeypatch.setattr(_pool, "_SSL", [])
    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    got = _race(shared_ssl_context)
    assert len(made) == 1 and len({id(c) for c in got}) == 1


def test_threads_racing_for_a_new_clients_first_request_get_one_pool() -> None:
    client = ChatRoutesClient("cr_x", "https://api.example.test/api/v1")
    got = _race(lambda: client._http)
    assert len({id(h) for h in got}) == 1
    client.close()
