"""Every script in examples/ runs as written, offline: no API key, so each starts its own LocalServer.

Each script runs in a subprocess (pytest-socket does not reach it) with CHATROUTES_API_KEY and
CHATROUTES_BASE_URL removed from its environment, and must exit 0 within 60 seconds. Scripts are found by
glob, so a new example is tested without touching this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_there_are_examples() -> None:
    assert any(p.name == "core_client.py" for p in EXAMPLES)


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_offline(script: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"CHATROUTES_API_KEY", "CHATROUTES_BASE_URL"}}
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{script.name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{script.name} printed nothing"
