"""`python -m bench.autobranch_quality`: the offline AutoBranch detector scored on every labelled batch.

For each ``tests/data/autobranch_*.jsonl`` batch, one line: "has a branch point" precision, recall and F1
(a text counts as positive when its label has at least one branch point, and as found when ``detect`` returns
at least one suggestion at the default threshold 0.7), and the share of texts whose number of branch points
is exactly the label's.

Counting, as a reader does: one per intent of a multi-intent message, one per choice between alternatives,
one per conditional, one per item of an enumeration (a list of requests). The ``reader*`` batches (issue 27)
are labelled that way; the older batches label a multi-intent message as one point, so their exact-count
column uses that older rule (``--old-rule``, the default for them).

With the anchor library installed (``pip install chatroutes-autobranch==1.3.1``; optional, never a project
dependency) a second line per batch scores its ``BranchExtractor`` the same way (one per branch point it
returns).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from chatroutes_core.autobranch import Suggestion, detect

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def reader_count(found: Sequence[Suggestion]) -> int:
    """Branch points as a reader counts them: one per intent, choice, conditional or list item."""
    return sum(len(s.options) if s.kind == "enumeration" else 1 for s in found)


def point_count(found: Sequence[Suggestion]) -> int:
    """Branch points as the older batches count them: a multi-intent message is one point."""
    return len({s.point for s in found})


def ours(text: str, *, old_rule: bool = False) -> int:
    found = detect(text, suggestions_count=50)
    return point_count(found) if old_rule else reader_count(found)


@dataclass(frozen=True)
class Score:
    texts: int
    precision: float
    recall: float
    f1: float
    exact: float

    def line(self) -> str:
        return (
            f"{self.texts:4d} texts  precision={self.precision:.3f} recall={self.recall:.3f} "
            f"F1={self.f1:.3f} exact count={self.exact:.3f}"
        )


def score(rows: Sequence[dict[str, Any]], count: Callable[[str], int]) -> Score:
    """Text-level "has a branch point" precision/recall/F1, and the exact-count rate."""
    tp = fp = fn = exact = 0
    for row in rows:
        got, want = count(row["text"]), row["count"]
        tp += got > 0 and want > 0
        fp += got > 0 and want == 0
        fn += got == 0 and want > 0
        exact += got == want
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(len(rows), precision, recall, f1, exact / len(rows))


def batches(pattern: str = "autobranch_*.jsonl") -> dict[str, list[dict[str, Any]]]:
    return {
        path.stem.removeprefix("autobranch_"): [json.loads(line) for line in path.read_text().splitlines()]
        for path in sorted(DATA.glob(pattern))
    }


def _anchor() -> Callable[[str], int] | None:
    try:
        from chatroutes_autobranch import BranchExtractor  # type: ignore[import-not-found]
    except ImportError:
        return None
    extractor = BranchExtractor()
    return lambda text: len(extractor.extract(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.autobranch_quality", description=__doc__)
    parser.add_argument("batches", nargs="*", help="batch names (default: all), e.g. reader1 fresh5")
    args = parser.parse_args(argv)
    anchor = _anchor()
    for name, rows in batches().items():
        if args.batches and name not in args.batches:
            continue
        old = not name.startswith("reader")
        print(f"{name:10s} ours   {score(rows, partial(ours, old_rule=old)).line()}")
        if anchor is not None and not old:
            print(f"{name:10s} anchor {score(rows, anchor).line()}")
    if anchor is None:
        print("(anchor chatroutes-autobranch not installed: its lines are skipped)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
