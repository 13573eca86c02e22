"""The model catalog: the default model and the aliases the ChatRoutes API accepts.

One place for both, so the client's defaults, the local server's validation, `CompareModels` and the
command line agree. The hosted API resolves each alias to a dated provider id (`gpt-5` ->
`gpt-5-2025-08-07`); the local server does the same.
"""

from __future__ import annotations

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
