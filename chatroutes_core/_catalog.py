"""The model catalog: the default model and the aliases the ChatRoutes API accepts.

One place for both, so the client's defaults, the local server's validation, `CompareModels` and the
command line agree. The hosted API resolves each alias to a dated provider id (`gpt-5` ->
`gpt-5-2025-08-07`); the local server does the same.
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Final

DEFAULT_MODEL: Final = "gpt-5"
"""The model used when none is given."""

MODEL_ALIASES: Final = MappingProxyType(
    {
        "gpt-5": "gpt-5-2025-08-07",
        "claude-opus-4-1": "claude-opus-4-1-20250805",
        "claude-opus-4": "claude-opus-4-20250514",
        "claude-opus-4-0": "claude-opus-4-20250514",
        "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-0": "claude-sonnet-4-20250514",
        "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
        "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    }
)
"""Each supported alias and the dated provider id it resolves to (read-only)."""

SUPPORTED_MODELS: Final[tuple[str, ...]] = tuple(MODEL_ALIASES)
"""The supported model aliases, in catalog order."""


def resolve_model(name: str) -> str | None:
    """The dated id `name` resolves to, or None when the catalog does not know it."""
    return MODEL_ALIASES.get(name)


EXTRA_MODELS_ENV: Final = "CHATROUTES_EXTRA_MODELS"
"""Environment variable listing model names the catalog does not know yet (comma-separated).

The hosted catalogue grows faster than this package: set ``CHATROUTES_EXTRA_MODELS=gpt-6,my-model`` to
send such a name without upgrading. The variable is read on every check, so a test or a notebook can set it.
"""


def extra_models() -> frozenset[str]:
    """The names allowed through ``CHATROUTES_EXTRA_MODELS`` (blank entries ignored)."""
    raw = os.environ.get(EXTRA_MODELS_ENV, "")
    return frozenset(name.strip() for name in raw.split(",") if name.strip())


def is_known_model(name: str) -> bool:
    """True for a catalog alias, a dated id an alias resolves to, or a name in ``CHATROUTES_EXTRA_MODELS``."""
    return name in MODEL_ALIASES or name in _DATED_IDS or name in extra_models()


_DATED_IDS: Final = frozenset(MODEL_ALIASES.values())


def check_model(name: str) -> str:
    """`name` if the catalog knows it (see `is_known_model`), else an `UnsupportedModelError` that lists the
    supported names and says how to pass a new one. Raised before any request."""
    from ._exceptions import UnsupportedModelError

    if not isinstance(name, str) or not is_known_model(name):
        raise UnsupportedModelError([name])
    return name
