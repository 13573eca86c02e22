"""Small shared types: the ``NOT_GIVEN`` sentinel, timeouts, and the branch context modes.

Resource methods also accept the official SDK's camelCase dict as their ``params`` argument. Its keys are
the camelCase spelling of the method's keyword arguments (``max_tokens`` is ``maxTokens``), a snake_case key
works too, and any other key is passed through to the API unchanged (see ``_request.build_body``), so the
keyword signature is the one list of what a call understands.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, Union

import httpx
from typing_extensions import final

__all__ = ["DEFAULT_TIMEOUT", "NOT_GIVEN", "ContextMode", "NotGiven", "Timeout"]


@final
class NotGiven:
    """Marks an argument the caller did not pass (distinct from an explicit ``None``)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()

Timeout: TypeAlias = Union[float, httpx.Timeout, None]  # noqa: UP007 (a runtime alias on 3.10)
"""Seconds for every phase, an ``httpx.Timeout``, or ``None`` for no timeout."""

# Connect fails fast; read is the longest allowed gap between two received chunks (not the whole call),
# so a stream that keeps sending never times out (same default as the Stainless SDKs).
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)

ContextMode = Literal["FULL", "PARTIAL", "MINIMAL"]
"""How much of the parent's history a new branch carries (the local server's: docs/local-server.md)."""
