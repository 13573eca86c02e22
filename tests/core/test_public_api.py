"""The public surface of chatroutes_core: the error tree (the ``__all__`` order: tests/test_packages.py)."""

from __future__ import annotations

from typing import Any

import pytest

import chatroutes_core


def test_error_tree_matches_the_contract() -> None:
    c = chatroutes_core
    for status_error in (
        c.ValidationError, c.AuthenticationError, c.PermissionDeniedError, c.NotFoundError,
        c.ConflictError, c.PayloadTooLargeError, c.RateLimitError, c.ServerError,
    ):  # fmt: skip
        assert issubclass(status_error, c.APIStatusError)
    assert issubclass(c.APITimeoutError, c.APIConnectionError)
    assert c.NetworkError is c.APIConnectionError
    for direct in (
        c.APIStatusError, c.APIConnectionError, c.APIResponseValidationError,
        c.StreamInterruptedError, c.UsageError,
    ):  # fmt: skip
        assert c.ChatRoutesError in direct.__bases__
    assert issubclass(c.UsageError, ValueError)
    assert c.ConfigurationError.__bases__ == (c.UsageError,)
    assert c.MappingError.__bases__ == (c.UsageError,)
    for mapping in (c.UnsupportedMessageError, c.EmptyTurnError, c.ForeignMessageError):
        assert mapping.__bases__ == (c.MappingError,) and issubclass(mapping, ValueError)


def test_the_tree_in_the_docstring_names_every_error_class() -> None:
    from chatroutes_core import _exceptions

    doc = _exceptions.__doc__ or ""
    for name in _exceptions.__all__:
        if name not in ("NetworkError", "ChatRoutesError"):  # an alias below the tree; the root
            assert f"── {name}" in doc, name
        assert name in chatroutes_core.__all__, name


def test_the_provider_and_the_capability_object_are_public() -> None:
    for name in ("ClientProvider", "ServerInfo", "default_provider", "shared_client", "shared_async_client"):
        assert name in chatroutes_core.__all__


def _bad_core_inputs() -> list[tuple[str, Any]]:
    from chatroutes_core import autobranch, tools
    from chatroutes_core.autobranch._segments import segments
    from chatroutes_core.cli.tree_render import render
    from chatroutes_core.mapper import TipCache

    return [
        ("detect blank text", lambda: autobranch.detect("   ")),
        ("detect threshold out of range", lambda: autobranch.detect("a or b?", threshold=2)),
        ("suggest_branches count 0", lambda: autobranch.suggest_branches("a or b?", suggestions_count=0)),
        ("a tool without a name", lambda: tools.ToolSpec(name=" ")),
        ("not a function declaration", lambda: tools.ToolSpec.from_openai({"type": "function"})),
        (
            "duplicate tool names",
            lambda: tools.render_tools_system([tools.ToolSpec("f"), tools.ToolSpec("f")]),
        ),
        ("tool_choice not declared", lambda: tools.normalize_tool_choice("g", ["f"])),
        ("no tool results", lambda: tools.render_tool_results([])),
        ("tool call id without a message", lambda: tools.tool_call_id("", 0)),
        ("segments limit", lambda: segments("text", 1)),
        ("tip cache size", lambda: TipCache(0)),
        ("tree format", lambda: render(None, "pdf")),  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize(("case", "call"), _bad_core_inputs(), ids=[c for c, _ in _bad_core_inputs()])
def test_bad_input_to_core_functions_is_a_usage_error(case: str, call: Any) -> None:
    # the root of everything the packages raise, and still a ValueError for code that catches that
    with pytest.raises(chatroutes_core.UsageError):
        call()
