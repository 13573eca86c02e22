"""The ``chatroutes serve`` argument parsing (the server itself is tested through LocalServer)."""

from __future__ import annotations

import pytest

from chatroutes_core.cli import build_parser, main


def test_serve_defaults_bind_loopback() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.responder, args.api_key) == ("127.0.0.1", 8787, "echo", None)


def test_serve_options() -> None:
    args = build_parser().parse_args(
        ["serve", "--api-key", "a", "--api-key", "b", "--responder", "openai", "--upstream-url", "http://h/v1",
         "--upstream-model", "llama3.2", "--db", "x.db", "--port", "9000"]
    )  # fmt: skip
    assert args.api_key == ["a", "b"] and args.upstream_model == "llama3.2" and args.db == "x.db"


def test_serve_takes_several_keys_after_one_flag() -> None:
    args = build_parser().parse_args(["serve", "--api-key", "a", "b", "--api-key", "c"])
    assert args.api_key == ["a", "b", "c"]


def test_openai_responder_needs_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--responder", "openai"]) == 2
    assert "--upstream-url" in capsys.readouterr().err
