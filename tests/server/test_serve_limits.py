"""`chatroutes serve` limits: flags, then environment variables, then defaults; bad values refused."""

from __future__ import annotations

import argparse

import pytest

from chatroutes_core.cli import main, serve_limits


def _args(**given: float) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve_limits.add_options(parser)
    argv = [f"--{name.replace('_', '-')}={value}" for name, value in given.items()]
    return parser.parse_args(argv)


def test_defaults_then_environment_then_flags() -> None:
    assert serve_limits.resolve(_args(), {}) == {
        "connect_timeout": 10.0,
        "read_timeout": 60.0,
        "total_timeout": 300.0,
        "max_reply_bytes": 1024 * 1024,
        "lock_wait": 15.0,
        "idempotency_retention": 86400.0,
    }
    env = {"CHATROUTES_UPSTREAM_READ_TIMEOUT": "5", "CHATROUTES_LOCK_WAIT": "2.5"}
    limits = serve_limits.resolve(_args(), env)
    assert limits["read_timeout"] == 5.0 and limits["lock_wait"] == 2.5
    limits = serve_limits.resolve(_args(upstream_read_timeout=7, lock_wait=1), env)
    assert limits["read_timeout"] == 7.0 and limits["lock_wait"] == 1.0


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--lock-wait", "0"], {}, "--lock-wait must be positive"),
        (["--upstream-read-timeout", "-1"], {}, "--upstream-read-timeout must be positive"),
        (
            [],
            {"CHATROUTES_UPSTREAM_CONNECT_TIMEOUT": "soon"},
            "CHATROUTES_UPSTREAM_CONNECT_TIMEOUT must be a number",
        ),
        ([], {"CHATROUTES_IDEMPOTENCY_RETENTION": "0"}, "CHATROUTES_IDEMPOTENCY_RETENTION must be positive"),
    ],
)
def test_a_bad_limit_stops_serve_before_it_starts(
    argv: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--db", ":memory:", *argv]) == 2
    assert message in capsys.readouterr().err
