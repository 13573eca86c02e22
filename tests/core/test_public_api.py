"""The public surface of chatroutes_core: the error tree (the ``__all__`` order: tests/test_packages.py)."""

from __future__ import annotations

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
