"""The distribution as a package index visitor sees it: built offline from this checkout (no build isolation),
then read back. The wheel carries the license and the metadata; its description has no repository-relative
links (they would lead nowhere on an index page); the sdist carries no tests, cassettes,
bench or CI script."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def _metadata(dist: Path) -> tuple[list[str], dict[str, list[str]], str]:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        text = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    msg = Parser().parsestr(text)
    fields: dict[str, list[str]] = {}
    for key, value in msg.items():
        fields.setdefault(key, []).append(value)
    return names, fields, msg.get_payload()  # type: ignore[return-value]


def test_wheel_has_license_classifiers_urls_and_keywords(dist: Path) -> None:
    names, fields, _ = _metadata(dist)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert fields["License-Expression"] == ["MIT"]
    assert "Typing :: Typed" in fields["Classifier"]
    assert any(c.startswith("Programming Language :: Python :: 3.11") for c in fields["Classifier"])
    assert len(fields["Project-URL"]) >= 2
    assert "langchain" in fields["Keywords"][0] and "llama-index" in fields["Keywords"][0]
    assert "chatroutes_core/py.typed" in names


def test_package_page_has_no_relative_links(dist: Path) -> None:
    _, _, description = _metadata(dist)
    assert "make demo" in description  # the README is the description
    relative = re.findall(r"\]\((?!https?://|#|mailto:)[^)\s]+\)", description)
    assert relative == []


def test_sdist_ships_the_packages_and_docs_not_the_test_tree(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        tops = {Path(n).parts[1] for n in tf.getnames() if len(Path(n).parts) > 1}
    assert {"chatroutes_core", "langchain_chatroutes", "llama_index_chatroutes", "LICENSE"} <= tops
    assert not tops & {"tests", "cassettes", ".ci", "bench"}
