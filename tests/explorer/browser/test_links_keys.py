"""Issue 26, point 7 in Chromium: URLs (back button, reload, shared links), keyboard, light/dark."""

from __future__ import annotations

import uuid

import pytest
from _browser_support import Seed
from conftest import Page
from playwright.sync_api import expect
from test_tree import shoot

pytestmark = pytest.mark.integration


def _path(page: Page) -> str:
    return str(page.page.evaluate("() => location.pathname + location.search"))


def test_every_view_has_a_url_that_back_reload_and_sharing_restore(app_page: Page, seed: Seed) -> None:
    title = f"links {uuid.uuid4().hex[:8]}"
    cid, _main, ids = seed.conversation(title, ["one", "two"])
    other = seed.fork(cid, ids[1], "other", ["three"])
    page = app_page.open("/")
    page.locator(".conv-item a", has_text=title).click()
    app_page.wait_shown()
    assert _path(app_page) == f"/c/{cid}"
    page.click(f"li.branch[data-bid='{other}'] a")
    app_page.wait_shown(2)
    assert _path(app_page) == f"/c/{cid}/b/{other}"
    page.locator("#transcript article.msg").nth(2).click()
    mid = page.locator("#transcript article.msg").nth(2).get_attribute("data-mid")
    assert _path(app_page) == f"/c/{cid}/b/{other}/m/{mid}"
    expect(page.locator("#transcript article.msg.sel")).to_have_attribute("data-mid", str(mid))

    page.go_back()
    expect(page.locator("#transcript article.msg.sel")).to_have_count(0)
    assert _path(app_page) == f"/c/{cid}/b/{other}"
    page.go_back()
    expect(page.locator("#branch-title")).to_have_text("main")
    assert _path(app_page) == f"/c/{cid}"
    page.go_forward()
    expect(page.locator("#branch-title")).to_have_text("other")
    page.go_forward()
    expect(page.locator("#transcript article.msg.sel")).to_have_attribute("data-mid", str(mid))

    page.reload()
    app_page.wait_shown()
    expect(page.locator("#transcript article.msg.sel")).to_have_attribute("data-mid", str(mid))
    expect(page.locator("#graph circle.node.sel")).to_have_count(1)
    expect(page.locator("#branch-title")).to_have_text("other")

    shared = app_page.page.context.new_page()  # a link pasted into another tab
    shared.goto(f"{app_page.explorer.url}/c/{cid}/b/{other}/m/{mid}")
    expect(shared.locator("#transcript article.msg.sel")).to_have_attribute("data-mid", str(mid))
    shared.close()


def test_keyboard_moves_through_conversations_messages_and_branches(app_page: Page, seed: Seed) -> None:
    cid, main, ids = seed.conversation(f"keys {uuid.uuid4().hex[:8]}", ["one", "two"])
    other = seed.fork(cid, ids[1], "other", ["three"])
    page = app_page.open("/")
    expect(page.locator(".conv-item").first).to_have_attribute("data-cid", cid)
    page.keyboard.press("j")
    expect(page.locator(".conv-item.kbd")).to_have_attribute("data-cid", cid)
    page.keyboard.press("Enter")
    app_page.wait_shown()
    assert _path(app_page) == f"/c/{cid}"

    page.keyboard.press("j")
    sel = page.locator("#transcript article.msg.sel")
    expect(sel).to_have_attribute("data-mid", ids[0])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("j")
    expect(sel).to_have_attribute("data-mid", ids[2])
    page.keyboard.press("k")
    expect(sel).to_have_attribute("data-mid", ids[1])
    page.keyboard.press("Enter")
    assert _path(app_page) == f"/c/{cid}/b/{main}/m/{ids[1]}"

    page.keyboard.press("]")
    app_page.wait_shown(2)
    assert _path(app_page) == f"/c/{cid}/b/{other}"
    page.keyboard.press("[")
    expect(page.locator("#branch-title")).to_have_text("main")
    assert _path(app_page) == f"/c/{cid}/b/{main}"
    # keys typed into the composer are text, not navigation
    page.click("#content")
    page.keyboard.type("j]k")
    assert page.locator("#content").input_value() == "j]k"
    assert _path(app_page) == f"/c/{cid}/b/{main}"


def _background(page: Page) -> float:
    rgb = page.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_colours_follow_the_system_setting(app_page: Page, seed: Seed) -> None:
    cid, main, ids = seed.conversation(
        "Trip planning", ["Plan three days in Lisbon", "Where should we eat?", "Which museums?"]
    )
    seed.fork(cid, ids[1], "Porto instead", ["What about Porto?", "And the wine cellars?"])
    budget = seed.fork(cid, ids[3], "On a budget", ["Cheaper places?"])
    seed.fork(cid, ids[5], "Rainy day", ["What if it rains?"])
    seed.client.checkpoints.create(cid, branch_id=main, anchor_message_id=ids[3])
    page = app_page.page
    page.emulate_media(color_scheme="light")
    app_page.open(f"/c/{cid}/b/{budget}")
    app_page.wait_shown()
    assert _background(app_page) > 0.8
    shoot(page, "light")
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(50)
    assert _background(app_page) < 0.2
    shoot(page, "dark")
