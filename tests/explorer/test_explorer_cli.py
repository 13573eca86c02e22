"""`chatroutes explore`, the explorer mounted by `chatroutes serve`, and the demo's last line."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from chatroutes_core.cli import main
from chatroutes_core.cli.serve import with_explorer
from chatroutes_core.server import create_app

pytestmark = pytest.mark.integration


def test_explore_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "--host", "0.0.0.0", "--api-key", "k"]) == 2
    assert "refusing to serve the explorer on 0.0.0.0" in capsys.readouterr().err


def test_explore_without_a_key_says_so_before_listening(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    assert main(["explore", "--port", "0"]) == 2
    assert "CHATROUTES_API_KEY" in capsys.readouterr().err


def test_serve_mounts_the_explorer_at_the_root_and_keeps_the_api_under_api_v1() -> None:
    key = "cr_local_sk_" + "0" * 48
    api = create_app(api_keys=[key])
    combined, link = with_explorer(api, key, "0.0.0.0", 8787)
    assert link.startswith("http://127.0.0.1:8787/?token=") and key not in link
    with TestClient(combined) as http:
        assert http.get("/api/v1/conversations").status_code == 401  # the API's own answer
        assert http.get("/api/v1/nope", headers={"Authorization": f"ApiKey {key}"}).json()["success"] is False
        assert http.get("/").status_code == 401
        assert http.get("/openapi.json").json()["info"]["title"].startswith("ChatRoutes-compatible")
        token = link.split("token=", 1)[1]
        assert http.get(f"/?token={token}", follow_redirects=False).status_code == 303
        session = http.get("/explorer/api/session").json()
        assert session["live"] == "push" and session["apiBase"] == "http://127.0.0.1:8787"


def test_the_demo_ends_with_the_command_that_opens_its_conversations(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("CHATROUTES_API_KEY", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert main(["demo", "--no-color"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    db = next(tmp_path.glob("chatroutes-demo-*/demo.sqlite3"))
    assert f"chatroutes serve --db {db}" in last
    key_file = Path(f"{db}.key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # that database and its saved key show the tour's conversation
    from chatroutes_core.server.store import Store, hash_key

    store = Store(db)
    try:
        rows, total = store.list_conversations(hash_key(key_file.read_text().strip()), 1, 10)
        assert total >= 1 and any("Lisbon" in r.title for r in rows)
    finally:
        store.close()
