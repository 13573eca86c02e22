"""Issue 24 item 2, the client half: a connection error says whether the request reached the server.

Against a raw socket server on loopback that misbehaves on purpose: no listener (not sent), a reset before
the request is read (not sent whole: httpcore swallows that write error and reports a read error, so only
its trace of the phases tells), a reset after the whole request was read (sent, the server may have acted),
the same on a reused keep-alive connection. The rule that a send is never resent once it may have reached
the server is unchanged: each failing send is one attempt.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from chatroutes_core import APIConnectionError, AsyncChatRoutesClient, ChatRoutesClient

pytestmark = pytest.mark.integration

KEY = "cr_test_sk_truth_0123456789"
OK_BODY = b'{"success":true,"data":{"conversation":{"id":"conv_1"}}}'


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head


class RawServer:
    """One thread serving each accepted connection with `handle(conn, requests_so_far)`."""

    def __init__(self, handle: Callable[[socket.socket, list[bytes]], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.handle = handle
        self.requests: list[bytes] = []
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/api/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with contextlib.suppress(OSError):
                self.handle(conn, self.requests)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket, list[bytes]], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(handle: Callable[[socket.socket, list[bytes]], None]) -> RawServer:
        servers.append(RawServer(handle))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _reset_unread(conn: socket.socket, requests: list[bytes]) -> None:
    conn.recv(1, socket.MSG_PEEK)  # the request has begun to arrive (the connection is made)...
    requests.append(b"")
    _reset(conn)  # ...and dies unread: it never reached the application


def _reset_after_reading(conn: socket.socket, requests: list[bytes]) -> None:
    requests.append(_read_request(conn))
    _reset(conn)  # read whole, then the connection dies: the server may have acted


def _answer_then_reset(conn: socket.socket, requests: list[bytes]) -> None:
    requests.append(_read_request(conn))
    conn.sendall(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
        % (len(OK_BODY), OK_BODY)
    )
    requests.append(_read_request(conn))  # the next request, on the same connection, read whole
    _reset(conn)


def test_no_listener_means_not_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ChatRoutesClient(KEY, f"http://127.0.0.1:{port}/api/v1", max_retries=0)
    with client, pytest.raises(APIConnectionError) as info:
        client.messages.send("conv_1", content="hello")
    assert info.value.request_sent is False
    assert "not sent" in str(info.value) and "nothing reached the server" in str(info.value)


def test_a_reset_before_the_request_was_read_is_not_sent_whole(serve: Callable[..., RawServer]) -> None:
    server = serve(_reset_unread)
    big = "x" * 16_000_000  # more than the socket buffers hold: the write itself fails
    with (
        ChatRoutesClient(KEY, server.base_url, max_retries=0) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        client.conversations.create(title="t", extra_body={"pad": big})
    assert info.value.request_sent is False
    assert "did not receive all of it" in str(info.value)
    assert "may have acted" not in str(info.value)


def test_a_reset_after_the_request_was_read_may_have_acted_and_a_send_is_not_resent(
    serve: Callable[..., RawServer],
) -> None:
    server = serve(_reset_after_reading)
    with ChatRoutesClient(KEY, server.base_url) as client, pytest.raises(APIConnectionError) as info:
        client.messages.send("conv_1", content="hello")
    assert info.value.request_sent is True
    assert "whole request was written" in str(info.value) and "may have acted" in str(info.value)
    assert len(server.requests) == 1  # max_retries=2, yet never resent
    assert KEY not in str(info.value)


def test_a_reused_connection_is_named(serve: Callable[..., RawServer]) -> None:
    server = serve(_answer_then_reset)
    with ChatRoutesClient(KEY, server.base_url, max_retries=0) as client:
        assert client.conversations.create(title="one").id == "conv_1"
        with pytest.raises(APIConnectionError) as info:
            client.messages.send("conv_1", content="two")
    assert info.value.request_sent is True and "on a reused connection" in str(info.value)
    assert server.connections == 1


async def test_the_async_client_tells_the_same(serve: Callable[..., RawServer]) -> None:
    # (Under asyncio a failed write is not reported: the transport buffers it and reports the loss as a
    # read error, so an unread request counts as sent there, the cautious answer.)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AsyncChatRoutesClient(KEY, f"http://127.0.0.1:{port}/api/v1", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.messages.send("conv_1", content="hello")
        assert info.value.request_sent is False and "nothing reached the server" in str(info.value)
    read = serve(_reset_after_reading)
    async with AsyncChatRoutesClient(KEY, read.base_url) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.messages.send("conv_1", content="hello")
        assert info.value.request_sent is True and "may have acted" in str(info.value)
    assert len(read.requests) == 1
