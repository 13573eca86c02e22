"""Issue 26, points 1-3 in Chromium: the conversation list, the graph, a branch's transcript."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest
from _browser_support import SHOTS, Seed
from conftest import Page
from playwright.sync_api import expect

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def shoot(page: Any, name: str) -> None:
    """Save docs/img/explorer-NAME.png when EXPLORER_SCREENSHOTS=1 (CI leaves the committed ones alone)."""
    if os.environ.get("EXPLORER_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"explorer-{name}.png"))


def test_list_shows_counts_newest_first_searches_and_pages(app_page: Page, seed: Seed) -> None:
    tag = _tag()
    for i in range(55):
        seed.client.conversations.create(title=f"paging {tag} #{i:02d}")
    seed.conversation(f"counted {tag}", ["one", "two"])
    page = app_page.open()
    first = page.locator(".conv-item").first
    expect(first.locator(".ctitle")).to_have_text(f"counted {tag}")
    expect(first.locator(".meta")).to_contain_text("4 messages · 1 branches")

    page.fill("#search", f"paging {tag}")
    expect(page.locator(".conv-item").first.locator(".ctitle")).to_have_text(f"paging {tag} #54")
    expect(page.locator(".conv-item")).to_have_count(50)
    expect(page.locator("#more")).to_be_visible()
    page.click("#more")
    expect(page.locator(".conv-item")).to_have_count(55)
    expect(page.locator("#more")).to_be_hidden()
    titles = page.locator(".conv-item .ctitle").all_text_contents()
    assert titles == [f"paging {tag} #{i:02d}" for i in reversed(range(55))]  # newest first

    page.fill("#search", f"nothing-{tag}")
    expect(page.locator(".conv-item")).to_have_count(0)
    expect(page.locator("#empty")).to_be_visible()


def _graph(page: Any) -> Any:
    """Each drawn node's message id and centre, and each branch path's start point."""
    return page.evaluate(
        """() => {
          const nodes = {};
          for (const c of document.querySelectorAll('#graph circle.node')) {
            const label = document.querySelector(`#graph .grow[data-row="${c.dataset.row}"]`);
            nodes[label.dataset.mid] = [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))];
          }
          const paths = {};
          for (const p of document.querySelectorAll('#graph path.edge')) {
            const m = /^M([\\d.]+) ([\\d.]+)/.exec(p.getAttribute('d'));
            paths[p.dataset.bid] = [Number(m[1]), Number(m[2]), p.getAttribute('class')];
          }
          return {nodes, paths};
        }"""
    )


def test_graph_draws_lanes_nodes_forks_and_marks(app_page: Page, seed: Seed) -> None:
    cid, main, ids = seed.conversation(f"graph {_tag()}", ["a", "b", "c"])
    left = seed.fork(cid, ids[1], "left", ["x"])
    right = seed.fork(cid, ids[3], "right", ["y"])
    seed.client.checkpoints.create(cid, branch_id=main, anchor_message_id=ids[5])
    seed.client.branches.merge(cid, right)
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    g = _graph(page)
    sent = len(page.evaluate("() => window.__explorer.state.graph.messages"))
    assert sent >= 10
    assert len(g["nodes"]) == sent  # one node per message
    assert len({x for x, _ in g["nodes"].values()}) == 3  # one lane per branch
    # each fork is drawn from its fork point's node
    assert g["paths"][left][:2] == g["nodes"][ids[1]]
    assert g["paths"][right][:2] == g["nodes"][ids[3]]
    assert "main" in g["paths"][main][2]
    assert "merged" in g["paths"][right][2]
    expect(page.locator(f"li.branch[data-bid='{main}'] .badge.main")).to_be_visible()
    expect(page.locator(f"li.branch[data-bid='{right}'] .badge.merged")).to_be_visible()
    expect(page.locator(f"li.branch[data-bid='{main}'] .badge.ckpt")).to_have_text("◆1")
    expect(page.locator("#graph rect.ckpt")).to_have_count(1)


def test_two_hundred_branches_collapse_and_expand(app_page: Page, srv: LocalServer) -> None:
    from bench.explorer import grow_tree

    tree = grow_tree(srv, f"two hundred branches {_tag()}", branches=200, messages=2000)
    page = app_page.open(f"/c/{tree['cid']}")
    app_page.wait_shown()
    assert page.evaluate("window.__explorer.graph.lay.lanes") == 200
    expect(page.locator("li.branch")).to_have_count(200)
    # only what is in view is in the DOM
    assert page.locator("#graph circle.node").count() < 120
    shoot(page, "200-branches")
    page.click("#collapse-all")
    lanes = page.evaluate("window.__explorer.graph.lay.lanes")
    assert 1 <= lanes < 20
    assert page.locator("li.branch").count() == lanes
    shoot(page, "200-branches-collapsed")
    toggle = page.locator("li.branch button.toggle[aria-expanded='false']").first
    toggle.click()
    assert page.evaluate("window.__explorer.graph.lay.lanes") > lanes
    page.click("#expand-all")
    assert page.evaluate("window.__explorer.graph.lay.lanes") == 200
    # the graph scrolls: the last row is drawn once scrolled into view, the first is then gone
    page.evaluate("() => { document.getElementById('graph').scrollTop = 1e9; }")
    rows = page.evaluate("() => window.__explorer.graph.lay.rows.length")
    assert rows == 2000
    page.wait_for_selector(f"#graph .grow[data-row='{rows - 1}']")
    expect(page.locator("#graph .grow[data-row='0']")).to_have_count(0)


def test_transcript_inherited_tools_system_and_folding(app_page: Page, seed: Seed, srv: LocalServer) -> None:
    conv = seed.client.conversations.create(title=f"agent run {_tag()}")
    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    srv.script(conv.id, f"<tool_call>\n{json.dumps(call)}\n</tool_call>", "It is sunny in Paris, 21 °C.")
    client = seed.client
    client.messages.send(conv.id, content="[system] Answer briefly.\n\nWhat is the weather in Paris?")
    response = {"name": "get_weather", "tool_call_id": "call_1", "content": "sunny, 21C"}
    reply = client.messages.send(
        conv.id, content=f"<tool_response>\n{json.dumps(response)}\n</tool_response>"
    )
    long_text = "\n".join(f"line {i} " + "x" * 40 for i in range(200))
    main = next(b for b in client.branches.list(conv.id) if b.is_main)
    fork = seed.fork(conv.id, reply.message.id, "longer", [long_text])
    page = app_page.open(f"/c/{conv.id}/b/{main.id}")
    app_page.wait_shown()
    expect(page.locator("#transcript .step.system")).to_contain_text("Answer briefly.")
    expect(page.locator("#transcript .step.tool-call")).to_have_text('→ get_weather({"city":"Paris"})')
    expect(page.locator("#transcript .step.tool-result")).to_have_text("← get_weather: sunny, 21C")
    expect(page.locator("#graph .grow .preview", has_text="→ get_weather(…)")).to_have_count(1)
    assert "<tool_call>" not in page.locator("#transcript").inner_text()
    assert "<tool_" not in page.locator("#graph").inner_text()
    shoot(page, "agent-run")

    page.click(f"li.branch[data-bid='{fork}'] a")
    app_page.wait_shown(2)
    assert page.url.endswith(f"/c/{conv.id}/b/{fork}")
    expect(page.locator("#transcript article.msg.inherited")).to_have_count(4)
    expect(page.locator("#transcript article.msg:not(.inherited)")).to_have_count(2)
    body = page.locator("#transcript article.msg.user:not(.inherited) .text")
    assert len(body.inner_text()) < 1600  # folded
    page.locator("#transcript article.msg.user:not(.inherited) .unfold").click()
    assert body.inner_text() == long_text
