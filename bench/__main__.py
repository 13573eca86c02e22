"""`python -m bench [--quick] [--out bench/RESULTS.md]`: run every case and write the results table."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import cases, construction, explorer, fresh, soak
from bench._harness import ServerProcess, machine


def render(results: list[cases.Result], *, command: str, seconds: float) -> str:
    lines = ["# Benchmark results", ""]
    lines += [
        f"Command: `{command}` ({seconds:.0f} s). Medians; ratios are against a baseline of the same run,",
        "with the variants interleaved round by round so drift hits all of them alike.",
        "",
        "## Machine",
        "",
    ]
    lines += ["| what | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine().items()]
    for res in results:
        lines += ["", f"## {res.case}", "", "| variant | result |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in res.rows]
        if res.targets:
            lines += ["", "| target | met |", "|---|---|"]
            lines += [f"| {text} | {'yes' if met else '**no**'} |" for text, met in res.targets]
    notes = Path(__file__).with_name("NOTES.md")
    if notes.exists():
        lines += ["", notes.read_text().rstrip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run, not for RESULTS.md)")
    parser.add_argument("--out", default="bench/RESULTS.md")
    args = parser.parse_args(argv)
    scale = 0.2 if args.quick else 1.0
    started = time.perf_counter()
    results: list[cases.Result] = []
    with ServerProcess() as srv:
        steps = [
            # 20 rounds of 25 calls = 500 calls per variant: more rounds make the paired ratios steadier.
            lambda: cases.per_call_overhead(srv, calls=25, rounds=max(4, int(20 * scale))),
            lambda: cases.adapter_overhead(srv, calls=25, rounds=max(4, int(20 * scale))),
            lambda: cases.time_to_first_token(samples=max(4, int(20 * scale))),
            lambda: cases.async_fanout(srv, rounds=max(1, int(5 * scale))),
            lambda: cases.turn_cost(srv, turns=505 if not args.quick else 60),
            lambda: cases.throughput(
                srv, texts=max(50, int(500 * scale)), sends_per_thread=max(50, int(500 * scale))
            ),
            # Issue 14: construction, pools, fresh instances, a web app building a model per request.
            lambda: construction.construction_cost(rounds=max(2, int(5 * scale))),
            lambda: construction.pool_sharding(srv, rounds=max(1, int(3 * scale))),
            lambda: fresh.fresh_instance_per_call(srv, calls=16, rounds=max(2, int(16 * scale))),
            lambda: fresh.fresh_fanout(srv, rounds=max(1, int(6 * scale))),
            lambda: fresh.per_request_app(srv, rounds=max(1, int(2 * scale))),
            # Issue 24: the soak, `chatroutes serve` in a process of its own under mixed load (bench/soak.py).
            lambda: soak.soak_case(seconds=60 if not args.quick else 10),
            # Issue 26: the branch explorer in headless Chromium (its own LocalServer; needs chromium).
            lambda: explorer.explorer_open(runs=max(3, int(5 * scale)), updates=max(3, int(5 * scale))),
        ]
        for step in steps:
            step_started = time.perf_counter()
            res = step()
            results.append(res)
            print(f"\n{res.case} [{time.perf_counter() - step_started:.0f} s]")
            for name, value in res.rows:
                print(f"  {name}: {value}")
            for text, met in res.targets:
                print(f"  [{'met' if met else 'MISSED'}] {text}")
            sys.stdout.flush()
    command = "make bench" + (" (python -m bench --quick)" if args.quick else "")
    Path(args.out).write_text(render(results, command=command, seconds=time.perf_counter() - started))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
