"""Faults against the local server, through the core clients and both adapters.

For each fault: the error type the caller gets, how often the call was attempted (counted by the server, or
at the transport when nothing listens), and how many messages the server stored because of the call,
checked server-side. "Not lost, not duplicated" means: the exchange is stored at most once, and whenever it
was stored while the caller got an error, the caller can find it by listing the branch. Retries never sleep
for real in the core rows (an injected ``sleep`` records the delays); the adapters use a 10 ms Retry-After.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from _fault_table import ROWS, FaultRow

from chatroutes_core import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncChatRoutesClient,
    ChatRoutesClient,
    ChatRoutesError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
)
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

SEND_PATH = r"/conversations/[^/]+/messages$"
STREAM_PATH = r"/messages/stream$"
SLOW = 0.15  # client read timeout in the timeout rows; the server works 3x longer
LAYERS = ["core", "core async", "ChatChatRoutes", "LlamaIndex ChatRoutes"]


@dataclass
class Target:
    """One fresh conversation on the server, and how to reach it."""

    srv: LocalServer
    conversation_id: str
    branch_id: str
    base_url: str
    timeout: float | None = None
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def target(server: LocalServer) -> Iterator[Target]:
    server.faults.clear()
    server.set_latency(0.0)
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        conv = client.conversations.create(title="fault")
        branch = client.branches.list(conv.id)[0]
    yield Target(server, conv.id, branch.id, server.base_url)
    server.faults.clear()
    server.set_latency(0.0)


# -- the four ways a caller sends one user turn --------------------------------------------------------------


def core_client(t: Target) -> ChatRoutesClient:
    extra: dict[str, Any] = {} if t.timeout is None else {"timeout": httpx.Timeout(5.0, read=t.timeout)}
    return ChatRoutesClient(api_key=t.srv.api_key, base_url=t.base_url, sleep=t.sleeps.append, **extra)


def async_client(t: Target) -> AsyncChatRoutesClient:
    extra: dict[str, Any] = {} if t.timeout is None else {"timeout": httpx.Timeout(5.0, read=t.timeout)}

    async def sleep(seconds: float) -> None:
        t.sleeps.append(seconds)

    return AsyncChatRoutesClient(api_key=t.srv.api_key, base_url=t.base_url, sleep=sleep, **extra)


def send(layer: str, t: Target, text: str) -> str:
    """Send ``text`` as one turn on the target branch; return the reply text."""
    if layer == "core":
        with core_client(t) as client:
            return client.messages.send(
                t.conversation_id, content=text, branch_id=t.branch_id
            ).message.content
    if layer == "core async":

        async def run() -> str:
            async with async_client(t) as client:
                reply = await client.messages.send(t.conversation_id, content=text, branch_id=t.branch_id)
                return reply.message.content

        return asyncio.run(run())
    if layer == "ChatChatRoutes":
        from langchain_core.messages import HumanMessage

        return str(langchain_model(t).invoke([HumanMessage(text)]).content)
    from llama_index.core.llms import ChatMessage

    return str(llama_llm(t).chat([ChatMessage(role="user", content=text)]).message.content)


def stream(layer: str, t: Target, text: str, deltas: list[str]) -> str:
    """Stream ``text`` as one turn, appending each delta to ``deltas`` as it arrives; return the full text."""
    if layer == "core":
        with (
            core_client(t) as client,
            client.messages.stream(t.conversation_id, content=text, branch_id=t.branch_id) as s,
        ):
            deltas.extend(ev.content for ev in s if ev.type == "content")
            return s.text
    if layer == "core async":

        async def run() -> str:
            async with (
                async_client(t) as client,
                client.messages.stream(t.conversation_id, content=text, branch_id=t.branch_id) as s,
            ):
                async for ev in s:
                    if ev.type == "content":
                        deltas.append(ev.content)
                return s.text

        return asyncio.run(run())
    if layer == "ChatChatRoutes":
        from langchain_core.messages import HumanMessage

        for chunk in langchain_model(t).stream([HumanMessage(text)]):
            if chunk.content:
                deltas.append(str(chunk.content))
        return "".join(deltas)
    from llama_index.core.llms import ChatMessage

    for response in llama_llm(t).stream_chat([ChatMessage(role="user", content=text)]):
        if response.delta:
            deltas.append(response.delta)
    return "".join(deltas)


def langchain_model(t: Target) -> Any:
    from langchain_chatroutes import ChatChatRoutes

    return ChatChatRoutes(
        api_key=t.srv.api_key,
        base_url=t.base_url,
        conversation_id=t.conversation_id,
        branch_id=t.branch_id,
        timeout=t.timeout,
    )


def llama_llm(t: Target) -> Any:
    from llama_index_chatroutes import ChatRoutes

    return ChatRoutes(
        api_key=t.srv.api_key,
        base_url=t.base_url,
        conversation_id=t.conversation_id,
        branch_id=t.branch_id,
        timeout=t.timeout,
    )


# -- measuring -----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    result: str | None
    error: BaseException | None
    attempts: int
    stored: int

    @property
    def name(self) -> str:
        return (
            f"ok: {self.result[:18]!r}…" if self.error is None and self.result else type(self.error).__name__
        )


def measure(t: Target, call: Callable[[], str], *, settle: bool = False) -> Outcome:
    """Run ``call``; count the requests the server saw and the messages it stored because of it."""
    before = t.srv.count_messages(t.conversation_id)
    t.srv.reset_requests()
    result: str | None = None
    error: BaseException | None = None
    try:
        result = call()
    except ChatRoutesError as exc:
        error = exc
    attempts = len(t.srv.requests)
    if settle:  # the server may still be working on a request the caller gave up on
        t.srv.set_latency(0.0)
        wait_until_quiet(t)
    return Outcome(result, error, attempts, t.srv.count_messages(t.conversation_id) - before)


def wait_until_quiet(t: Target, limit: float = 10.0) -> None:
    """Block until the server has answered every request it received, even those the caller gave up on."""
    assert t.srv.wait_idle(limit), "the server still had requests in flight"


def listed(t: Target) -> list[tuple[str, str]]:
    with ChatRoutesClient(api_key=t.srv.api_key, base_url=t.srv.base_url) as client:
        return [(m.role, m.content) for m in client.messages.list(t.conversation_id, branch_id=t.branch_id)]


def row(layer: str, fault: str, call: str, out: Outcome, verdict: str, attempts: int | None = None) -> None:
    ROWS.append(FaultRow(layer, fault, call, out.name, out.attempts if attempts is None else attempts,
                         out.stored, verdict))  # fmt: skip


# -- the faults ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", LAYERS)
def test_500_after_the_server_stored_is_reported_once_and_findable(layer: str, target: Target) -> None:
    target.srv.inject(500, when="after", method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "stored then failed"))
    assert isinstance(out.error, ServerError) and out.error.status_code == 500
    assert out.attempts == 1  # never resent: the server may have stored it (it did)
    assert out.stored == 2  # user + reply, exactly once
    assert ("user", "stored then failed") in listed(target)  # the caller can find it
    row(layer, "500 after the server stored", "send", out, "stored once, not resent; find it by listing")


@pytest.mark.parametrize("layer", LAYERS)
def test_500_before_storing_is_not_resent(layer: str, target: Target) -> None:
    target.srv.inject(500, when="before", method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "failed early"))
    assert isinstance(out.error, ServerError) and out.error.status_code == 500
    assert (out.attempts, out.stored) == (1, 0)
    row(layer, "500 before storing", "send", out, "nothing stored; caller told, may resend")


@pytest.mark.parametrize("layer", LAYERS)
def test_read_timeout_while_the_server_works_is_not_resent(layer: str, target: Target) -> None:
    target.timeout = SLOW
    target.srv.set_latency(3 * SLOW)
    out = measure(target, lambda: send(layer, target, "slow one"), settle=True)
    assert isinstance(out.error, APITimeoutError)
    assert out.attempts == 1
    assert out.stored == 2  # the server finished after the caller gave up: stored once, never twice
    assert ("user", "slow one") in listed(target)
    row(
        layer,
        "read timeout, server still working",
        "send",
        out,
        "stored once (late), not resent; find it by listing",
    )


def test_read_timeout_on_a_get_is_retried(target: Target) -> None:
    target.timeout = SLOW
    target.srv.set_latency(3 * SLOW)
    out = measure(target, lambda: str(len(core_list(target))), settle=True)
    assert isinstance(out.error, APITimeoutError)
    assert out.attempts == 3 and len(target.sleeps) == 2
    row("core", "read timeout, server still working", "messages.list", out, "read-only: retried twice")


def core_list(t: Target) -> list[Any]:
    with core_client(t) as client:
        return client.messages.list(t.conversation_id, branch_id=t.branch_id)


@pytest.mark.parametrize("layer", LAYERS)
def test_429_with_retry_after_is_retried_after_the_hint(layer: str, target: Target) -> None:
    target.srv.inject(429, retry_after=0.01, method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "rate limited once"))
    assert out.error is None and out.result
    assert (out.attempts, out.stored) == (2, 2)
    if layer.startswith("core"):
        assert target.sleeps == [0.01]  # waited exactly what Retry-After said
    row(layer, "429 with Retry-After", "send", out, "retried once, stored once")


@pytest.mark.parametrize("layer", ["core", "ChatChatRoutes"])
def test_429_that_does_not_clear_gives_up_after_the_retries(layer: str, target: Target) -> None:
    target.srv.inject(429, count=10, retry_after=0.01, method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "rate limited"))
    assert isinstance(out.error, RateLimitError) and out.error.retry_after == 0.01
    assert (out.attempts, out.stored) == (3, 0)
    row(layer, "429 that does not clear", "send", out, "3 attempts, nothing stored; retry_after exposed")


@pytest.mark.parametrize("layer", LAYERS)
def test_503_on_a_send_is_not_resent(layer: str, target: Target) -> None:
    target.srv.inject(503, method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "unavailable"))
    assert isinstance(out.error, ServerError) and out.error.status_code == 503
    assert (out.attempts, out.stored) == (1, 0)
    row(layer, "503", "send", out, "nothing stored; not resent (a 5xx may follow a store)")


# -- retry_sends: creating POSTs retried with the same Idempotency-Key (the local server honours it) -------


def sends_retried(layer: str, t: Target, text: str, *, recover: bool = False) -> str:
    """One send through a core client with ``retry_sends=True``; ``recover`` drops the server's latency
    before the retry (a server that was slow once), so the retry meets the first attempt still running."""

    def on_retry(seconds: float) -> None:
        t.sleeps.append(seconds)
        if recover:
            t.srv.set_latency(0.0)

    timeout = httpx.Timeout(5.0, read=t.timeout) if t.timeout is not None else httpx.Timeout(5.0)
    options: dict[str, Any] = {"api_key": t.srv.api_key, "base_url": t.base_url, "timeout": timeout,
                               "retry_sends": True}  # fmt: skip
    if layer == "core":
        with ChatRoutesClient(sleep=on_retry, **options) as client:
            reply = client.messages.send(t.conversation_id, content=text, branch_id=t.branch_id)
            return reply.message.content

    async def asleep(seconds: float) -> None:
        on_retry(seconds)

    async def run() -> str:
        async with AsyncChatRoutesClient(sleep=asleep, **options) as client:
            reply = await client.messages.send(t.conversation_id, content=text, branch_id=t.branch_id)
            return reply.message.content

    return asyncio.run(run())


@pytest.mark.parametrize("layer", ["core", "core async"])
def test_with_retry_sends_a_503_after_the_server_stored_is_retried_and_stored_once(
    layer: str, target: Target
) -> None:
    target.srv.inject(503, when="after", method="POST", path=SEND_PATH)
    out = measure(target, lambda: sends_retried(layer, target, "stored then 503"))
    assert out.error is None and out.result  # the retry got the stored reply back (Idempotent-Replayed)
    assert (out.attempts, out.stored) == (2, 2)  # two attempts, one exchange stored
    assert listed(target).count(("user", "stored then 503")) == 1
    row(layer, "503 after the server stored", "send, retry_sends=True", out,
        "retried with the same key; server replayed it, stored once")  # fmt: skip


@pytest.mark.parametrize("layer", ["core", "core async"])
def test_with_retry_sends_a_read_timeout_is_retried_and_stored_once(layer: str, target: Target) -> None:
    target.timeout = SLOW
    target.srv.set_latency(3 * SLOW)
    out = measure(target, lambda: sends_retried(layer, target, "slow once", recover=True), settle=True)
    assert out.error is None and out.result
    assert out.attempts == 2 and len(target.sleeps) == 1
    assert out.stored == 2  # the late first attempt found the retry's record and stored nothing
    assert listed(target).count(("user", "slow once")) == 1
    row(layer, "read timeout, server still working", "send, retry_sends=True", out,
        "retried with the same key; stored once")  # fmt: skip


def test_503_on_a_get_is_retried(target: Target) -> None:
    send("core", target, "one")
    target.srv.inject(503, method="GET", path=SEND_PATH)
    out = measure(target, lambda: str(len(core_list(target))))
    assert out.error is None and out.result == "2"
    assert out.attempts == 2 and len(target.sleeps) == 1
    row("core", "503", "messages.list", out, "read-only: retried, succeeded")


@pytest.fixture
def dead_url() -> str:
    with socket.socket() as s:  # bind then close: nothing listens on this port afterwards
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1"


@pytest.fixture
def connection_attempts(monkeypatch: pytest.MonkeyPatch, dead_url: str) -> list[str]:
    """Counts every request handed to httpx's real transports for the dead port (sync and async)."""
    seen: list[str] = []
    sync_handle = httpx.HTTPTransport.handle_request
    async_handle = httpx.AsyncHTTPTransport.handle_async_request

    def counted(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(dead_url):
            seen.append(request.method)
        return sync_handle(self, request)

    async def acounted(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(dead_url):
            seen.append(request.method)
        return await async_handle(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", counted)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", acounted)
    return seen


@pytest.mark.parametrize("layer", LAYERS)
def test_connection_refused_is_retried_because_nothing_was_sent(
    layer: str, target: Target, dead_url: str, connection_attempts: list[str]
) -> None:
    target.base_url = dead_url
    out = measure(target, lambda: send(layer, target, "nobody home"))
    assert isinstance(out.error, APIConnectionError) and not isinstance(out.error, APITimeoutError)
    assert connection_attempts == ["POST"] * 3  # a refused connect proves the POST never left: safe to retry
    assert out.stored == 0
    row(
        layer,
        "connection refused",
        "send",
        out,
        "never reached a server; retried twice",
        len(connection_attempts),
    )


@pytest.mark.parametrize("layer", LAYERS)
def test_connection_reset_mid_stream_carries_the_text_so_far(layer: str, target: Target) -> None:
    target.srv.inject(cut_after=3, path=STREAM_PATH)
    deltas: list[str] = []
    out = measure(target, lambda: stream(layer, target, "cut me off", deltas))
    assert isinstance(out.error, StreamInterruptedError)
    assert len(deltas) == 3 and out.error.partial_text == "".join(deltas) != ""
    assert (out.attempts, out.stored) == (1, 0)  # never replayed; the server stores only complete replies
    row(
        layer,
        "connection reset mid-stream",
        "stream",
        out,
        f"nothing stored; error holds the {len(deltas)} deltas",
    )


@pytest.mark.parametrize("layer", LAYERS)
def test_a_stream_that_stalls_past_the_read_timeout_carries_the_text_so_far(
    layer: str, target: Target
) -> None:
    target.timeout = SLOW
    target.srv.inject(stall_after=2, stall_seconds=3 * SLOW, path=STREAM_PATH)
    deltas: list[str] = []
    out = measure(target, lambda: stream(layer, target, "stall", deltas), settle=True)
    assert isinstance(out.error, StreamInterruptedError)
    assert len(deltas) == 2 and out.error.partial_text == "".join(deltas) != ""
    assert out.attempts == 1
    assert out.stored in (0, 2)
    if out.stored:  # stored after the caller gave up: once, and findable
        assert ("user", "stall") in listed(target)
    verdict = "stored once (late); find it by listing" if out.stored else "nothing stored"
    row(layer, "stream stalls past the read timeout", "stream", out, verdict + "; error holds the 2 deltas")


@pytest.mark.parametrize("layer", LAYERS)
def test_a_2xx_with_malformed_json_is_an_error_not_a_wrong_result(layer: str, target: Target) -> None:
    target.srv.inject(200, body="malformed", when="after", method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "garbled answer"))
    assert isinstance(out.error, APIResponseValidationError)
    assert (out.attempts, out.stored) == (1, 2)
    assert ("user", "garbled answer") in listed(target)
    row(layer, "200 with malformed JSON", "send", out, "stored once, not resent; find it by listing")


@pytest.mark.parametrize("layer", LAYERS)
def test_an_html_502_from_a_proxy_is_a_server_error(layer: str, target: Target) -> None:
    target.srv.inject(502, body="html", method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "behind a proxy"))
    assert isinstance(out.error, ServerError) and out.error.status_code == 502
    assert "502" in str(out.error)
    assert (out.attempts, out.stored) == (1, 0)
    row(layer, "HTML 502 from a proxy", "send", out, "nothing stored; not resent")


def test_an_html_502_on_a_get_is_retried(target: Target) -> None:
    target.srv.inject(502, body="html", method="GET", path=SEND_PATH)
    out = measure(target, lambda: str(len(core_list(target))))
    assert out.error is None and out.attempts == 2
    row("core", "HTML 502 from a proxy", "messages.list", out, "read-only: retried, succeeded")


@pytest.mark.parametrize("layer", LAYERS)
def test_success_false_with_a_200_is_an_error(layer: str, target: Target) -> None:
    target.srv.inject(200, body="success_false", method="POST", path=SEND_PATH)
    out = measure(target, lambda: send(layer, target, "refused politely"))
    assert isinstance(out.error, APIResponseValidationError)
    assert (out.attempts, out.stored) == (1, 0)
    row(layer, "200 with success:false", "send", out, "nothing stored; not resent")
