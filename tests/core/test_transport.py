"""Retries, idempotency keys and error mapping via ``httpx.MockTransport`` (``_transport``, ``_request``)."""

from __future__ import annotations

import email.utils
import logging
import time

import httpx
import pytest
from _core_mock import KEY, Recorder, async_client, ok, sync_client

from chatroutes_core import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ChatRoutesClient,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)

MSG = {"id": "m1", "role": "assistant", "content": "hi"}
SEND_OK = ok({"message": MSG, "usage": {}, "model": "x"})
LIST_OK = ok({"messages": [MSG]})


def error(status: int, headers: dict[str, str] | None = None, **body: object) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"success": False, **body})


# --- creating POSTs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [error(500, error="Failed to send message"), error(502), error(503), httpx.ReadTimeout("slow"),
     httpx.RemoteProtocolError("peer closed"), httpx.WriteTimeout("w")],
    ids=["500", "502", "503", "read-timeout", "protocol-error", "write-timeout"],
)  # fmt: skip
def test_a_message_post_is_never_resent_after_the_server_may_have_acted(failure: object) -> None:
    recorder = Recorder(failure, SEND_OK)  # type: ignore[arg-type]
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps) as client, pytest.raises((ServerError, APIConnectionError)):
        client.messages.send("c1", content="hi")
    assert len(recorder.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), httpx.PoolTimeout("p")]
)
def test_a_message_post_is_retried_when_it_never_left_with_the_same_key(failure: Exception) -> None:
    recorder = Recorder(failure, failure, SEND_OK)
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps) as client:
        reply = client.messages.send("c1", content="hi")
    assert reply.message.id == "m1"
    keys = {r.headers["idempotency-key"] for r in recorder.requests}
    assert len(recorder.requests) == 3 and len(keys) == 1
    assert sleeps == [0.5, 1.0]


def test_429_on_a_post_is_retried_with_the_same_key_after_retry_after() -> None:
    recorder = Recorder(error(429, headers={"Retry-After": "2"}, error="slow down"), SEND_OK)
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps) as client:
        client.messages.send("c1", content="hi", idempotency_key="my-key")
    assert [r.headers["idempotency-key"] for r in recorder.requests] == ["my-key", "my-key"]
    assert sleeps == [2.0]


def test_each_logical_call_gets_its_own_key() -> None:
    recorder = Recorder(SEND_OK)
    with sync_client(recorder) as client:
        client.messages.send("c1", content="a")
        client.messages.send("c1", content="b")
    keys = [r.headers["idempotency-key"] for r in recorder.requests]
    assert len(set(keys)) == 2


async def test_async_post_after_500_is_not_resent_but_connect_error_is() -> None:
    recorder = Recorder(error(500))
    async with async_client(recorder) as client:
        with pytest.raises(ServerError):
            await client.messages.send("c1", content="hi")
    assert len(recorder.requests) == 1

    recorder = Recorder(httpx.ConnectError("refused"), SEND_OK)
    sleeps: list[float] = []
    async with async_client(recorder, sleeps=sleeps) as client:
        await client.messages.send("c1", content="hi")
    assert len({r.headers["idempotency-key"] for r in recorder.requests}) == 1
    assert len(recorder.requests) == 2 and sleeps == [0.5]


# --- idempotent methods -------------------------------------------------------------------------------------


def test_get_is_retried_on_503_honouring_retry_after_then_succeeds() -> None:
    recorder = Recorder(error(503, headers={"Retry-After": "3"}), error(502), LIST_OK)
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps) as client:
        messages = client.messages.list("c1")
    assert messages[0].id == "m1"
    assert sleeps == [3.0, 1.0]  # the hint, then backoff for the second retry (0.5 * 2**1)
    assert all("idempotency-key" not in r.headers for r in recorder.requests)


def test_get_retry_after_as_http_date() -> None:
    date = email.utils.formatdate(time.time() + 5, usegmt=True)
    recorder = Recorder(error(429, headers={"Retry-After": date}), LIST_OK)
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps) as client:
        client.messages.list("c1")
    assert len(sleeps) == 1 and 3.0 < sleeps[0] <= 5.0


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout("t"), httpx.ConnectError("c"), httpx.RemoteProtocolError("p"), error(408)]
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_idempotent_calls_retry_transport_failures_and_408(failure: object, method: str) -> None:
    replies = {"GET": LIST_OK, "PATCH": ok({"message": MSG}), "DELETE": ok()}
    recorder = Recorder(failure, replies[method])  # type: ignore[arg-type]
    with sync_client(recorder) as client:
        if method == "GET":
            client.messages.list("c1")
        elif method == "PATCH":
            client.messages.update("m1", content="x")
        else:
            client.messages.delete("m1")
    assert [r.method for r in recorder.requests] == [method, method]


def test_retries_stop_at_max_retries_and_raise_the_last_error() -> None:
    recorder = Recorder(error(503, error="down"))
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps, max_retries=3) as client, pytest.raises(ServerError) as info:
        client.conversations.get("c1")
    assert len(recorder.requests) == 4 and sleeps == [0.5, 1.0, 2.0]
    assert info.value.status_code == 503


def test_read_timeout_on_get_becomes_api_timeout_error_after_retries() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    with sync_client(recorder, max_retries=1) as client, pytest.raises(APITimeoutError) as info:
        client.conversations.get("c1")
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert len(recorder.requests) == 2


def test_max_retries_zero_sends_once() -> None:
    recorder = Recorder(error(503))
    with sync_client(recorder, max_retries=0) as client, pytest.raises(ServerError):
        client.conversations.get("c1")
    assert len(recorder.requests) == 1


class HarnessError(Exception):
    """Stands in for vcrpy's CannotOverwriteExistingCassetteException (not an httpx.TransportError)."""


def test_foreign_exceptions_propagate_unchanged_and_are_not_retried() -> None:
    recorder = Recorder(HarnessError("no cassette match"))
    with sync_client(recorder) as client, pytest.raises(HarnessError):
        client.conversations.get("c1")
    assert len(recorder.requests) == 1


# --- error mapping ---


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, ValidationError), (422, ValidationError), (401, AuthenticationError),
     (403, PermissionDeniedError), (404, NotFoundError), (409, ConflictError), (429, RateLimitError),
     (500, ServerError), (502, ServerError), (503, ServerError), (504, ServerError), (418, APIStatusError)],
)  # fmt: skip
def test_status_mapping_keeps_status_message_code_details(status: int, cls: type[APIStatusError]) -> None:
    reply = error(
        status, error="the error", message="the message", code="QUOTA_EXCEEDED", details={"used": 5}
    )
    recorder = Recorder(reply)
    with sync_client(recorder, max_retries=0) as client, pytest.raises(APIStatusError) as info:
        client.conversations.get("c1")
    exc = info.value
    assert type(exc) is cls
    assert exc.status_code == status
    assert "the message" in exc.message
    assert exc.code == "QUOTA_EXCEEDED" and exc.details == {"used": 5}
    assert exc.body["error"] == "the error"
    assert exc.response.status_code == status and exc.request.method == "GET"


def test_message_falls_back_to_error_then_to_the_status() -> None:
    with (
        sync_client(Recorder(error(404, error="Conversation not found"))) as client,
        pytest.raises(NotFoundError, match="Conversation not found"),
    ):
        client.conversations.get("c1")
    with sync_client(Recorder(httpx.Response(500, text="<html>bad gateway</html>")), max_retries=0) as client:
        with pytest.raises(ServerError, match="HTTP 500") as info:
            client.conversations.get("c1")
        assert info.value.body == "<html>bad gateway</html>"


def test_rate_limit_retry_after_from_header_or_body() -> None:
    with (
        sync_client(Recorder(error(429, headers={"Retry-After": "120"})), max_retries=0) as client,
        pytest.raises(RateLimitError) as info,
    ):
        client.conversations.get("c1")
    assert info.value.retry_after == 120.0
    with (
        sync_client(Recorder(error(429, retryAfter=7)), max_retries=0) as client,
        pytest.raises(RateLimitError) as info,
    ):
        client.messages.send("c1", content="x")
    assert info.value.retry_after == 7.0


def test_a_long_retry_after_is_not_slept_through() -> None:
    recorder = Recorder(error(429, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps) as client, pytest.raises(RateLimitError):
        client.conversations.get("c1")
    assert len(recorder.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(200, text="<html>maintenance</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, content=b""),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"success": False, "error": "Failed"}),
        httpx.Response(200, json={"success": True, "data": {"unexpected": {}}}),
        httpx.Response(200, json={"success": True, "data": {"conversation": {"title": "no id"}}}),
        httpx.Response(200, json={"success": True, "data": None}),
    ],
    ids=["html", "empty", "list", "success-false", "missing-key", "invalid-model", "null-data"],
)
def test_a_bad_2xx_body_is_an_error_never_a_wrong_result(reply: httpx.Response) -> None:
    recorder = Recorder(reply)
    with sync_client(recorder) as client, pytest.raises(APIResponseValidationError) as info:
        client.conversations.get("c1")
    assert info.value.status_code == 200
    assert len(recorder.requests) == 1  # a 2xx is never retried


def test_success_false_on_delete_is_an_error_but_an_empty_2xx_is_fine() -> None:
    with (
        sync_client(Recorder(httpx.Response(200, json={"success": False, "error": "nope"}))) as client,
        pytest.raises(APIResponseValidationError, match="nope"),
    ):
        client.messages.delete("m1")
    with sync_client(Recorder(httpx.Response(204))) as client:
        assert client.messages.delete("m1") is None


def test_a_send_reply_without_message_is_an_error() -> None:
    with (
        sync_client(Recorder(ok({"usage": {}, "model": "x"}))) as client,
        pytest.raises(APIResponseValidationError),
    ):
        client.messages.send("c1", content="hi")


# --- headers and logs ---


def test_headers_user_agent_auth_and_content_type() -> None:
    recorder = Recorder(LIST_OK, SEND_OK)
    with sync_client(recorder) as client:
        client.messages.list("c1")
        client.messages.send("c1", content="hi")
    get, post = recorder.requests
    assert get.headers["authorization"] == f"ApiKey {KEY}"
    assert get.headers["user-agent"].startswith("chatroutes-integrations/")
    assert f"python-httpx/{httpx.__version__}" in get.headers["user-agent"]
    assert "content-type" not in get.headers and get.content == b""
    assert post.headers["content-type"] == "application/json"
    assert post.headers["accept"] == "application/json"


def test_debug_log_has_method_path_status_attempt_and_never_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="chatroutes")
    recorder = Recorder(error(503), httpx.ConnectError(f"boom {KEY}"), LIST_OK)
    with sync_client(recorder) as client:
        client.messages.list("c1")
    lines = [r.getMessage() for r in caplog.records if r.name == "chatroutes"]
    assert "GET /conversations/c1/messages -> 503 (attempt 1)" in lines
    assert "GET /conversations/c1/messages -> 200 (attempt 3)" in lines
    assert any("ConnectError (attempt 2)" in line for line in lines)
    everything = " ".join(lines + [str(r.args) for r in caplog.records])
    assert KEY not in everything and "ApiKey" not in everything


def test_a_transport_error_mentioning_the_key_is_scrubbed() -> None:
    recorder = Recorder(httpx.ConnectError(f"proxy rejected ApiKey {KEY}"))
    with sync_client(recorder, max_retries=0) as client, pytest.raises(APIConnectionError) as info:
        client.conversations.get("c1")
    assert KEY not in str(info.value)


def test_a_server_error_echoing_the_key_is_scrubbed() -> None:
    recorder = Recorder(error(400, error=f"bad key {KEY}"))
    with sync_client(recorder) as client, pytest.raises(ValidationError) as info:
        client.conversations.get("c1")
    assert KEY not in str(info.value) and "****" in str(info.value)


# --- retry_sends: a creating POST retried with the same key, for servers that honour it -------------------


@pytest.mark.parametrize(
    "failure",
    [error(500), error(503, headers={"Retry-After": "0.25"}), httpx.ReadTimeout("slow"),
     httpx.RemoteProtocolError("peer closed")],
    ids=["500", "503-retry-after", "read-timeout", "protocol-error"],
)  # fmt: skip
def test_with_retry_sends_a_send_is_retried_with_the_same_idempotency_key(failure: object) -> None:
    recorder = Recorder(failure, SEND_OK)  # type: ignore[arg-type]
    sleeps: list[float] = []
    with sync_client(recorder, sleeps=sleeps, retry_sends=True) as client:
        reply = client.messages.send("c1", content="hi")
    assert reply.message.id == "m1"
    assert len(recorder.requests) == 2 and len(sleeps) == 1
    keys = {r.headers["idempotency-key"] for r in recorder.requests}
    assert len(keys) == 1 and keys != {""}
    assert recorder.body(0) == recorder.body(1)  # the same request, byte for byte


async def test_async_retry_sends_retries_a_fork_after_a_5xx_with_one_key() -> None:
    recorder = Recorder(error(502), ok({"branch": {"id": "b2"}}))
    client = async_client(recorder, retry_sends=True)
    branch = await client.branches.fork("c1", fork_point_message_id="m1")
    assert branch.id == "b2" and len(recorder.requests) == 2
    assert len({r.headers["idempotency-key"] for r in recorder.requests}) == 1


def test_retry_sends_is_off_by_default_and_kept_by_with_options() -> None:
    recorder = Recorder(error(503), error(503), SEND_OK)
    with sync_client(recorder) as client:
        with pytest.raises(ServerError):
            client.messages.send("c1", content="hi")
        assert len(recorder.requests) == 1
        copy = client.with_options(retry_sends=True)
        assert copy.retry_sends and copy.with_options(max_retries=1).retry_sends
        copy.messages.send("c1", content="hi")
    assert len(recorder.requests) == 3


# --- what the errors say -----------------------------------------------------------------------------------


def test_a_connection_error_names_the_url_that_failed() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    with sync_client(recorder, max_retries=0) as client, pytest.raises(APIConnectionError) as info:
        client.messages.list("c1", branch_id="b1")
    assert "GET https://api.example.test/api/v1/conversations/c1/messages?branchId=b1" in str(info.value)
    assert KEY not in str(info.value)


async def test_an_async_timeout_names_the_url_too() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    client = async_client(recorder, max_retries=0)
    with pytest.raises(
        APITimeoutError, match=r"POST https://api\.example\.test/api/v1/conversations/c1/messages"
    ):
        await client.messages.send("c1", content="hi")


def test_a_404_from_a_base_url_without_api_v1_hints_at_it() -> None:
    recorder = Recorder(error(404, error="Not Found"))
    client = ChatRoutesClient(KEY, "https://api.example.test", http_client=httpx.Client(
        transport=httpx.MockTransport(recorder)))  # fmt: skip
    with pytest.raises(NotFoundError, match="has no '/api/v1'"):
        client.conversations.get("c1")
    proper = sync_client(Recorder(error(404, error="Conversation not found")))
    with proper, pytest.raises(NotFoundError) as info:
        proper.conversations.get("c1")
    assert "/api/v1'" not in str(info.value)  # with /api/v1 a 404 is just a 404


def test_413_is_a_payload_too_large_error_and_never_retried() -> None:
    recorder = Recorder(error(413, error="Request body too large (limit 1048576 bytes)"), SEND_OK)
    with sync_client(recorder, retry_sends=True) as client, pytest.raises(PayloadTooLargeError) as info:
        client.messages.send("c1", content="x" * 10)
    assert info.value.status_code == 413 and isinstance(info.value, APIStatusError)
    assert len(recorder.requests) == 1
