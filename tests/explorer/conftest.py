"""Fixtures for the explorer: a LocalServer with an explorer (poll and push) in front of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from explorer_helpers import ExplorerThread, explorer_for

from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api_server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def explorer(api_server: LocalServer) -> Iterator[ExplorerThread]:
    """The explorer (polling) against ``api_server``, served on loopback."""
    thread = ExplorerThread(explorer_for(api_server)).start()
    yield thread
    thread.stop()


@pytest.fixture
def push_explorer(api_server: LocalServer) -> Iterator[ExplorerThread]:
    """The explorer fed by ``api_server``'s change feed (as mounted by ``chatroutes serve``)."""
    thread = ExplorerThread(explorer_for(api_server, push=True)).start()
    yield thread
    thread.stop()
