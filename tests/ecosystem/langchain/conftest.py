"""Fixtures for the LangChain / LangGraph ecosystem examples: one local server for the folder.

``server`` is a LocalServer whose responder answers a JSON-schema instruction with a conforming object and
otherwise behaves as the offline echo (which also calls a declared tool when the user names it with its
arguments); each test starts with no scripted replies and an empty request log.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _lc_support import SchemaFollowingResponder

from chatroutes_core.testing import LocalServer


@pytest.fixture(scope="session")
def _ecosystem_server() -> Iterator[LocalServer]:
    with LocalServer(responder=SchemaFollowingResponder()) as srv:
        yield srv


@pytest.fixture
def server(_ecosystem_server: LocalServer) -> Iterator[LocalServer]:
    _ecosystem_server.clear_scripts()
    _ecosystem_server.reset_requests()
    yield _ecosystem_server
    _ecosystem_server.clear_scripts()
