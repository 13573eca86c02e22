"""Issue 26, point 4 in Chromium: fork here and send, edit, regenerate (streamed into the page); rename,
merge, delete (confirmed) and checkpoint a branch; a failed action shows its error and keeps the text."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from _browser_support import Seed
from conftest import Page
from playwright.sync_api import expect

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture
def slow_tokens(srv: LocalServer) -> Iterator[None]:
    srv.set_token_delay(0.04)
    yield
    srv.set_token_delay(0.0)


def _conv(seed: Seed) -> tuple[str, str, list[str]]:
    return seed.conversation(f"actions {uuid.uuid4().hex[:8]}", ["first question", "second question"])


def _article(page: Page, mid: str) -> object:
    return page.page.locator(f"#transcript article.msg[data-mid='{mid}']")


def test_fork_here_and_send_streams_the_reply_into_the_page(
    app_page: Page, seed: Seed, slow_tokens: None
) -> None:
    cid, _main, ids = _conv(seed)
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    _article(app_page, ids[1]).locator("[data-action=fork]").click()
    expect(page.locator("#composer-mode")).to_contain_text("Fork")
    page.fill("#fork-title", "forked from the page")
    page.fill("#content", "a question on a new branch")
    page.click("#send")
    # the reply streams: partial text is in the page before the reply is complete
    streaming = page.locator("#transcript article.msg.streaming .text")
    page.wait_for_function(
        "() => { const t = document.querySelector('#transcript article.msg.streaming .text');"
        " return t && t.textContent.length > 0; }"
    )
    partial = streaming.text_content() or ""
    page.wait_for_url(f"**/c/{cid}/b/**")
    expect(page.locator("#transcript article.msg.streaming")).to_have_count(0)
    expect(page.locator("#branch-title")).to_have_text("forked from the page")
    own = page.locator("#transcript article.msg:not(.inherited)")
    expect(own).to_have_count(2)
    expect(own.nth(0)).to_contain_text("a question on a new branch")
    final = own.nth(1).locator(".text").text_content() or ""
    assert partial and len(final) > len(partial) and final.startswith(partial)
    expect(page.locator("#transcript article.msg.inherited")).to_have_count(2)
    assert page.locator("#content").input_value() == ""


def test_edit_forks_at_the_parent_and_regenerate_asks_again(app_page: Page, seed: Seed) -> None:
    cid, main, ids = _conv(seed)
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    _article(app_page, ids[2]).locator("[data-action=edit]").click()
    assert page.locator("#content").input_value() == "second question"
    page.fill("#content", "second question, edited")
    page.click("#send")
    page.wait_for_url(f"**/c/{cid}/b/**")
    edited = page.url.split("/b/")[1].split("/")[0]
    assert edited != main
    items = page.locator("#transcript article.msg")
    expect(items).to_have_count(4)
    expect(page.locator("#transcript article.msg.inherited")).to_have_count(2)
    expect(items.nth(2)).to_contain_text("second question, edited")

    page.goto(f"{app_page.explorer.url}/c/{cid}/b/{main}")
    app_page.wait_shown()
    _article(app_page, ids[3]).locator("[data-action=regenerate]").click()
    page.wait_for_function(
        f"() => !location.pathname.includes('/b/{main}') && location.pathname.includes('/b/')"
    )
    app_page.wait_shown(2)
    items = page.locator("#transcript article.msg")
    expect(items).to_have_count(4)
    expect(items.nth(2)).to_contain_text("second question")
    assert page.url.split("/b/")[1].split("/")[0] not in (main, edited)
    expect(page.locator("#branches li.branch")).to_have_count(3)


def test_rename_merge_delete_with_confirmation_and_checkpoint(app_page: Page, seed: Seed) -> None:
    cid, _main, ids = _conv(seed)
    keep = seed.fork(cid, ids[1], "to merge", ["merge me"])
    drop = seed.fork(cid, ids[1], "to delete", ["delete me"])
    page = app_page.open(f"/c/{cid}/b/{keep}")
    app_page.wait_shown()

    page.click("#rename")
    page.fill("#dialog-input", "renamed in the page")
    page.click("#dialog-ok")
    expect(page.locator(f"li.branch[data-bid='{keep}'] .btitle")).to_have_text("renamed in the page")
    assert {b.id: b.title for b in seed.client.branches.list(cid)}[keep] == "renamed in the page"

    page.click("#checkpoint")
    expect(page.locator(f"li.branch[data-bid='{keep}'] .badge.ckpt")).to_have_text("◆1")

    page.click("#merge")
    expect(page.locator("#dialog-text")).to_contain_text("renamed in the page")
    page.click("#dialog-ok")
    expect(page.locator(f"li.branch[data-bid='{keep}'] .badge.merged")).to_be_visible()

    page.goto(f"{app_page.explorer.url}/c/{cid}/b/{drop}")
    app_page.wait_shown()
    page.click("#delete")
    expect(page.locator("#dialog-text")).to_contain_text("to delete")
    page.click("#dialog-cancel")  # cancelled: nothing deleted
    expect(page.locator(f"li.branch[data-bid='{drop}']")).to_have_count(1)
    assert any(b.id == drop for b in seed.client.branches.list(cid))
    page.click("#delete")
    page.click("#dialog-ok")
    expect(page.locator(f"li.branch[data-bid='{drop}']")).to_have_count(0)
    page.wait_for_url(f"**/c/{cid}")
    assert all(b.id != drop for b in seed.client.branches.list(cid))


def test_a_failed_send_shows_the_error_and_keeps_the_text(
    app_page: Page, seed: Seed, srv: LocalServer
) -> None:
    cid, _main, _ids = _conv(seed)
    page = app_page.open(f"/c/{cid}")
    app_page.wait_shown()
    srv.inject(400, path="messages", message="the model refused this on purpose")
    page.fill("#content", "text I typed and must not lose")
    page.click("#send")
    expect(page.locator("#composer-error")).to_contain_text("refused this on purpose")
    assert page.locator("#content").input_value() == "text I typed and must not lose"
    expect(page.locator("#transcript article.msg")).to_have_count(4)
    expect(page.locator("#send")).to_be_enabled()
    # the same text sends once the API accepts it
    page.click("#send")
    expect(page.locator("#transcript article.msg")).to_have_count(6)
    assert page.locator("#content").input_value() == ""
