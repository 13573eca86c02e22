"""The curated public surface of chatroutes_core."""

from __future__ import annotations

import chatroutes_core


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
    # bad input found before any request: one branch of the tree, also a ValueError
    for usage in (c.ConfigurationError, c.MappingError, c.UnsupportedMessageError, c.EmptyTurnError,
                  c.ForeignMessageError):  # fmt: skip
        assert issubclass(usage, c.UsageError) and issubclass(usage, ValueError)
    assert issubclass(c.UsageError, c.ChatRoutesError)
    assert issubclass(c.PayloadTooLargeError, c.APIStatusError)
