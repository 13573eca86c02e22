"""`chatroutes serve` limits: upstream timeouts and reply cap, branch lock wait, idempotency retention.

Each is a flag, or else an environment variable, or else the default; every one must be a positive number.

| flag | environment | default |
|---|---|---|
| `--upstream-connect-timeout S` | `CHATROUTES_UPSTREAM_CONNECT_TIMEOUT` | 10 s |
| `--upstream-read-timeout S` | `CHATROUTES_UPSTREAM_READ_TIMEOUT` | 60 s (between two reads) |
| `--upstream-total-timeout S` | `CHATROUTES_UPSTREAM_TOTAL_TIMEOUT` | 300 s (a whole reply) |
| `--upstream-max-reply-bytes N` | `CHATROUTES_UPSTREAM_MAX_REPLY_BYTES` | 1 MiB |
| `--lock-wait S` | `CHATROUTES_LOCK_WAIT` | 15 s (then a 503 `BRANCH_BUSY`) |
| `--idempotency-retention S` | `CHATROUTES_IDEMPOTENCY_RETENTION` | 86400 s (24 h) |
"""

from __future__ import annotations

import argparse
import os
from typing import Any

# (flag, attribute, environment variable, default, type, help)
LIMITS: tuple[tuple[str, str, str, float, type, str], ...] = (
    ("--upstream-connect-timeout", "connect_timeout", "CHATROUTES_UPSTREAM_CONNECT_TIMEOUT", 10.0, float,
     "seconds to connect to the upstream"),
    ("--upstream-read-timeout", "read_timeout", "CHATROUTES_UPSTREAM_READ_TIMEOUT", 60.0, float,
     "seconds the upstream may stay silent mid-reply"),
    ("--upstream-total-timeout", "total_timeout", "CHATROUTES_UPSTREAM_TOTAL_TIMEOUT", 300.0, float,
     "seconds for a whole upstream reply"),
    ("--upstream-max-reply-bytes", "max_reply_bytes", "CHATROUTES_UPSTREAM_MAX_REPLY_BYTES", 1024 * 1024, int,
     "largest upstream reply stored (UTF-8 bytes)"),
    ("--lock-wait", "lock_wait", "CHATROUTES_LOCK_WAIT", 15.0, float,
     "seconds a write waits for a busy branch before a 503"),
    ("--idempotency-retention", "idempotency_retention", "CHATROUTES_IDEMPOTENCY_RETENTION", 86400.0, float,
     "seconds an Idempotency-Key answer is kept"),
)  # fmt: skip

UPSTREAM = ("connect_timeout", "read_timeout", "total_timeout", "max_reply_bytes")


def add_options(parser: argparse.ArgumentParser) -> None:
    for flag, attribute, env, default, kind, text in LIMITS:
        parser.add_argument(
            flag,
            dest=f"limit_{attribute}",
            type=kind,
            default=None,
            help=f"{text} (${env}; default {default:g})",
        )


def resolve(args: argparse.Namespace, environ: Any = None) -> dict[str, float]:
    """Every limit by attribute name; raises ``ValueError`` naming the flag or variable for a bad value."""
    environ = os.environ if environ is None else environ
    values: dict[str, float] = {}
    for flag, attribute, env, default, kind, _ in LIMITS:
        given = getattr(args, f"limit_{attribute}", None)
        source = flag
        if given is None and environ.get(env, "").strip():
            source = env
            try:
                given = kind(environ[env].strip())
            except ValueError:
                raise ValueError(f"{env} must be a number, not {environ[env]!r}") from None
        value = default if given is None else given
        if not value > 0:
            raise ValueError(f"{source} must be positive")
        values[attribute] = value
    return values
