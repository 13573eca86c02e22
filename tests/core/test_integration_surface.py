"""The integration surface: one public module holds what adapters need (import contracts keep them to it)."""

from __future__ import annotations

import importlib

import pytest

import chatroutes_core.integration as integration


def test_the_surface_is_curated_and_every_name_resolves() -> None:
    exported = list(integration.__all__)
    assert len(exported) == len(set(exported))
    public = [n for n in exported if not n.startswith("_")]
    assert public == sorted(public, key=lambda n: (not n.isupper(), n))
    for name in exported:
        assert getattr(integration, name) is not None, name


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("ClientCall", "chatroutes_core.flows"),
        ("run", "chatroutes_core.flows"),
        ("read_branch", "chatroutes_core.resources._history"),
        ("ClientSettings", "chatroutes_core._settings"),
        ("shared_client", "chatroutes_core._provider"),
        ("check_id", "chatroutes_core._http.request"),
    ],
)
def test_the_surface_re_exports_the_objects_themselves(name: str, home: str) -> None:
    assert getattr(integration, name) is getattr(importlib.import_module(home), name)


def test_the_error_module_is_the_whole_tree() -> None:
    from chatroutes_core import _exceptions, errors

    assert errors.__all__ == _exceptions.__all__
    assert all(getattr(errors, n) is getattr(_exceptions, n) for n in errors.__all__)
