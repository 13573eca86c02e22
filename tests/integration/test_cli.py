"""`chatroutes demo`, `tree` and `suggest`, run through `main([...])` with captured output."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from typing import ClassVar

import pytest

from chatroutes_core import ChatRoutesClient, autobranch
from chatroutes_core.cli import main
from chatroutes_core.cli.demo import Narrator, run_tour
from chatroutes_core.cli.demo.steps import Connection
from chatroutes_core.testing import LocalServer

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TWO_THINGS = "I need help with billing and also have a technical question about the API. Postgres or SQLite?"


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return int(code or 0), out, err


# --- suggest --------------------------------------------------------------------------------------------


def test_suggest_plain_marks_each_trigger_span(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(["suggest", TWO_THINGS, "--threshold", "0.5", "--no-color"], capsys)
    assert code == 0
    expected = autobranch.detect(TWO_THINGS, threshold=0.5, suggestions_count=3)
    assert len(expected) == 3  # one per intent (billing, the API) and the alternative
    assert re.findall(r"\[\[(.+?)\]\]", out) == [s.trigger_text for s in expected]
    for s in expected:
        assert s.title in out and f"span {s.start}-{s.end}" in out
    assert not ANSI.search(out)


def test_suggest_count_and_threshold_are_passed_to_the_detector(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _cli(["suggest", TWO_THINGS, "--threshold", "0.5", "--count", "1", "--no-color"], capsys)
    assert len(re.findall(r"\[\[(.+?)\]\]", out)) == 1
    _, out, _ = _cli(["suggest", TWO_THINGS, "--threshold", "0.99", "--no-color"], capsys)
    assert "No branch points found" in out and "[[" not in out


def test_suggest_with_colour_highlights_the_span_with_a_style() -> None:
    from chatroutes_core.cli import suggest as _cli_suggest

    out = _TTY()
    args = _suggest_args(TWO_THINGS)
    assert _cli_suggest.run(args, stream=out) == 0
    raw = out.getvalue()
    assert ANSI.search(raw) and "[[" not in raw
    for s in autobranch.detect(TWO_THINGS, threshold=0.5):
        # the styled run starts right before the trigger text and is reset right after it
        assert re.search(r"\x1b\[[0-9;]+m" + re.escape(s.trigger_text) + r"\x1b\[0m", raw), s.trigger_text


def test_suggest_rejects_bad_options_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(["suggest", "x or y", "--threshold", "3"], capsys)
    assert code == 2 and "threshold" in err and out == ""


def test_suggest_api_mode_asks_the_server(
    local_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["suggest", TWO_THINGS, "--api", "--threshold", "0.5", "--no-color"]
    code, out, _ = _cli(
        [*argv, "--base-url", local_server.base_url, "--api-key", local_server.api_key], capsys
    )
    assert code == 0 and "AutoBranch API" in out
    spans = re.findall(r"\[\[(.+?)\]\]", out)
    assert spans and all(span in TWO_THINGS for span in spans)
    assert local_server.api_key not in out


def _suggest_args(text: str) -> object:
    import argparse

    return argparse.Namespace(
        text=text, threshold=0.5, count=3, api=False, base_url=None, api_key=None, no_color=False
    )


# --- tree -----------------------------------------------------------------------------------------------


@pytest.fixture
def forked(local_server: LocalServer) -> tuple[str, dict[str, list[str]]]:
    """A conversation with two turns on main and one fork at the first reply; returns ids per branch."""
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as client:
        conv = client.conversations.create(title="cli tree", model="gpt-5")
        first = client.messages.send(conv.id, content="Hello <tree> & co")
        client.messages.send(conv.id, content="second turn")
        fork = client.branches.fork(conv.id, fork_point_message_id=first.message.id, title="alt")
        client.branches.send_message(conv.id, fork.id, content="on the fork")
        ids = {
            b.id: [m.id for m in client.branches.get_history(conv.id, b.id)]
            for b in client.branches.list(conv.id)
        }
    return conv.id, ids


def _tree(local_server: LocalServer, cid: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = _cli(
        [
            "tree",
            cid,
            "--format",
            fmt,
            "--base-url",
            local_server.base_url,
            "--api-key",
            local_server.api_key,
            "--no-color",
        ],
        capsys,
    )
    assert code == 0
    return out


def test_tree_text(
    local_server: LocalServer, forked: tuple[str, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    cid, ids = forked
    out = _tree(local_server, cid, "text", capsys)
    assert "★ main" in out and "forks at" in out and not ANSI.search(out)
    assert all(mid in out for history in ids.values() for mid in history)


def test_tree_html_has_every_message(
    local_server: LocalServer, forked: tuple[str, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    cid, ids = forked

    class Ids(HTMLParser):
        found: ClassVar[set[str]] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if dict(attrs).get("data-message-id"):
                self.found.add(str(dict(attrs)["data-message-id"]))

    parser = Ids()
    parser.feed(_tree(local_server, cid, "html", capsys))
    assert parser.found == {mid for history in ids.values() for mid in history}


def test_tree_mermaid_and_json(
    local_server: LocalServer, forked: tuple[str, dict[str, list[str]]], capsys: pytest.CaptureFixture[str]
) -> None:
    cid, ids = forked
    mermaid = _tree(local_server, cid, "mermaid", capsys)
    assert mermaid.startswith("flowchart TD")
    assert mermaid.count("\n  subgraph ") == len(ids) == 2
    data = json.loads(_tree(local_server, cid, "json", capsys))
    assert {b["id"] for b in data["branches"]} == set(ids)
    fork = next(b for b in data["branches"] if not b["isMain"])
    main_branch = next(b for b in data["branches"] if b["isMain"])
    assert fork["forkPointMessageId"] == ids[main_branch["id"]][1]  # the first reply
    assert fork["parentBranchId"] == main_branch["id"]
    assert data["messageCount"] == 6
    assert data["conversation"]["id"] == cid and data["conversation"]["title"] == "cli tree"
    assert data["conversation"]["model"] == "gpt-5"


def test_tree_unknown_conversation_is_a_clear_error(
    local_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(
        ["tree", "conv_missing", "--base-url", local_server.base_url, "--api-key", local_server.api_key],
        capsys,
    )
    assert code == 1 and "NotFoundError" in err


# --- demo -----------------------------------------------------------------------------------------------


def test_tour_leaves_the_expected_tree(local_server: LocalServer) -> None:
    out = io.StringIO()
    conn = Connection(base_url=local_server.base_url, api_key=local_server.api_key)
    try:
        result = run_tour(conn, Narrator(out, None))
    finally:
        conn.close()
    branches = {b.id: b for b in result.view.walk()}
    assert len(branches) == 6  # main, the edit fork, two router branches, two compared models
    main_view = next(b for b in branches.values() if b.branch.is_main)
    main_ids = [m.id for m in main_view.messages]
    assert len(main_ids) == 8  # three exchanges, then one more after the checkpoint
    forks = sorted((b.fork_point_id for b in branches.values() if not b.branch.is_main), key=main_ids.index)
    # the edit at reply 1; the router at the tip then; the compared models at the final tip
    assert forks == [main_ids[1], main_ids[5], main_ids[5], main_ids[7], main_ids[7]]
    compared = {b.title for b in branches.values() if b.fork_point_id == main_ids[7]}
    assert compared == {"gpt-5", "claude-sonnet-4-5"}
    assert all(b.parent_id == main_view.id for b in branches.values() if b is not main_view)
    assert all(len(b.messages) == 2 for b in branches.values() if b is not main_view)
    text = out.getvalue()
    assert "Step 9/9" in text and "★ main" in text
    # the agent step: two parallel tool calls shown readably, then its time-travel fork
    assert "→ add(a=17, b=25)" in text and "← get_weather: rain, 14 C in Lisbon" in text


@pytest.mark.integration
def test_demo_command_runs_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.delenv("CHATROUTES_BASE_URL", raising=False)
    code, out, err = _cli(["demo", "--no-color"], capsys)
    assert code == 0, err
    flat = " ".join(out.split())  # the notes are wrapped to the terminal width
    assert "deterministic and NOT a language model" in flat
    assert "chatroutes serve --responder openai --upstream-url" in flat
    for n in range(1, 10):
        assert f"Step {n}/9" in out
    assert not ANSI.search(out)


def test_tree_with_colour_is_a_rich_tree(
    local_server: LocalServer, forked: tuple[str, dict[str, list[str]]]
) -> None:
    import argparse

    from chatroutes_core.cli import tree as _cli_tree

    cid, _ = forked
    out = _TTY()
    args = argparse.Namespace(
        conversation_id=cid,
        format="text",
        base_url=local_server.base_url,
        api_key=local_server.api_key,
        no_color=False,
    )
    assert _cli_tree.run(args, stream=out) == 0
    raw = out.getvalue()
    plain = ANSI.sub("", raw)
    assert ANSI.search(raw) and "★ main" in plain and "forks at" in plain
    assert "└──" in plain or "├──" in plain


def test_a_missing_extra_is_named() -> None:
    from chatroutes_core.cli.demo.steps import MissingExtraError, needs

    with (
        pytest.raises(
            MissingExtraError, match=r"'llama-index-core<0.15,>=0.14.25'.*pip install -e '\.\[llama-index\]'"
        ),
        needs("llama-index", "LlamaIndex"),
    ):
        raise ModuleNotFoundError("No module named 'llama_index'", name="llama_index")


def test_importing_the_cli_imports_no_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys, chatroutes_core.cli, chatroutes_core.cli.demo.steps; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'langchain_core', 'llama_index'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_demo_live_runs_against_the_given_base_url(
    local_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = local_server.count_messages()
    argv = ["demo", "--live", "--base-url", local_server.base_url, "--api-key", local_server.api_key]
    code, out, err = _cli([*argv, "--no-color"], capsys)
    assert code == 0, err
    assert f"against a live server at {local_server.base_url}" in out
    assert "NOT a language model" not in " ".join(out.split())
    assert local_server.count_messages() > before  # the tour wrote to this server, not to one of its own
    assert local_server.api_key not in out


@pytest.mark.integration
def test_demo_live_without_a_key_falls_back_to_the_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from chatroutes_core.cli.demo import _target

    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    out = io.StringIO()
    args = argparse.Namespace(live=True, api_key=None, base_url=None, model="gpt-5")
    with _target(args, Narrator(out, None)) as (conn, offline):
        assert offline and conn.base_url.startswith("http://127.0.0.1:")
    assert "--live needs an API key" in out.getvalue()


def test_suggest_reads_stdin_and_refuses_empty_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Should I use Postgres or SQLite?"))
    code, out, _ = _cli(["suggest", "-", "--no-color"], capsys)
    assert code == 0 and "[[Postgres or SQLite]]" in out
    code, out, err = _cli(["suggest", "   "], capsys)
    assert code == 2 and "empty" in err and out == ""
