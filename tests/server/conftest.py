"""Fixtures for the local server tests: envelope-checking httpx clients bound to a LocalServer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_helpers import Api

from chatroutes_core.testing import LocalServer


@pytest.fixture
def api(local_server: LocalServer) -> Iterator[Api]:
    client = Api(local_server)
    yield client
    client.close()


@pytest.fixture
def fresh_api(fresh_server: LocalServer) -> Iterator[Api]:
    client = Api(fresh_server)
    yield client
    client.close()
