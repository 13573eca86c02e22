"""The context window and output limit of each model, for ``ChatRoutes.metadata`` (pure, offline).

The aliases and the dated ids they resolve to are the catalog's (``chatroutes_core._catalog``); the limits
are facts about the provider models, so they are kept here by dated id and every alias gets the limits of
the model it resolves to: a new alias of a known model needs no change here.
"""

from __future__ import annotations

from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW, DEFAULT_NUM_OUTPUTS

from chatroutes_core.integration import MODEL_ALIASES, resolve_model

__all__ = ["MODEL_LIMITS", "limits"]

#: ``dated id -> (context window, max output tokens)``, the providers' published limits.
_BY_ID: dict[str, tuple[int, int]] = {
    "gpt-5-2025-08-07": (400_000, 128_000),
    "claude-opus-4-1-20250805": (200_000, 32_000),
    "claude-opus-4-20250514": (200_000, 32_000),
    "claude-sonnet-4-5-20250929": (200_000, 64_000),
    "claude-sonnet-4-20250514": (200_000, 64_000),
    "claude-3-7-sonnet-20250219": (200_000, 64_000),
    "claude-3-5-haiku-20241022": (200_000, 8_192),
}

#: ``alias -> (context window, max output tokens)`` for each alias of the catalog, derived from the model it
#: resolves to. Names added here are used as given; other names fall back to LlamaIndex's defaults (or
#: ``context_window=``).
MODEL_LIMITS: dict[str, tuple[int, int]] = {
    alias: _BY_ID[model_id] for alias, model_id in MODEL_ALIASES.items() if model_id in _BY_ID
}


def limits(model: str) -> tuple[int, int]:
    """The limits of an alias (resolved by the catalog when called) or a dated id; else LlamaIndex's."""
    found = MODEL_LIMITS.get(model) or _BY_ID.get(resolve_model(model) or model)
    return found or (DEFAULT_CONTEXT_WINDOW, DEFAULT_NUM_OUTPUTS)
