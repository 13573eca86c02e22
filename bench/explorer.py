"""Issue 26: the branch explorer in headless Chromium.

* open: a conversation of 10,000 messages on 200 branches, written straight into the local server's store,
  opened in the explorer; the time from navigation to "tree drawn" (graph fetched and drawn) and "branch
  shown" (the main branch's transcript in the page), median of several cold page loads;
* update: one message added by another client to trees of 1,000 and 10,000 messages; the time until it
  is in the page, and the page's own cost to apply it (fetch + draw), median of several.

Run alone: ``python -m bench.explorer [--runs N]`` (needs Chromium: ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.cases import Result
from chatroutes_core import ChatRoutesClient
from chatroutes_core.testing import LocalServer

TARGET_OPEN_S = 1.0


def grow_tree(
    srv: LocalServer, title: str, *, branches: int, messages: int, seed: int = 26
) -> dict[str, Any]:
    """A conversation of ``messages`` messages on ``branches`` branches, inserted through the server's store
    in one transaction (seconds instead of minutes of API calls). Each branch forks off a random earlier
    branch at one of its messages. Returns ``{"cid", "main", "branches": [ids], "last": {bid: message id}}``.
    """
    from chatroutes_core.server.store import hash_key

    store = srv.state.store
    owner = hash_key(srv.api_key)
    rng = random.Random(seed)
    per_branch = max(1, messages // branches)
    ids: list[str] = []
    own: dict[str, list[str]] = {}
    with store.atomic():
        conv, main = store.create_conversation(owner, title, "gpt-5")
        for index in range(branches):
            if index == 0:
                branch_id, parent = main.id, None
            else:
                parent_id = ids[rng.randrange(len(ids))]
                parent = rng.choice(own[parent_id])
                branch_id = store.create_branch(
                    conv.id, title=f"branch {index}", parent_branch_id=parent_id, fork_point_message_id=parent
                ).id
            ids.append(branch_id)
            own[branch_id] = []
            count = per_branch + (messages - per_branch * branches if index == 0 else 0)
            for n in range(count):
                role = "user" if n % 2 == 0 else "assistant"
                text = f"{role} turn {n} on branch {index}: " + " ".join(
                    rng.choice(_WORDS) for _ in range(12)
                )
                model = None if role == "user" else "gpt-5"
                row = store.add_message(
                    conv.id,
                    branch_id,
                    role=role,
                    content=text,
                    token_count=20,
                    model=model,
                    parent_message_id=parent,
                )
                own[branch_id].append(row.id)
                parent = row.id
    return {"cid": conv.id, "main": main.id, "branches": ids, "last": {b: m[-1] for b, m in own.items()}}


_WORDS = [
    "tree",
    "branch",
    "fork",
    "merge",
    "lane",
    "message",
    "reply",
    "model",
    "route",
    "graph",
    "prefix",
    "history",
    "token",
]


def _sign_in(browser: Any, explorer: Any) -> Any:
    """One browser context signed in through the one-time link (the token works once)."""
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    page = context.new_page()
    page.goto(explorer.link())
    page.wait_for_function("() => window.__explorer && window.__explorer.state.session")
    page.close()
    return context


def _open(context: Any, explorer: Any, cid: str) -> Any:
    page = context.new_page()
    page.goto(f"{explorer.url}/c/{cid}")
    page.wait_for_function("() => window.__explorer && window.__explorer.shown >= 1", timeout=60_000)
    return page


def _open_once(context: Any, explorer: Any, cid: str) -> tuple[float, float, float, float]:
    """One page load of a conversation (assets are served no-store, so nothing is cached between loads):
    (ms to tree drawn, ms to branch shown) from navigation start, then (graph request, its layout + draw)."""
    page = _open(context, explorer, cid)
    timings = page.evaluate("() => window.__explorer.timings")
    page.close()
    return (
        float(timings["graph"]),
        float(timings["shown"]),
        float(timings["graphFetchMs"]),
        float(timings["graphDrawMs"]),
    )


def _update_once(page: Any, client: Any, cid: str, bid: str, n: int) -> tuple[float, float, float]:
    """Another client sends one turn; (ms until it is in the page, ms the page spent applying it)."""
    before = page.evaluate("window.__explorer.updates")
    marker = f"bench update {n} {time.time()}"
    started = time.perf_counter()
    client.messages.send(cid, content=marker, branch_id=bid)
    page.wait_for_function(
        "t => [...document.querySelectorAll('#transcript article.msg')].some(a => a.textContent.includes(t))",
        arg=marker,
        timeout=30_000,
    )
    seen = (time.perf_counter() - started) * 1000
    page.wait_for_function(f"() => window.__explorer.updates > {before}", timeout=30_000)
    timings = page.evaluate("() => window.__explorer.timings")
    return seen, float(timings["updateMs"]), float(timings.get("updateDrawMs", 0.0))


def explorer_open(*, runs: int = 5, updates: int = 5) -> Result:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "explorer" / "browser"))
    from _browser_support import ExplorerServer, launch

    res = Result("Explorer (issue 26): 10,000 messages on 200 branches in headless Chromium")
    with LocalServer() as srv:
        explorer = ExplorerServer(srv).start()
        try:
            started = time.perf_counter()
            big = grow_tree(srv, "bench 10k", branches=200, messages=10_000)
            res.row(
                "seed 10,000 messages / 200 branches (store, one transaction)",
                f"{time.perf_counter() - started:.2f} s",
            )
            small = grow_tree(srv, "bench 1k", branches=20, messages=1_000)
            client = ChatRoutesClient(api_key=srv.api_key, base_url=srv.base_url)
            with sync_playwright() as pw:
                browser = launch(pw)
                context = _sign_in(browser, explorer)
                _open_once(context, explorer, big["cid"])  # warm the server's caches and the browser
                opens = [_open_once(context, explorer, big["cid"]) for _ in range(runs)]
                drawn = statistics.median(o[0] for o in opens)
                shown = statistics.median(o[1] for o in opens)
                res.row(f"open: tree drawn (median of {runs} page loads)", f"{drawn:.0f} ms")
                res.row(f"open: branch shown (median of {runs} page loads)", f"{shown:.0f} ms")
                res.row(
                    "open: of which the graph request", f"{statistics.median(o[2] for o in opens):.0f} ms"
                )
                res.row(
                    "open: of which laying out and drawing it",
                    f"{statistics.median(o[3] for o in opens):.0f} ms",
                )
                res.target(
                    "10,000 messages / 200 branches open (tree drawn and branch shown) in < 1 s",
                    shown < TARGET_OPEN_S * 1000,
                )
                for label, tree in (("1,000", small), ("10,000", big)):
                    page = _open(context, explorer, tree["cid"])
                    samples = [
                        _update_once(page, client, tree["cid"], tree["main"], n) for n in range(updates)
                    ]
                    seen = statistics.median(s[0] for s in samples)
                    cost = statistics.median(s[1] for s in samples)
                    draw = statistics.median(s[2] for s in samples)
                    res.row(
                        f"update, {label}-message tree: another client's turn in the page after",
                        f"{seen:.0f} ms",
                    )
                    res.row(
                        f"update, {label}-message tree: the page's own cost (fetch + draw)", f"{cost:.0f} ms"
                    )
                    res.row(f"update, {label}-message tree: of which relayout and draw", f"{draw:.0f} ms")
                    page.close()
                browser.close()
        finally:
            explorer.stop()
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explorer", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    res = explorer_open(runs=args.runs, updates=args.runs)
    print(res.case)
    for name, value in res.rows:
        print(f"  {name}: {value}")
    for text, met in res.targets:
        print(f"  [{'met' if met else 'MISSED'}] {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
