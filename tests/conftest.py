"""Test-wide policy: sockets are blocked, except loopback for tests that use a LocalServer.

A test that asks for the ``local_server`` or ``fresh_server`` fixture, or is marked ``integration``, may
connect to 127.0.0.1 / ::1 / localhost only; every other test runs with sockets disabled (pytest-socket).
A test that starts a ``LocalServer`` itself gets loopback from it (``LocalServer.start`` lifts the block for
loopback only), and while any LocalServer is running every test may reach loopback (a session-scoped server
made by a fixture of any name is then reachable). Nothing ever reaches beyond loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from chatroutes_core.testing import LocalServer

LOOPBACK = ["127.0.0.1", "::1", "localhost"]
SERVER_FIXTURES = {"local_server", "fresh_server", "slow_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVER_FIXTURES or item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.allow_hosts(LOOPBACK))


@pytest.fixture(autouse=True)
def _loopback_while_a_local_server_runs() -> None:
    from chatroutes_core.testing import running_servers

    if running_servers():
        from pytest_socket import enable_socket, socket_allow_hosts

        enable_socket()
        socket_allow_hosts(LOOPBACK, allow_unix_socket=True)


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalServer]:
    """One LocalServer for the whole session (temporary SQLite file, loopback, free port)."""
    from chatroutes_core.testing import LocalServer

    with LocalServer() as srv:
        yield srv


@pytest.fixture
def fresh_server() -> Iterator[LocalServer]:
    """A LocalServer of its own, for tests that set latency, token delays or faults."""
    from chatroutes_core.testing import LocalServer

    with LocalServer() as srv:
        yield srv
