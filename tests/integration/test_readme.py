"""Every ```python block of docs/readme_draft.md runs as written against a LocalServer (through the env)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatroutes_core.testing import LocalServer

DRAFT = Path(__file__).resolve().parents[2] / "docs" / "readme_draft.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DRAFT.read_text(encoding="utf-8"), re.S)


def _title(code: str) -> str:
    return next(line for line in code.splitlines() if line and not line.startswith(("from", "import")))[:40]


def test_the_draft_has_quickstarts() -> None:
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("code", BLOCKS, ids=[_title(b) for b in BLOCKS])
def test_block_runs(code: str, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATROUTES_API_KEY", local_server.api_key)
    monkeypatch.setenv("CHATROUTES_BASE_URL", local_server.base_url)
    exec(compile(code, str(DRAFT), "exec"), {"__name__": "readme"})
