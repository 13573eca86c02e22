"""``chatroutes serve`` run as a user runs it: a real process, its banner, its key across restarts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from chatroutes_core.cli import main
from chatroutes_core.cli.serve import choose_keys, key_file

SERVE = [sys.executable, "-m", "chatroutes_core.cli"]  # the `chatroutes` script, with this interpreter


@contextmanager
def serving(*args: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """Start `chatroutes serve ARGS`, read its banner up to the export lines; yield (banner, exports)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATROUTES_")}
    proc = subprocess.Popen(
        [*SERVE, "serve", "--log-level", "warning", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        banner: list[str] = []
        exports: dict[str, str] = {}
        while "CHATROUTES_API_KEY" not in exports:
            line = proc.stdout.readline()
            assert line, f"serve exited early: {proc.stderr.read() if proc.stderr else ''}"
            banner.append(line.rstrip("\n"))
            if match := re.fullmatch(r"\s*export (CHATROUTES_\w+)=(\S+)\s*", line):
                exports[match[1]] = match[2]
        yield banner, exports
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _client(exports: dict[str, str]) -> httpx.Client:
    headers = {"Authorization": f"ApiKey {exports['CHATROUTES_API_KEY']}"}
    return httpx.Client(base_url=exports["CHATROUTES_BASE_URL"], headers=headers, timeout=10)


@pytest.mark.integration
def test_port_0_prints_the_real_port_and_ready_to_paste_exports(tmp_path: Path) -> None:
    with serving("--port", "0", "--db", str(tmp_path / "cr.sqlite3")) as (banner, exports):
        url = exports["CHATROUTES_BASE_URL"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", url) and not url.endswith(":0/api/v1")
        assert any(line.startswith(f"ChatRoutes-compatible server on {url}") for line in banner)
        with _client(exports) as http:
            assert http.get("/conversations").status_code == 200


@pytest.mark.integration
def test_a_restart_on_the_same_database_reuses_its_key_and_sees_its_data(tmp_path: Path) -> None:
    db = str(tmp_path / "cr.sqlite3")
    with serving("--port", "0", "--db", db) as (banner, first):
        assert any("a new one, saved in" in line for line in banner)
        with _client(first) as http:
            conv = http.post("/conversations", json={"title": "kept"}).json()["data"]["conversation"]
    assert (tmp_path / "cr.sqlite3.key").stat().st_mode & 0o077 == 0  # readable by its owner only
    with serving("--port", "0", "--db", db) as (banner, second):
        assert second["CHATROUTES_API_KEY"] == first["CHATROUTES_API_KEY"]
        assert any("reused from" in line for line in banner)
        with _client(second) as http:
            assert http.get(f"/conversations/{conv['id']}").json()["data"]["conversation"]["title"] == "kept"


@pytest.mark.integration
def test_several_given_keys_are_all_accepted_and_none_is_saved(tmp_path: Path) -> None:
    db = str(tmp_path / "cr.sqlite3")
    with serving("--port", "0", "--db", db, "--api-key", "key-one", "key-two") as (banner, exports):
        assert exports["CHATROUTES_API_KEY"] == "key-one"
        assert any("the 2 given with --api-key" in line for line in banner)
        for key in ("key-one", "key-two"):
            with _client({**exports, "CHATROUTES_API_KEY": key}) as http:
                assert http.get("/conversations").status_code == 200
    assert not (tmp_path / "cr.sqlite3.key").exists()


def test_a_database_with_other_keys_and_no_key_file_says_who_sees_what(tmp_path: Path) -> None:
    db = str(tmp_path / "old.sqlite3")
    keys = choose_keys(None, db, known_keys=2, new_key=lambda: "fresh")
    assert keys.keys == ["fresh"] and key_file(db) == Path(f"{db}.key")
    note = " ".join(keys.notes)
    assert "holds data for 2 other key(s)" in note and "--api-key <that key>" in note
    assert choose_keys(None, ":memory:", 0, lambda: "k").notes == ["API key: a new one."]
    assert key_file(":memory:") is None


def test_openai_responder_needs_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--responder", "openai"]) == 2
    assert "--upstream-url" in capsys.readouterr().err
