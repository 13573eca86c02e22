"""The API key never shows in repr/str of the core clients, in DEBUG logs of full calls, or in errors."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx
import pytest

from chatroutes_core import (
    APIConnectionError,
    AsyncChatRoutesClient,
    AuthenticationError,
    ChatRoutesClient,
    ChatRoutesError,
    NotFoundError,
    ServerError,
)

if TYPE_CHECKING:
    from chatroutes_core.testing import LocalServer

SECRET = "cr_test_sk_5ecre7a1b2c3d4e5f60718293a4b5c6d"


def exposed(key: str, *texts: object) -> list[str]:
    """The texts that contain the key or its distinctive secret part."""
    tail = key[-16:]
    return [str(t) for t in texts if key in str(t) or tail in str(t)]


def error_texts(exc: BaseException) -> list[object]:
    texts: list[object] = [str(exc), repr(exc), exc.args]
    if isinstance(exc, ChatRoutesError):
        texts += [exc.message, getattr(exc, "body", None)]
    return texts


def log_texts(caplog: pytest.LogCaptureFixture) -> list[object]:
    texts: list[object] = []
    for record in caplog.records:
        texts += [record.getMessage(), record.args, record.exc_text, getattr(record, "__dict__", {})]
    return texts


def test_repr_and_str_of_clients_resources_and_copies_hide_the_key() -> None:
    sync = ChatRoutesClient(api_key=SECRET, base_url="https://api.chatroutes.com/api/v1")
    aclient = AsyncChatRoutesClient(api_key=SECRET, base_url="https://api.chatroutes.com/api/v1")
    copy = sync.with_options(max_retries=0)
    objects: list[object] = [sync, aclient, copy]
    for client in (sync, aclient, copy):
        objects += [
            client.conversations,
            client.messages,
            client.branches,
            client.checkpoints,
            client.autobranch,
        ]
    texts = [f(o) for o in objects for f in (repr, str)]
    assert exposed(SECRET, *texts) == []
    assert "ChatRoutesClient(" in repr(sync)  # a real repr, not an empty one
    sync.close()


def test_debug_logs_of_full_calls_never_contain_the_key(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # root: chatroutes, httpx, httpcore and everything else
    for name in ("httpx", "httpcore", "chatroutes", "uvicorn", "uvicorn.access"):
        caplog.set_level(logging.DEBUG, logger=name)
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as client:
        conv = client.conversations.create(title="secrets")
        client.messages.send(conv.id, content="hello")
        with client.messages.stream(conv.id, content="and stream") as stream:
            text = "".join(getattr(ev, "content", "") for ev in stream if ev.type == "content")
        assert text
        client.messages.list(conv.id)
        client.conversations.get_tree(conv.id)
        with pytest.raises(NotFoundError):
            client.conversations.get("conv_does_not_exist")
    with (
        ChatRoutesClient(api_key=SECRET, base_url=local_server.base_url, max_retries=0) as wrong,
        pytest.raises(AuthenticationError),
    ):
        wrong.conversations.list()
    assert len(caplog.records) > 0  # the capture really saw the DEBUG traffic
    assert exposed(local_server.api_key, *log_texts(caplog)) == []
    assert exposed(SECRET, *log_texts(caplog)) == []


async def test_async_debug_logs_never_contain_the_key(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as client:
        conv = await client.conversations.create(title="secrets async")
        await client.messages.send(conv.id, content="hello")
        async with client.messages.stream(conv.id, content="stream") as stream:
            async for _ in stream:
                pass
    assert len(caplog.records) > 0
    assert exposed(local_server.api_key, *log_texts(caplog)) == []


def test_a_401_names_the_problem_but_not_the_key(local_server: LocalServer) -> None:
    with ChatRoutesClient(api_key=SECRET, base_url=local_server.base_url) as client:
        with pytest.raises(AuthenticationError) as info:
            client.conversations.list()
        with (
            pytest.raises(AuthenticationError) as streamed,
            client.messages.stream("conv_x", content="hi") as s,
        ):
            list(s)
    for exc in (info.value, streamed.value):
        assert exc.status_code == 401
        assert exposed(SECRET, *error_texts(exc)) == []


def test_a_server_that_echoes_the_key_in_its_error_does_not_leak_it() -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        auth = request.headers["Authorization"]
        return httpx.Response(500, json={"success": False, "error": f"bad header {auth}", "message": auth})

    with (
        httpx.Client(transport=httpx.MockTransport(echo)) as http,
        ChatRoutesClient(api_key=SECRET, http_client=http, max_retries=0) as client,
        pytest.raises(ServerError) as info,
    ):
        client.conversations.list()
    assert exposed(SECRET, str(info.value), repr(info.value), info.value.message) == []


def test_connection_errors_do_not_carry_the_key() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused while sending {request.headers['Authorization']}", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as http,
        ChatRoutesClient(api_key=SECRET, http_client=http, max_retries=1, sleep=lambda _s: None) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        client.conversations.list()
    assert exposed(SECRET, *error_texts(info.value)) == []


def test_the_provider_its_shared_clients_and_server_info_hide_the_key() -> None:
    from chatroutes_core import ClientProvider

    provider = ClientProvider()
    client = provider.client(api_key=SECRET, base_url="https://api.chatroutes.com/api/v1")
    other = provider.client(api_key=SECRET, base_url="https://api.chatroutes.com/api/v1", max_retries=0)
    texts: list[object] = [provider, client, other, client.server_info, list(provider._sync), vars(provider)]
    assert exposed(SECRET, *[f(t) for t in texts for f in (repr, str)]) == []


def test_a_connection_error_naming_its_url_holds_no_key() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused; sent {request.headers['authorization']}")  # echoes the key

    http = httpx.Client(transport=httpx.MockTransport(refuse))
    client = ChatRoutesClient(api_key=SECRET, base_url="https://api.chatroutes.com/api/v1", http_client=http)
    with pytest.raises(APIConnectionError) as info:
        client.conversations.get("c1")
    assert "https://api.chatroutes.com/api/v1/conversations/c1" in str(info.value)
    assert exposed(SECRET, *error_texts(info.value)) == []
