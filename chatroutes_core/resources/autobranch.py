"""``client.autobranch``: suggest_branches, analyze_text, health (rows 24-25)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from .._http.request import Call, CallOptions, build_body, require
from .._types import NOT_GIVEN, NotGiven, Timeout
from ..models import HealthStatus, SuggestBranchesResponse
from ._base import AsyncAPIResource, SyncAPIResource, one, text_or_params

__all__ = ["AsyncAutoBranch", "AutoBranch"]

_DEFAULTS = {"suggestionsCount": 3, "hybridDetection": False, "threshold": 0.7}


def _suggest(
    params: Mapping[str, Any] | str | None, key: str | None, **fields: Any
) -> Call[SuggestBranchesResponse]:
    body = {**_DEFAULTS, **build_body(text_or_params(params, "text"), **fields)}
    require(body, "text")
    return Call.make(
        "POST",
        "/autobranch/suggest-branches",
        one(SuggestBranchesResponse, None),
        body=body,
        idempotency_key=key,
    )


def suggest_branches(
    params: Mapping[str, Any] | str | None = None,
    suggestions_count: int | None = None,
    hybrid_detection: bool | None = None,
    threshold: float | None = None,
    llm_model: str | None = None,
    llm_provider: str | None = None,
    llm_api_key: str | None = None,
    *,
    text: str | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[SuggestBranchesResponse]:
    return _suggest(
        params, idempotency_key, text=text, suggestions_count=suggestions_count,
        hybrid_detection=hybrid_detection, threshold=threshold, llm_model=llm_model,
        llm_provider=llm_provider, llm_api_key=llm_api_key,
    ).with_options(**options)  # fmt: skip


def analyze_text(
    text: str,
    suggestions_count: int = 3,
    hybrid_detection: bool = False,
    threshold: float = 0.7,
    llm_model: str | None = None,
    *,
    llm_provider: str | None = None,
    llm_api_key: str | None = None,
    idempotency_key: str | None = None,
    **options: Unpack[CallOptions],
) -> Call[SuggestBranchesResponse]:
    call = _suggest(
        None, idempotency_key, text=text, suggestions_count=suggestions_count,
        hybrid_detection=hybrid_detection, threshold=threshold, llm_model=llm_model,
        llm_provider=llm_provider, llm_api_key=llm_api_key,
    )  # fmt: skip
    return call.with_options(**options)


def health(
    **options: Unpack[CallOptions],
) -> Call[HealthStatus]:
    call = Call.make("GET", "/autobranch/health", one(HealthStatus, None))
    return call.with_options(**options)


# fmt: off
class AsyncAutoBranch(AsyncAPIResource):
    """AutoBranch (asynchronous)."""

    async def suggest_branches(self, params: Mapping[str, Any] | str | None = None,
            suggestions_count: int | None = None, hybrid_detection: bool | None = None,
            threshold: float | None = None, llm_model: str | None = None, llm_provider: str | None = None,
            llm_api_key: str | None = None, *, text: str | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> SuggestBranchesResponse:
        """Find places in ``text`` where a conversation could branch.

        Defaults: ``suggestions_count=3``, ``hybrid_detection=False``, ``threshold=0.7``. Also callable as in
        the official SDK: ``suggest_branches(text, suggestions_count, ...)``.
        """
        return await self._transport.send(suggest_branches(params, suggestions_count, hybrid_detection,
            threshold, llm_model, llm_provider, llm_api_key, text=text, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    async def analyze_text(self, text: str, suggestions_count: int = 3, hybrid_detection: bool = False,
            threshold: float = 0.7, llm_model: str | None = None, *, llm_provider: str | None = None,
            llm_api_key: str | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> SuggestBranchesResponse:
        """Same as :meth:`suggest_branches` with the official SDK's positional signature."""
        return await self._transport.send(analyze_text(text, suggestions_count, hybrid_detection, threshold,
            llm_model, llm_provider=llm_provider, llm_api_key=llm_api_key, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    async def health(self, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> HealthStatus:
        """The AutoBranch service status."""
        return await self._transport.send(health(timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))


# --- the sync twin below is generated from the class above (resources/_unasync.py): do not edit
# fmt: off
class AutoBranch(SyncAPIResource):
    """AutoBranch (synchronous)."""

    def suggest_branches(self, params: Mapping[str, Any] | str | None = None,
            suggestions_count: int | None = None, hybrid_detection: bool | None = None,
            threshold: float | None = None, llm_model: str | None = None, llm_provider: str | None = None,
            llm_api_key: str | None = None, *, text: str | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> SuggestBranchesResponse:
        """Find places in ``text`` where a conversation could branch.

        Defaults: ``suggestions_count=3``, ``hybrid_detection=False``, ``threshold=0.7``. Also callable as in
        the official SDK: ``suggest_branches(text, suggestions_count, ...)``.
        """
        return self._transport.send(suggest_branches(params, suggestions_count, hybrid_detection,
            threshold, llm_model, llm_provider, llm_api_key, text=text, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    def analyze_text(self, text: str, suggestions_count: int = 3, hybrid_detection: bool = False,
            threshold: float = 0.7, llm_model: str | None = None, *, llm_provider: str | None = None,
            llm_api_key: str | None = None, idempotency_key: str | None = None,
            timeout: Timeout | NotGiven = NOT_GIVEN, extra_headers: Mapping[str, str] | None = None,
            extra_body: Mapping[str, Any] | None = None) -> SuggestBranchesResponse:
        """Same as :meth:`suggest_branches` with the official SDK's positional signature."""
        return self._transport.send(analyze_text(text, suggestions_count, hybrid_detection, threshold,
            llm_model, llm_provider=llm_provider, llm_api_key=llm_api_key, idempotency_key=idempotency_key,
            timeout=timeout, extra_headers=extra_headers, extra_body=extra_body))

    def health(self, *, timeout: Timeout | NotGiven = NOT_GIVEN,
            extra_headers: Mapping[str, str] | None = None, extra_body: Mapping[str, Any] | None = None
        ) -> HealthStatus:
        """The AutoBranch service status."""
        return self._transport.send(health(timeout=timeout, extra_headers=extra_headers,
            extra_body=extra_body))
