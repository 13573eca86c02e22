"""Fixtures for the explorer's browser tests: a LocalServer, the explorer beside it, and headless Chromium.

All module-scoped: Playwright's sync API keeps an event loop current while it runs, which would break the
asyncio tests that follow if it stayed up for the whole session (and the one-time token signs in once, so
each module gets its own explorer).

A missing Chromium (or Playwright) is a skip that says how to install it, except under ``CI=true``, where
it fails: CI must run these tests (``.ci/run`` installs Chromium first).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from _browser_support import INSTALL_HINT, ExplorerServer, Seed, chromium_path, launch

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[dev]'; " + INSTALL_HINT)
    if chromium_path() is None:
        _missing(INSTALL_HINT)
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="module")
def browser(playwright_api: Any) -> Iterator[Any]:
    chromium = launch(playwright_api)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def explorer_stack() -> Iterator[tuple[LocalServer, ExplorerServer]]:
    srv = LocalServer().start()
    explorer = ExplorerServer(srv).start()
    yield srv, explorer
    explorer.stop()
    srv.stop()
    srv.close()


@pytest.fixture
def srv(explorer_stack: tuple[LocalServer, ExplorerServer]) -> LocalServer:
    return explorer_stack[0]


@pytest.fixture
def explorer(explorer_stack: tuple[LocalServer, ExplorerServer]) -> ExplorerServer:
    return explorer_stack[1]


@pytest.fixture
def seed(srv: LocalServer) -> Iterator[Seed]:
    writer = Seed(srv)
    yield writer
    writer.close()


class Page:
    """A page of the signed-in browser context, and what it must never do: run injected script, open a
    dialog, throw, break the CSP, or get a 5xx from the explorer."""

    def __init__(self, page: Any, explorer: ExplorerServer) -> None:
        self.page = page
        self.explorer = explorer
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, msg: Any) -> None:
        # a failed request is judged by _response (a 4xx the test provoked is fine; a 5xx is not)
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {msg.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 500 and not getattr(self, "allow_5xx", False):
            self.errors.append(f"{response.status} from {response.url}")

    def open(self, path: str = "/") -> Any:
        """Go to ``path`` (the context is signed in already) and wait for the page to start."""
        self.page.goto(self.explorer.url + path)
        self.page.wait_for_function("() => window.__explorer && window.__explorer.state.session")
        return self.page

    def wait_shown(self, count: int = 1) -> None:
        self.page.wait_for_function(f"() => window.__explorer.shown >= {count}")

    def pwned(self) -> Any:
        return self.page.evaluate("() => window.__pwned")


@pytest.fixture(scope="module")
def signed_in(browser: Any, explorer_stack: tuple[LocalServer, ExplorerServer]) -> Iterator[Any]:
    """One browser context signed in through the one-time link (the token works once, as it must)."""
    context = browser.new_context(viewport={"width": 1400, "height": 850})
    context.add_init_script("window.__pwned = 0;")
    page = context.new_page()
    page.goto(explorer_stack[1].link())
    page.wait_for_function("() => window.__explorer && window.__explorer.state.session")
    page.close()
    yield context
    context.close()


@pytest.fixture
def app_page(signed_in: Any, explorer: ExplorerServer) -> Iterator[Page]:
    page = Page(signed_in.new_page(), explorer)
    page.page.set_default_timeout(10_000)
    yield page
    page.page.close()
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"
    assert page.errors == [], f"errors in the page: {page.errors}"
