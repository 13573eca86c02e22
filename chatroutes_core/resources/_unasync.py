"""The sync resource classes are generated from the async ones (httpcore's unasync idea): they cannot drift.

Each resource module holds its async class, written out, then a marker line, then the sync class made from it
by the token rules below: ``async def`` -> ``def``, ``await x`` -> ``x``, ``AsyncFoo`` -> ``Foo``, ``arun`` ->
``run``, ``_async_x`` -> ``_sync_x``. ``python chatroutes_core/resources/_unasync.py`` rewrites the sync
classes (a plain script: it imports nothing of the package); ``--check`` (run by ``make lint`` and a test)
fails when one is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

__all__ = ["MARKER", "MODULES", "render", "unasync"]

MARKER = "# --- the sync twin below is generated from the class above (resources/_unasync.py): do not edit"
MODULES = ("autobranch", "branches", "checkpoints", "conversations", "messages")

_RULES = (
    (re.compile(r"\basync def\b"), "def"),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\basync (for|with)\b"), r"\1"),
    (re.compile(r"\bAsyncAPIResource\b"), "SyncAPIResource"),
    (re.compile(r"\bAsync([A-Z]\w*)"), r"\1"),
    (re.compile(r"\barun\("), "run("),
    (re.compile(r"\b_async_(\w+)"), r"_sync_\1"),
)


_DOCSTRING = re.compile(r'("""[\s\S]*?""")')
_YIELD_EACH = re.compile(r"for (\w+) in (.+):\n\s+yield \1\n")  # the sync twin says ``yield from``


def unasync(source: str) -> str:
    """The sync twin of async code, by the token rules (docstrings keep their words, but for the class's)."""
    parts = _DOCSTRING.split(source)
    for index in range(0, len(parts), 2):  # the code between docstrings
        for pattern, replacement in _RULES:
            parts[index] = pattern.sub(replacement, parts[index])
        parts[index] = _YIELD_EACH.sub(r"yield from \2\n", parts[index])
    return "".join(parts).replace("(asynchronous)", "(synchronous)", 1)


def render(text: str) -> str:
    """A module's text with its sync class regenerated from the async class before it."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("class Async"))
    end = next((i for i, line in enumerate(lines) if line.rstrip("\n") == MARKER), len(lines))
    # the sync class is left as generated (fmt: off): formatting it could join lines the async one splits
    async_class = "".join(lines[start:end]).rstrip("\n") + "\n"
    return "".join(lines[:start]) + async_class + "\n\n" + MARKER + "\n# fmt: off\n" + unasync(async_class)


def main(argv: list[str]) -> int:
    folder = Path(__file__).parent
    stale = []
    for name in MODULES:
        path = folder / f"{name}.py"
        text = path.read_text()
        if (rendered := render(text)) != text:
            stale.append(path)
            if "--check" not in argv:
                path.write_text(rendered)
    if stale and "--check" in argv:
        print("sync twins out of date (run python chatroutes_core/resources/_unasync.py):", *stale)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
