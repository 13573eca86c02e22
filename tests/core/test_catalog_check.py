"""`check_model`: the catalog's aliases and dated ids pass, other names are an `UnsupportedModelError`
unless listed in ``CHATROUTES_EXTRA_MODELS``."""

from __future__ import annotations

import pytest

from chatroutes_core import (
    EXTRA_MODELS_ENV,
    SUPPORTED_MODELS,
    UnsupportedModelError,
    check_model,
    is_known_model,
)
from chatroutes_core._catalog import MODEL_ALIASES


@pytest.mark.parametrize("name", [*SUPPORTED_MODELS, *MODEL_ALIASES.values()])
def test_catalog_names_pass(name: str) -> None:
    assert check_model(name) == name


def test_unknown_name_lists_the_catalog_and_the_escape_hatch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EXTRA_MODELS_ENV, raising=False)
    with pytest.raises(UnsupportedModelError) as info:
        check_model("gpt-4o")
    message = str(info.value)
    assert "'gpt-4o'" in message and "claude-sonnet-4-5" in message and EXTRA_MODELS_ENV in message
    assert info.value.unknown == ["gpt-4o"]


def test_extra_models_env_lets_a_new_name_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_MODELS_ENV, " gpt-6 , ,my-model")
    assert check_model("gpt-6") == "gpt-6"
    assert is_known_model("my-model")
    assert not is_known_model("")
    with pytest.raises(UnsupportedModelError):
        check_model("gpt-7")
