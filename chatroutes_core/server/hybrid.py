"""Hybrid AutoBranch on the local server: the pattern detector, plus the upstream model when there is one.

With ``hybridDetection: true`` and an upstream model (``chatroutes serve --responder openai``), the server
asks the upstream for branch points with the fixed prompt ``chatroutes_core.autobranch.DETECTION_PROMPT``
(the text is the user message, temperature 0), through the same responder, so the same upstream URL, model,
key and timeout, as replies. The answer is checked against the text (each span exists and
``text[start:end] == triggerText``; other points are dropped and counted) and merged with the pattern result
(the pattern's suggestion stays where both found the same place). The metadata says what happened:

- ``detectionMethod: "hybrid"``, ``modelUsed: <upstream model>``, ``modelBranchPoints`` (kept),
  ``modelRejected`` (dropped) when the upstream answered;
- ``detectionMethod: "pattern"``, ``modelUsed: null``, ``hybridRequested: true`` and ``hybridFallback``
  (the reason) when there is no upstream, or it failed, answered too slowly (``CHATROUTES_HYBRID_TIMEOUT``
  seconds, default 20) or answered something that is not the JSON asked for. Never a 5xx.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from chatroutes_core.autobranch import (
    DETECTION_PROMPT,
    ModelAnswerError,
    Suggestion,
    detect,
    merge_points,
    model_points,
)

from .context import ChatTurn
from .responders import OpenAICompatibleResponder, Responder, ResponderError, ResponderRequest

__all__ = ["HYBRID_TIMEOUT", "NO_UPSTREAM", "hybrid_suggest"]

HYBRID_TIMEOUT = 20.0
NO_UPSTREAM = "no upstream model: start the server with --responder openai for hybrid detection"
_ALL = 50  # every pattern point, before the count is applied


def _timeout() -> float:
    try:
        value = float(os.environ.get("CHATROUTES_HYBRID_TIMEOUT", HYBRID_TIMEOUT))
    except ValueError:
        return HYBRID_TIMEOUT
    return value if value > 0 else HYBRID_TIMEOUT


async def _ask(responder: Responder, model: str, text: str) -> str:
    request = ResponderRequest(
        model=model,
        resolved_model=model,
        messages=[ChatTurn("system", DETECTION_PROMPT), ChatTurn("user", text)],
        branch_title="autobranch",
        turn=1,
        prior_count=0,
        temperature=0.0,
    )
    return "".join([piece async for piece in responder.stream(request)])


async def hybrid_suggest(
    text: str, *, threshold: float, suggestions_count: int, responder: Responder
) -> dict[str, Any]:
    """The ``SuggestBranchesResponse`` of a hybrid request (see the module docstring)."""
    pattern = detect(text, threshold=threshold, suggestions_count=_ALL)
    if not isinstance(responder, OpenAICompatibleResponder):
        return _pattern_only(pattern, suggestions_count, NO_UPSTREAM)
    model = responder.upstream_model
    try:
        answer = await asyncio.wait_for(_ask(responder, model, text), _timeout())
        points, rejected = model_points(text, answer)
    except TimeoutError:
        return _pattern_only(
            pattern, suggestions_count, f"the upstream model did not answer in {_timeout():g} s"
        )
    except ModelAnswerError as exc:
        return _pattern_only(pattern, suggestions_count, f"the upstream model's answer was unusable: {exc}")
    except Exception as exc:  # a broken upstream never makes this route fail
        return _pattern_only(pattern, suggestions_count, f"the upstream model failed: {_reason(exc)}")
    found = [p for p in points if p.confidence >= threshold]
    merged = merge_points(pattern, found, suggestions_count=_ALL)
    return {
        "suggestions": [s.to_wire() for s in merged[:suggestions_count]],
        "metadata": {
            "detectionMethod": "hybrid",
            "totalBranchPointsFound": len(merged),
            "modelUsed": model,
            "modelBranchPoints": len(found),
            "modelRejected": rejected,
        },
    }


def _reason(exc: Exception) -> str:
    # A ResponderError's message is written for clients (status code or exception type, never a key).
    return str(exc) if isinstance(exc, ResponderError) else type(exc).__name__


def _pattern_only(pattern: list[Suggestion], suggestions_count: int, reason: str) -> dict[str, Any]:
    return {
        "suggestions": [s.to_wire() for s in pattern[:suggestions_count]],
        "metadata": {
            "detectionMethod": "pattern",
            "totalBranchPointsFound": len(pattern),
            "modelUsed": None,
            "hybridRequested": True,
            "hybridFallback": reason,
        },
    }
