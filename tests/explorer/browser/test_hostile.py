"""Issue 26, safety in Chromium: hostile content through every view runs nothing and breaks no layout.

Titles and messages carry ``<script>``, ``javascript:`` links, ``onerror=`` attributes, ANSI escapes (an
OSC 8 hyperlink among them), right-to-left text (with an override character) and a 1 MB message. The page
must show them as text: the ``window.__pwned`` sentinel stays 0, no dialog opens, no element is created
from them, and the graph, the transcript and the page stay within the viewport's width.
"""

from __future__ import annotations

import pytest
from _browser_support import Seed
from conftest import Page
from playwright.sync_api import expect

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

SCRIPT = "<script>window.__pwned = 1; alert('script')</script>"
IMG = "<img src=x onerror=\"window.__pwned = 2; alert('img')\">"
LINK = "<a href=\"javascript:window.__pwned=3;alert('link')\">click me</a> javascript:window.__pwned=3"
SVG = '<svg onload="window.__pwned=4"></svg><iframe src="javascript:parent.__pwned=5"></iframe>'
ANSI = "\x1b[31mred\x1b[0m \x1b]8;;javascript:window.__pwned=6\x1b\\osc link\x1b]8;;\x1b\\ \x1b[2J"
RTL = (
    "\u202egnp.exe \u05e9\u05dc\u05d5\u05dd "
    + "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645"
)
HOSTILE_TITLE = f"{SCRIPT}{IMG} {RTL} {ANSI}"
HOSTILE_TEXT = "\n".join(
    [SCRIPT, IMG, LINK, SVG, ANSI, RTL * 20, "{{constructor.constructor('window.__pwned=7')()}}"]
)
MEGABYTE = "A" * 1_000_000  # one unbreakable megabyte


def _check(app: Page) -> None:
    page = app.page
    assert app.pwned() == 0
    assert app.dialogs == []
    found = page.evaluate(
        """() => {
          const all = (sel) => [...document.querySelectorAll(sel)];
          const tags = 'img, iframe, object, embed, svg a, foreignObject, #transcript svg, #transcript a';
          return {
            scripts: [...document.scripts].map(s => s.getAttribute('src')),
            injected: all(tags).length,
            jsLinks: all('[href]').filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
            handlers: all('*').filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            width: document.documentElement.scrollWidth, viewport: innerWidth,
            graph: document.getElementById('graph').getBoundingClientRect().right,
            transcript: document.getElementById('transcript').getBoundingClientRect().right,
            bodyScroll: document.body.scrollWidth,
          };
        }"""
    )
    assert found["scripts"] == ["/static/app.js"]
    assert found["injected"] == 0 and found["jsLinks"] == 0 and found["handlers"] == 0
    assert found["width"] <= found["viewport"] and found["bodyScroll"] <= found["viewport"]
    assert found["graph"] <= found["viewport"] and found["transcript"] <= found["viewport"]


def test_hostile_content_through_every_view(app_page: Page, seed: Seed, srv: LocalServer) -> None:
    client = seed.client
    conv = client.conversations.create(title=HOSTILE_TITLE)
    first = client.messages.send(conv.id, content=HOSTILE_TEXT)
    main = next(b for b in client.branches.list(conv.id) if b.is_main)
    # the local server takes at most 500,000 characters per request; a reply can be longer: store one
    big = srv.state.store.add_message(conv.id, main.id, role="assistant", content=MEGABYTE, token_count=9,
                                      parent_message_id=first.message.id)  # fmt: skip
    other = client.branches.fork(conv.id, fork_point_message_id=first.message.id, title=HOSTILE_TITLE + IMG)
    client.messages.send(conv.id, content=HOSTILE_TEXT + LINK, branch_id=other.id)
    client.checkpoints.create(conv.id, branch_id=main.id, anchor_message_id=big.id)

    page = app_page.open("/")
    page.fill("#search", "gnp.exe")  # search by a piece of the hostile title: the list
    expect(page.locator(".conv-item .ctitle").first).to_contain_text("<script>")
    _check(app_page)
    page.locator(".conv-item a").first.click()  # the graph, the branch panel, the transcript
    app_page.wait_shown()
    expect(page.locator("#conv-title")).to_contain_text("<img src=x onerror=")
    expect(page.locator("#transcript")).to_contain_text("javascript:window.__pwned=3")
    _check(app_page)

    unfold = page.locator("#transcript .unfold")
    expect(unfold.first).to_be_visible()
    for i in range(unfold.count()):
        unfold.nth(i).click()  # the 1 MB message (and its echo) in full
    assert page.evaluate("() => document.getElementById('transcript').textContent.length") > 1_000_000
    _check(app_page)

    page.locator(f"li.branch[data-bid='{other.id}'] a").click()  # the other branch and its title
    app_page.wait_shown(2)
    expect(page.locator("#branch-title")).to_contain_text("<script>")
    _check(app_page)
    page.click("#rename")  # the dialogs show titles as text
    assert HOSTILE_TITLE.split(" ")[0] in page.locator("#dialog-input").input_value()
    page.click("#dialog-cancel")
    page.click("#delete")
    expect(page.locator("#dialog-text")).to_contain_text("<script>")
    page.click("#dialog-cancel")
    _check(app_page)

    for bid in (main.id, other.id):  # compare, side by side
        page.locator(f"li.branch[data-bid='{bid}'] input.pick").check()
    page.click("#compare-btn")
    expect(page.locator("#compare .compare-col")).to_have_count(2)
    _check(app_page)
    page.go_back()
    page.keyboard.press("j")  # keyboard over hostile items
    page.keyboard.press("Enter")
    _check(app_page)
