"""Issue 26, points 5 and 6 in Chromium: compare branches and models; another client's writes appear live."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from _browser_support import ExplorerServer, Seed
from conftest import Page
from playwright.sync_api import expect

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


def test_compare_branches_side_by_side_from_the_common_ancestor(app_page: Page, seed: Seed) -> None:
    cid, main, ids = seed.conversation(f"compare {uuid.uuid4().hex[:8]}", ["shared start", "main goes on"])
    other = seed.fork(cid, ids[1], "other way", ["another way"])
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    expect(page.locator("#compare-btn")).to_be_disabled()
    page.locator(f"li.branch[data-bid='{main}'] input.pick").check()
    page.locator(f"li.branch[data-bid='{other}'] input.pick").check()
    page.click("#compare-btn")
    page.wait_for_url(f"**/c/{cid}?compare=*")
    cols = page.locator("#compare .compare-col")
    expect(cols).to_have_count(2)
    # from the common ancestor (the first reply) on: each side's own turn, marked as changed
    expect(cols.nth(0).locator("article.msg")).to_have_count(2)
    expect(cols.nth(0).locator("article.msg").first).to_contain_text("main goes on")
    expect(cols.nth(1).locator("article.msg").first).to_contain_text("another way")
    expect(cols.nth(0).locator("article.msg.diff-changed")).to_have_count(2)
    assert "shared start" not in (page.locator("#compare").text_content() or "")
    page.go_back()
    expect(page.locator("#compare")).to_be_hidden()
    expect(page.locator("#transcript")).to_be_visible()


def test_ask_several_models_from_a_message(app_page: Page, seed: Seed) -> None:
    cid, _main, ids = seed.conversation(f"models {uuid.uuid4().hex[:8]}", ["which model is best?"])
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    page.locator(f"#transcript article.msg[data-mid='{ids[0]}'] [data-action=models]").click()
    boxes = page.locator("#models input[type=checkbox]")
    names = [boxes.nth(i).get_attribute("value") for i in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.fill("#content", "answer in one line")
    page.click("#send")
    page.wait_for_url(f"**/c/{cid}?compare=*")
    cols = page.locator("#compare .compare-col")
    expect(cols).to_have_count(2)
    for i in range(2):
        expect(cols.nth(i).locator("article.msg.assistant")).to_have_count(1)
    models = page.locator("#compare .model").all_text_contents()
    assert len(models) == 2 and all(names[i] and names[i] in " ".join(models) for i in range(2))
    expect(page.locator("#branches li.branch")).to_have_count(3)


def test_another_clients_writes_appear_live_without_reload(app_page: Page, seed: Seed) -> None:
    cid, _main, ids = seed.conversation(f"live {uuid.uuid4().hex[:8]}", ["hello"])
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    page.evaluate(
        "() => { window.__sameDocument = true;"
        " document.querySelector('#transcript article.msg').__kept = 1; }"
    )
    expect(page.locator("#live")).to_have_text("● live")

    graphs = page.evaluate("() => window.__explorer.graphs")
    started = time.monotonic()
    seed.client.messages.send(cid, content="written by another process")
    expect(page.locator("#transcript article.msg")).to_have_count(4, timeout=3000)
    assert time.monotonic() - started < 1.5
    # new messages are patched into the graph from the branch's history: no graph refetch
    expect(page.locator("#graph circle.node")).to_have_count(4)
    assert page.evaluate("() => window.__explorer.graphs") == graphs
    expect(page.locator("#transcript article.msg").nth(2)).to_contain_text("written by another process")

    branch = seed.fork(cid, ids[1], "forked elsewhere", ["from a LangChain agent"])
    expect(page.locator(f"li.branch[data-bid='{branch}']")).to_have_count(1, timeout=3000)
    expect(page.locator("#graph circle.node")).to_have_count(6)
    # no reload, and the transcript was appended to, not redrawn
    assert page.evaluate("() => window.__sameDocument === true")
    assert page.evaluate("() => document.querySelector('#transcript article.msg').__kept === 1")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1

    # a conversation another process creates joins the top of the list, still without a reload
    title = f"made elsewhere {uuid.uuid4().hex[:8]}"
    seed.conversation(title, ["hi"])
    expect(page.locator(".conv-item").first.locator(".ctitle")).to_have_text(title, timeout=3000)
    assert page.evaluate("() => window.__sameDocument === true")


def test_against_an_api_without_a_change_feed_the_page_polls(
    browser: Any, srv: LocalServer, seed: Seed
) -> None:
    explorer = ExplorerServer(srv, feed=None, relay=False, poll_seconds=0.3).start()
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    try:
        page = context.new_page()
        page.goto(explorer.link())
        cid, _main, _ids = seed.conversation(f"polled {uuid.uuid4().hex[:8]}", ["hello"])
        page.goto(f"{explorer.url}/c/{cid}")
        page.wait_for_function("() => window.__explorer && window.__explorer.shown >= 1")
        expect(page.locator("#live")).to_have_text("● polling every 0.3s")
        seed.client.messages.send(cid, content="seen by polling")
        expect(page.locator("#transcript article.msg")).to_have_count(4, timeout=3000)
        expect(page.locator("#transcript article.msg").nth(2)).to_contain_text("seen by polling")
    finally:
        context.close()
        explorer.stop()
