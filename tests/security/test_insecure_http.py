"""The client refuses to send the API key over plain http to a non-loopback host (before any request)."""

from __future__ import annotations

import httpx
import pytest

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, ConfigurationError

KEY = "cr_test_sk_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
OK_BODY = {"success": True, "data": {"status": "ok", "version": "1", "service": "autobranch"}}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=OK_BODY)


REMOTE_HTTP = [
    "http://api.chatroutes.com/api/v1",
    "http://10.0.0.5:8787/api/v1",
    "http://[2001:db8::1]/api/v1",
    "HTTP://example.org/api/v1",
    "http://localhost.evil.example/api/v1",
    "http://127.0.0.1.nip.io/api/v1",
]
LOOPBACK_HTTP = ["http://127.0.0.1:8787/api/v1", "http://localhost:8787/api/v1", "http://[::1]:8787/api/v1"]


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_sync_client_refuses_plain_http_to_a_remote_host(url: str) -> None:
    recorder = Recorder()
    with (
        httpx.Client(transport=httpx.MockTransport(recorder)) as http,
        pytest.raises(ConfigurationError) as info,
    ):
        client = ChatRoutesClient(api_key=KEY, base_url=url, http_client=http)
        client.autobranch.health()
    assert recorder.requests == []
    assert "allow_insecure_http" in str(info.value)
    assert KEY not in str(info.value)


@pytest.mark.parametrize("url", REMOTE_HTTP)
async def test_async_client_refuses_plain_http_to_a_remote_host(url: str) -> None:
    recorder = Recorder()
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as http:
        with pytest.raises(ConfigurationError):
            client = AsyncChatRoutesClient(api_key=KEY, base_url=url, http_client=http)
            await client.autobranch.health()
    assert recorder.requests == []


def test_plain_http_from_the_environment_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_BASE_URL", "http://api.chatroutes.com/api/v1")
    with pytest.raises(ConfigurationError):
        ChatRoutesClient(api_key=KEY)


def test_with_options_cannot_switch_to_plain_http() -> None:
    recorder = Recorder()
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
        client = ChatRoutesClient(api_key=KEY, base_url="https://api.chatroutes.com/api/v1", http_client=http)
        with pytest.raises(ConfigurationError):
            client.with_options(base_url="http://api.chatroutes.com/api/v1")
    assert recorder.requests == []


@pytest.mark.parametrize("url", [*LOOPBACK_HTTP, "https://api.chatroutes.com/api/v1"])
def test_loopback_http_and_https_are_accepted(url: str) -> None:
    recorder = Recorder()
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
        ChatRoutesClient(api_key=KEY, base_url=url, http_client=http).autobranch.health()
    assert len(recorder.requests) == 1
    assert str(recorder.requests[0].url).lower().startswith(url.lower())


def test_explicit_opt_in_allows_plain_http_to_a_remote_host() -> None:
    recorder = Recorder()
    url = "http://chatroutes.internal:8000/api/v1"
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
        client = ChatRoutesClient(api_key=KEY, base_url=url, http_client=http, allow_insecure_http=True)
        client.autobranch.health()
    assert [str(r.url) for r in recorder.requests] == [url + "/autobranch/health"]
