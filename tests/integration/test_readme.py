"""Every ```python block of README.md runs as written against a LocalServer (through the env)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatroutes_core.testing import LocalServer

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _title(code: str) -> str:
    return next(line for line in code.splitlines() if line and not line.startswith(("from", "import")))[:40]


def test_the_draft_has_quickstarts() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("code", BLOCKS, ids=[_title(b) for b in BLOCKS])
def test_block_runs(code: str, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", local_server.api_key)
    monkeypatch.setenv("CHATROUTES_BASE_URL", local_server.base_url)
    exec(compile(code, str(README), "exec"), {"__name__": "readme"})


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_the_two_commands_come_first() -> None:
    head = README.read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head


def test_the_fault_table_matches_the_guarantees_page() -> None:
    marks = ("<!-- fault-table:start -->", "<!-- fault-table:end -->")
    page = (README.parent / "docs" / "guarantees.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    assert _between(readme, *marks).strip() == _between(page, *marks).strip()
    assert _between(readme, *marks).count("\n|") >= 40
