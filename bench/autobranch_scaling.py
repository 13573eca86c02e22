"""`python -m bench.autobranch_scaling`: how the offline AutoBranch detector's time grows with the text.

Times ``chatroutes_core.autobranch.detect`` on texts of 100 kB, 400 kB, 800 kB and 2 MB (ASCII, so one
byte per character) and prints the time per byte at each size: linear detection keeps that figure flat,
quadratic detection multiplies it by the size ratio (x20 from 100 kB to 2 MB).

Texts: ``mixed`` is the labelled messages of ``tests/data`` joined with spaces in a fixed random order
(one long paragraph, about a third of the messages hold a branch point); the other rows repeat one short
phrase that a rule has to look at everywhere (worst cases for the "or", "if … then" and "and also" rules).
Each size runs ``--repeat`` times and the fastest run is reported (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from chatroutes_core.autobranch import detect

SIZES = (100_000, 400_000, 800_000, 2_000_000)
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"

PHRASES = {
    "or-heavy": "Should I pick tea or coffee or juice? ",
    "if-then": "if the tests pass then deploy ",
    "and-also": "I need help with billing and also with the API, ",
}


def mixed_text(size: int, seed: int = 0) -> str:
    """Labelled messages joined by spaces, cut to ``size`` characters."""
    rows = [
        json.loads(line)["text"]
        for path in sorted(DATA.glob("autobranch_*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        parts.append(rng.choice(rows))
        total += len(parts[-1]) + 1
    return " ".join(parts)[:size]


def repeated(phrase: str, size: int) -> str:
    return (phrase * (size // len(phrase) + 1))[:size]


def best_time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


TENFOLD_LIMIT = 15.0  # issue 27: 10x the text costs at most 15x the time


def tenfold(texts: dict[str, Callable[[int], str]], repeat: int) -> int:
    """Print the time ratio of 1 MB to 100 kB per text; 1 if any exceeds ``TENFOLD_LIMIT``."""
    print("| text | 100 kB | 1 MB | ratio (limit 15) |")
    print("|---|---|---|---|")
    worst = 0.0
    for name, make in texts.items():
        small, large = (
            best_time(partial(detect, make(size), suggestions_count=10), repeat)
            for size in (100_000, 1_000_000)
        )
        worst = max(worst, large / small)
        print(f"| {name} | {small:.2f} s | {large:.2f} s | {large / small:.1f} |", flush=True)
    return 0 if worst <= TENFOLD_LIMIT else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.autobranch_scaling", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest counts (default 3)")
    parser.add_argument("--quick", action="store_true", help="only the mixed text (a smoke run)")
    parser.add_argument(
        "--tenfold",
        action="store_true",
        help="time 100 kB and 1 MB of each text; exit 1 if 10x the text costs over "
        f"{TENFOLD_LIMIT:g}x the time (use --repeat 5 on a busy machine)",
    )
    args = parser.parse_args(argv)
    texts: dict[str, Callable[[int], str]] = {"mixed": mixed_text}
    if not args.quick:
        texts.update({name: partial(repeated, phrase) for name, phrase in PHRASES.items()})
    if args.tenfold:
        return tenfold(texts, args.repeat)
    print("| text | size | time | ns per byte | per byte vs 100 kB |")
    print("|---|---|---|---|---|")
    for name, make in texts.items():
        base = 0.0
        for size in SIZES:
            text = make(size)
            seconds = best_time(partial(detect, text, suggestions_count=10), args.repeat)
            per_byte = seconds / size
            base = base or per_byte
            cells = [name, f"{size // 1000} kB", f"{seconds:.2f} s"]
            cells += [f"{per_byte * 1e9:,.0f}", f"{per_byte / base:.2f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
