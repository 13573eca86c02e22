"""Every recorded cassette is free of API keys and Authorization values.

The scanner itself is tested on planted secrets first, so an empty or broken scan cannot pass silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _secret_patterns import find_secrets

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = sorted((ROOT / "cassettes").glob("**/*.yaml")) + sorted((ROOT / "cassettes").glob("**/*.yml"))


@pytest.mark.parametrize(
    "leak",
    [
        "Authorization:\n      - ApiKey cr_prod_sk_0123456789abcdef0123456789abcdef",
        "Authorization:\n      - ApiKey s3cr3t-local-key-value",
        '"authorization": ["Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"]',
        "X-API-Key: 9f86d081884c7d659a2feaa0c55ad015",
        '{"llmApiKey": "sk-proj-abcdefghijklmnop"}',
        "body: 'key is cr_production_sk_4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99'",
        "content: ApiKey 0123456789abcdef0123456789abcdef in text",
    ],
)
def test_scanner_flags_planted_secrets(leak: str) -> None:
    assert find_secrets(leak), leak


@pytest.mark.parametrize(
    "clean",
    [
        "Authorization:\n      - REDACTED",
        "authorization: ['<redacted>']",
        '"llmApiKey": null',
        "id: msg_0123456789abcdef0123456789abcdef",
        "contentHash: 5f2b9c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
        "content: I need an API key for the billing page",
    ],
)
def test_scanner_accepts_scrubbed_and_ordinary_text(clean: str) -> None:
    assert find_secrets(clean) == []


def test_no_cassette_holds_a_secret() -> None:
    leaks = {
        str(p.relative_to(ROOT)): found for p in CASSETTES if (found := find_secrets(p.read_text("utf-8")))
    }
    assert leaks == {}, f"cassettes leak credentials: {leaks}"


def test_cassette_scan_covers_every_recording() -> None:
    on_disk = {p for p in (ROOT / "cassettes").rglob("*") if p.is_file() and p.suffix in {".yaml", ".yml"}}
    assert on_disk == set(CASSETTES)
