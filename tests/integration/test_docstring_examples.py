"""Every docstring example (``>>>``) in the three packages runs as written, against a LocalServer.

The examples are found with ``doctest.DocTestFinder`` over every module ``pkgutil.walk_packages`` lists in
``chatroutes_core``, ``langchain_chatroutes`` and ``llama_index_chatroutes`` (a module whose extra is not
installed is left out; in the dev venv every extra is, and ``test_every_module_is_searched`` checks it),
and run with ``doctest.DocTestRunner`` (``ELLIPSIS | NORMALIZE_WHITESPACE``): one test per docstring,
named by its qualified name, so a failure names the example.

What an example may assume, beyond its module's own globals:

- ``CHATROUTES_BASE_URL`` / ``CHATROUTES_API_KEY`` point at the session's LocalServer, so
  ``ChatRoutesClient()``, ``ChatChatRoutes()`` or ``ChatRoutes()`` with no arguments reach it (as they reach
  the hosted API for a user who has set the two variables);
- ``client``: a ``ChatRoutesClient()`` built from that environment;
- ``conv``: a conversation just created with it (``client.conversations.create(title="Docs")``), no
  messages yet.

Nothing else: an example needing another name builds it. LlamaIndex's global ``Settings.llm`` is restored
after each example. No example is skipped (``# doctest: +SKIP`` is refused, see the last test).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from chatroutes_core import ChatRoutesClient
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chatroutes_core", "langchain_chatroutes", "llama_index_chatroutes")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> tuple[list[ModuleType], list[str]]:
    """Every importable module of the three packages, and the names left out for a missing extra."""
    found: list[ModuleType] = []
    left_out: list[str] = []
    names: list[str] = []
    for package in PACKAGES:
        root = importlib.import_module(package)
        names.append(package)
        walked = pkgutil.walk_packages(root.__path__, f"{package}.", onerror=left_out.append)
        names += [m.name for m in walked]
    for name in names:
        if name.rsplit(".", 1)[-1] == "__main__":  # running it is the command line, not an import
            continue
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:  # an extra that is not installed, never one of ours
            if (exc.name or "").split(".")[0] in PACKAGES:
                raise
            left_out.append(name)
    return found, left_out


def _examples() -> tuple[list[doctest.DocTest], list[str]]:
    modules, left_out = _modules()
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests: dict[str, doctest.DocTest] = {}
    for module in modules:
        for test in finder.find(module, module.__name__):
            if test.examples:  # a docstring with no ``>>>`` is not an example
                tests.setdefault(test.name, test)
    return sorted(tests.values(), key=lambda t: t.name), left_out


EXAMPLES, LEFT_OUT = _examples()


@pytest.fixture
def example_env(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """The environment and the extra globals documented above; restores LlamaIndex's ``Settings.llm``."""
    from llama_index.core import Settings

    monkeypatch.setenv("CHATROUTES_API_KEY", local_server.api_key)
    monkeypatch.setenv("CHATROUTES_BASE_URL", local_server.base_url)
    monkeypatch.setattr(Settings, "_llm", Settings._llm)
    with ChatRoutesClient() as client:
        yield {"client": client, "conv": client.conversations.create(title="Docs")}


def test_every_module_is_searched() -> None:
    assert LEFT_OUT == [], f"modules left out (is every extra installed?): {LEFT_OUT}"
    assert len(EXAMPLES) >= 30
    assert {"chatroutes_core", "langchain_chatroutes", "llama_index_chatroutes"} <= {t.name for t in EXAMPLES}


@pytest.mark.parametrize("test", EXAMPLES, ids=[t.name for t in EXAMPLES])
def test_docstring_example(test: doctest.DocTest, example_env: dict[str, object]) -> None:
    test.globs = {**test.globs, **example_env}
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    result = runner.run(test, out=report.append, clear_globs=True)
    assert result.attempted > 0, f"{test.name}: no example ran"
    assert result.failed == 0, "".join(report)


def _source_lines(pattern: str) -> set[tuple[Path, int]]:
    """``(file, line number)`` of every line of the packages' sources that matches ``pattern``."""
    return {
        (path.resolve(), n)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line)
    }


def test_no_example_is_skipped() -> None:
    assert _source_lines(r"doctest:.*\+SKIP") == set()


def test_every_prompt_line_is_an_example_that_runs() -> None:
    """A ``>>>`` the finder misses (a decorated function, a comment-only prompt) would never run."""
    found = {
        (Path(t.filename).resolve(), t.lineno + e.lineno + 1)
        for t in EXAMPLES
        if t.filename and t.lineno is not None
        for e in t.examples
    }
    assert _source_lines(r"^\s*>>>") - found == set()
