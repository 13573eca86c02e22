"""The retry policy: which calls are retried, after which failures, and how long to wait. Pure.

Two kinds of call:

* Idempotent ones (GET, PATCH, DELETE): repeating them cannot create anything, so they are retried after
  connection errors, timeouts, 408, 429 and 5xx.
* Creating POSTs (send, stream, fork, create, merge, recreate, suggest-branches): every attempt of one
  call carries the same ``Idempotency-Key``. By default they are retried **only** when the request
  provably never reached the server (the connection could not be made) or when the server said 429 (it
  refused without acting): a 5xx or a read timeout may mean the server already stored the message and
  paid for the generation, and a server that ignores the key would store it again.
* With ``retry_sends=True`` (a client option, for servers that honour ``Idempotency-Key``, such as the
  local one): creating POSTs are also retried after 408, 5xx, timeouts and broken connections, with the
  same key, so the server answers a repeat with the stored result instead of storing twice. An open
  stream is still never replayed (the stream object, not this policy, decides that).

Delay: the server's hint (``Retry-After`` header in seconds or as an HTTP date, ``retry-after-ms``, or body
``retryAfter``) when it is positive and at most ``max_retry_after``; otherwise ``min(0.5 * 2**n, 8)`` seconds
times a jitter factor in [0.75, 1.0]. A hint above ``max_retry_after`` means "not soon": we give up and let
the caller see ``RateLimitError.retry_after``.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

__all__ = ["Failure", "RetryPolicy", "is_idempotent", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
# why: 408/429 say "try later"; 5xx are usually transient on this API (gateway, provider hiccups).
RETRYABLE_STATUSES = frozenset({408, 429})


class Failure(Enum):
    """A transport failure, classified by what it proves about the request."""

    CONNECT = "connect"  # could not connect (or no pool slot): the request was never sent
    TIMEOUT = "timeout"  # read/write timed out: the server may have acted
    NETWORK = "network"  # the connection broke after sending began: the server may have acted


def is_idempotent(method: str) -> bool:
    """True for methods that may be repeated without creating anything twice."""
    return method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(
    headers: Mapping[str, str], body: object = None, *, now: Callable[[], float] = time.time
) -> float | None:
    """The server's retry hint in seconds, or None.

    Reads ``retry-after-ms``, then ``Retry-After`` as seconds, then as an HTTP date, then body ``retryAfter``
    (seconds). Junk and negative values are ignored.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = _as_float(lowered.get("retry-after-ms"))
    if ms is not None and ms >= 0:
        return ms / 1000.0
    raw = lowered.get("retry-after")
    if raw is not None:
        seconds = _as_float(raw)
        if seconds is not None:
            return seconds if seconds >= 0 else None
        parsed = email.utils.parsedate_tz(raw)
        if parsed is not None:
            return max(0.0, email.utils.mktime_tz(parsed) - now())
    if isinstance(body, Mapping):
        from_body = _as_float(body.get("retryAfter"))
        if from_body is not None and from_body >= 0:
            return from_body
    return None


def _as_float(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """Decides whether (and after how long) to retry. ``retries_taken`` counts retries already done."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    retry_sends: bool = False

    def after_failure(
        self, method: str, failure: Failure, retries_taken: int, rng: Callable[[], float]
    ) -> float | None:
        """Delay before retrying after a transport failure, or None to give up."""
        if retries_taken >= self.max_retries:
            return None
        # why: a creating POST may only be repeated when it provably never left this machine, or when the
        # server dedupes it by its Idempotency-Key (retry_sends).
        if not is_idempotent(method) and failure is not Failure.CONNECT and not self.retry_sends:
            return None
        return self.backoff(retries_taken, rng)

    def after_status(
        self,
        method: str,
        status: int,
        retries_taken: int,
        rng: Callable[[], float],
        retry_after: float | None = None,
    ) -> float | None:
        """Delay before retrying after an error status, or None to give up."""
        if retries_taken >= self.max_retries:
            return None
        if status == 429:
            # why: a 429 is a refusal before any work, so even a creating POST is safe to repeat.
            pass
        elif not is_idempotent(method) and not self.retry_sends:
            # why: a 5xx or 408 on a POST may come after the server stored the message.
            return None
        elif status not in RETRYABLE_STATUSES and status < 500:
            return None
        if retry_after is not None and retry_after > self.max_retry_after:
            return None  # why: the server says "not soon"; sleeping minutes inside a call helps no one
        if retry_after is not None and retry_after > 0:
            return retry_after
        return self.backoff(retries_taken, rng)

    def backoff(self, retries_taken: int, rng: Callable[[], float]) -> float:
        """``min(initial * 2**n, max) * jitter`` with jitter in [0.75, 1.0] (spreads synchronized clients)."""
        base = min(self.initial_delay * 2.0 ** min(retries_taken, 1000), self.max_delay)
        return base * (1.0 - 0.25 * rng())
