"""LocalServer used directly in a test (no project fixture, no marker), restarted, and reopened by path."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.testing import LocalServer, running_servers


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:  # a fixture name the suite's socket policy does not know
    with LocalServer() as srv:
        yield srv


def test_a_server_started_inline_is_reachable() -> None:
    with LocalServer() as srv:
        client = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
        assert client.conversations.create(title="inline").id
    assert srv not in running_servers()


async def test_a_server_started_inline_is_reachable_from_async_code() -> None:
    with LocalServer() as srv:
        async with AsyncChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url) as client:
            assert (await client.conversations.create(title="inline")).id


def test_a_server_from_any_fixture_is_reachable(server: LocalServer) -> None:
    client = ChatRoutesClient(api_key=server.api_key, base_url=server.base_url)
    assert client.conversations.create(title="fixture").id


@pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")
def test_nothing_beyond_loopback_while_a_server_runs(server: LocalServer) -> None:
    with pytest.raises(Exception, match=r"(?i)socket|host"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)  # TEST-NET-1, never routed


def test_stop_then_start_serves_the_same_data_again() -> None:
    srv = LocalServer().start()
    try:
        client = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
        conv = client.conversations.create(title="restart").id
        client.messages.send(conv, content="kept")
        srv.stop()
        srv.start()
        again = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
        assert again.messages.list(conv)[0].content == "kept"
        assert srv.count_messages(conv) == 2
    finally:
        srv.close()


def test_a_database_file_is_reopened_by_a_new_server(tmp_path: Path) -> None:
    path = tmp_path / "chatroutes.sqlite3"
    with LocalServer(db=path, api_key="cr_local_sk_test") as first:
        client = ChatRoutesClient(api_key=first.api_key, base_url=first.base_url)
        conv = client.conversations.create(title="durable").id
        client.messages.send(conv, content="kept")
    with LocalServer(db_path=path, api_key="cr_local_sk_test") as second:
        client = ChatRoutesClient(api_key=second.api_key, base_url=second.base_url)
        assert len(client.messages.list(conv)) == 2
    assert path.exists()
