"""The async client's own pool: several small connection pools, least busy first, nothing leaked."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from chatroutes_core import AsyncChatRoutesClient
from chatroutes_core._transport import ShardedAsyncTransport, default_async_http
from chatroutes_core.testing import LocalServer


def test_limits_are_shared_out_and_bad_shard_counts_refused() -> None:
    transport = ShardedAsyncTransport(shards=4, limits=httpx.Limits(max_connections=10))
    assert len(transport._pools) == 4 and transport._busy == [0, 0, 0, 0]
    with pytest.raises(ValueError):
        ShardedAsyncTransport(shards=0)


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
    async def main() -> tuple[list[str], list[int], bool]:
        client = AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url)
        transport = client._http._transport
        assert isinstance(transport, ShardedAsyncTransport)
        conv = await client.conversations.create(title="fan-out")
        others = [await client.conversations.create(title=f"fan-{i}") for i in range(23)]
        replies = await asyncio.gather(
            *(client.messages.send(c.id, content="hello") for c in [conv, *others])
        )
        busy = list(transport._busy)
        used = sum(1 for pool in transport._pools if pool._pool.connections)
        await client.close()
        return [r.message.role for r in replies], busy, used > 1 and client._http.is_closed

    roles, busy, spread_and_closed = asyncio.run(main())
    assert roles == ["assistant"] * 24
    assert busy == [0] * len(busy)  # every response released its pool
    assert spread_and_closed
