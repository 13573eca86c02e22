"""`chatroutes --version`, `conversations` and `compare`, through `main([...])` and the installed script."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatroutes_core import SUPPORTED_MODELS, ChatRoutesClient, __version__
from chatroutes_core.cli import main
from chatroutes_core.testing import LocalServer

SCRIPT = Path(sys.executable).parent / "chatroutes"


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return int(code or 0), out, err


def _on(server: LocalServer) -> list[str]:
    return ["--base-url", server.base_url, "--api-key", server.api_key]


def test_the_installed_script_prints_its_version() -> None:
    assert SCRIPT.exists(), "the chatroutes entry point is installed with the package"
    done = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"chatroutes {__version__}"


def test_conversations_lists_newest_first(
    fresh_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        ids = [client.conversations.create(title=f"talk {i}").id for i in range(3)]
        client.messages.send(ids[0], content="bump")  # activity makes the oldest the newest
    code, out, _ = _cli(["conversations", *_on(fresh_server), "--no-color"], capsys)
    assert code == 0
    listed = re.findall(r"^(conv_\w+)", out, flags=re.MULTILINE)
    assert listed == [ids[0], ids[2], ids[1]]
    row = next(line for line in out.splitlines() if line.startswith(ids[0]))
    assert row.split()[2:4] == ["2", "1"] and row.endswith("talk 0")  # messages, branches, title
    code, out, _ = _cli(["conversations", *_on(fresh_server), "--limit", "1", "--no-color"], capsys)
    assert re.findall(r"^(conv_\w+)", out, flags=re.MULTILINE) == [ids[0]] and "(of 3)" in out


def test_conversations_on_an_empty_key(fresh_server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(["conversations", *_on(fresh_server)], capsys)
    assert code == 0 and out == "No conversations yet.\n"


def test_compare_prints_each_models_reply_on_its_own_branch(
    fresh_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh_server.reset_requests()
    code, out, err = _cli(
        ["compare", "Name a river", "--models", "gpt-5", "claude-sonnet-4-5", *_on(fresh_server)],
        capsys,
    )
    assert code == 0, err
    assert len(fresh_server.requests) == 1 + 2 * 2
    (conversation,) = re.findall(r"Conversation (conv_\w+): 2 sibling branches", out)
    header = out.splitlines()[2]
    assert header.startswith("gpt-5") and "│ claude-sonnet-4-5" in header
    assert "[gpt-5 · offline echo]" in out and "[claude-sonnet-4-5 · offline" in out
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        titles = {b.title for b in client.branches.list(conversation) if not b.is_main}
    assert titles == {"gpt-5", "claude-sonnet-4-5"}
    assert f"chatroutes tree {conversation}" in out


def test_compare_inside_a_conversation_forks_at_its_tip(
    fresh_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with ChatRoutesClient(api_key=fresh_server.api_key, base_url=fresh_server.base_url) as client:
        conv = client.conversations.create(title="existing").id
        tip = client.messages.send(conv, content="Context first").message.id
        fresh_server.reset_requests()
        code, out, err = _cli(
            ["compare", "Go on", "--models", "claude-opus-4-1", "--conversation", conv, *_on(fresh_server)],
            capsys,
        )
        assert code == 0, err
        assert len(fresh_server.requests) == 2
        (branch,) = [b for b in client.branches.list(conv) if not b.is_main]
    assert branch.fork_point_message_id == tip and branch.title == "claude-opus-4-1"
    assert "2 prior messages in context" in " ".join(out.split())


def test_compare_refuses_an_unknown_model_listing_the_supported_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _cli(["compare", "hi", "--models", "gpt-5", "gpt-4o"], capsys)
    assert code == 2 and "unsupported model 'gpt-4o'" in err
    assert all(model in err for model in SUPPORTED_MODELS)


def test_compare_without_a_key_runs_on_a_temporary_local_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)
    code, out, err = _cli(["compare", "hello", "--no-color"], capsys)
    assert code == 0 and "in-process local server" in err
    assert "[gpt-5 · offline echo]" in out and "temporary" in out


@pytest.mark.integration
def test_serve_binds_a_tcp_socket_so_answers_are_not_held_by_delayed_acks() -> None:
    import socket

    from chatroutes_core.cli.serve import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio sets TCP_NODELAY on accepted sockets only then
    finally:
        sock.close()
