"""The pure retry policy (``chatroutes_core._http.retry``), case by case."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from chatroutes_core import APIStatusError, RateLimitError, ServerError
from chatroutes_core._http.request import error_from_response
from chatroutes_core._http.retry import Failure, RetryPolicy, is_idempotent, parse_retry_after

POLICY = RetryPolicy(max_retries=2)


def no_jitter() -> float:
    return 0.0


def full_jitter() -> float:
    return 1.0


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("failure", list(Failure))
def test_idempotent_methods_retry_every_transport_failure(method: str, failure: Failure) -> None:
    assert POLICY.after_failure(method, failure, 0, no_jitter) == 0.5
    assert POLICY.after_failure(method, failure, 1, no_jitter) == 1.0
    assert POLICY.after_failure(method, failure, 2, no_jitter) is None  # max_retries reached


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_idempotent_methods_retry_retryable_statuses(method: str, status: int) -> None:
    assert POLICY.after_status(method, status, 0, no_jitter) == 0.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_never_retried(status: int) -> None:
    assert POLICY.after_status("GET", status, 0, no_jitter) is None
    assert POLICY.after_status("POST", status, 0, no_jitter) is None


def test_a_creating_post_is_retried_only_when_it_never_left() -> None:
    assert POLICY.after_failure("POST", Failure.CONNECT, 0, no_jitter) == 0.5
    assert POLICY.after_failure("POST", Failure.TIMEOUT, 0, no_jitter) is None  # server may have acted
    assert POLICY.after_failure("POST", Failure.NETWORK, 0, no_jitter) is None


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_a_creating_post_is_never_retried_after_a_5xx_or_408(status: int) -> None:
    assert POLICY.after_status("POST", status, 0, no_jitter) is None


def test_a_creating_post_is_retried_after_429_honouring_retry_after() -> None:
    assert POLICY.after_status("POST", 429, 0, no_jitter) == 0.5
    assert POLICY.after_status("POST", 429, 0, no_jitter, retry_after=3.0) == 3.0


def test_retry_after_wins_over_backoff_and_too_long_hints_give_up() -> None:
    assert POLICY.after_status("GET", 503, 0, no_jitter, retry_after=2.5) == 2.5
    assert POLICY.after_status("GET", 503, 0, no_jitter, retry_after=0.0) == 0.5  # 0 -> backoff
    assert POLICY.after_status("GET", 429, 0, no_jitter, retry_after=61.0) is None


def test_backoff_is_capped_and_jittered_down_by_at_most_a_quarter() -> None:
    delays = [POLICY.backoff(n, no_jitter) for n in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert POLICY.backoff(3, full_jitter) == 3.0
    assert POLICY.backoff(10_000, full_jitter) == 6.0  # no overflow for huge n


def test_zero_max_retries_never_retries() -> None:
    policy = RetryPolicy(max_retries=0)
    assert policy.after_failure("GET", Failure.CONNECT, 0, no_jitter) is None
    assert policy.after_status("GET", 503, 0, no_jitter) is None


def test_is_idempotent() -> None:
    assert [is_idempotent(m) for m in ("get", "PATCH", "DELETE", "POST")] == [True, True, True, False]


def test_parse_retry_after_variants() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({}, {"retryAfter": 4}) == 4.0
    assert parse_retry_after({"Retry-After": "2"}, {"retryAfter": 4}) == 2.0  # header first
    assert parse_retry_after({"Retry-After": "junk"}) is None
    assert parse_retry_after({"Retry-After": "-1"}) is None
    assert parse_retry_after({}, {"retryAfter": "x"}) is None
    assert parse_retry_after({}, {"retryAfter": True}) is None


def test_parse_retry_after_http_date_uses_the_injected_clock() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"Retry-After": date}, now=lambda: now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after({"Retry-After": past}, now=lambda: now) == 0.0


SENDS = RetryPolicy(max_retries=2, retry_sends=True)


@pytest.mark.parametrize("failure", list(Failure))
def test_with_retry_sends_a_creating_post_is_retried_after_any_transport_failure(failure: Failure) -> None:
    assert SENDS.after_failure("POST", failure, 0, no_jitter) == 0.5
    assert SENDS.after_failure("POST", failure, 2, no_jitter) is None  # still bounded by max_retries


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_with_retry_sends_a_creating_post_is_retried_after_408_429_and_5xx(status: int) -> None:
    assert SENDS.after_status("POST", status, 0, no_jitter) == 0.5
    assert SENDS.after_status("POST", status, 0, no_jitter, retry_after=1.5) == 1.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
def test_with_retry_sends_client_errors_are_still_never_retried(status: int) -> None:
    assert SENDS.after_status("POST", status, 0, no_jitter) is None


@pytest.mark.parametrize(("status", "cls"), [(429, RateLimitError), (503, ServerError)])
def test_status_errors_carry_the_servers_retry_hint(status: int, cls: type[APIStatusError]) -> None:
    request = httpx.Request("POST", "https://api.example.test/api/v1/conversations")
    response = httpx.Response(
        status, headers={"Retry-After": "7"}, json={"message": "slow down"}, request=request
    )
    error = error_from_response(response, response.json())
    assert type(error) is cls and error.retry_after == 7.0
    assert cls("x", response=response, retry_after=1.5).retry_after == 1.5  # a given hint is kept
    bare = httpx.Response(status, json={"message": "slow down", "retryAfter": 2}, request=request)
    assert cls("x", response=bare, body=bare.json()).retry_after == 2.0
    assert cls("x", response=httpx.Response(status, request=request)).retry_after is None
