"""The model catalog is the one source of the default model and the supported aliases."""

from __future__ import annotations

import pytest

import chatroutes_core
from chatroutes_core import _catalog


def test_default_model_is_supported_and_exported() -> None:
    assert chatroutes_core.DEFAULT_MODEL == "gpt-5"
    assert chatroutes_core.DEFAULT_MODEL in chatroutes_core.SUPPORTED_MODELS
    assert tuple(_catalog.MODEL_ALIASES) == chatroutes_core.SUPPORTED_MODELS


def test_aliases_resolve_to_dated_ids_and_unknown_names_to_none() -> None:
    assert _catalog.resolve_model("claude-sonnet-4-5") == "claude-sonnet-4-5-20250929"
    assert _catalog.resolve_model("gpt-4") is None
    with pytest.raises(TypeError):
        _catalog.MODEL_ALIASES["gpt-4"] = "x"  # type: ignore[index]


def test_the_server_validates_models_with_the_same_catalog() -> None:
    pytest.importorskip("fastapi")
    from chatroutes_core import server

    assert server.MODEL_ALIASES is _catalog.MODEL_ALIASES
