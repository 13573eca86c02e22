"""The curated public surface of chatroutes_core."""

from __future__ import annotations

import chatroutes_core


def test_all_is_sorted_and_importable() -> None:
    names = chatroutes_core.__all__

    def isort_style(name: str) -> tuple[int, str]:  # ruff RUF022: CONSTANTS, then Classes, then the rest
        return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)

    assert list(names) == sorted(names, key=isort_style)
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(chatroutes_core, name), name


def test_error_tree_matches_the_contract() -> None:
    c = chatroutes_core
    for status_error in (
        c.ValidationError, c.AuthenticationError, c.PermissionDeniedError, c.NotFoundError,
        c.ConflictError, c.RateLimitError, c.ServerError,
    ):  # fmt: skip
        assert issubclass(status_error, c.APIStatusError)
    assert issubclass(c.APITimeoutError, c.APIConnectionError)
    assert c.NetworkError is c.APIConnectionError
    for direct in (
        c.APIStatusError, c.APIConnectionError, c.APIResponseValidationError,
        c.StreamInterruptedError, c.ConfigurationError,
    ):  # fmt: skip
        assert issubclass(direct, c.ChatRoutesError)
    assert issubclass(c.ConfigurationError, ValueError)
