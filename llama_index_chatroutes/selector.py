"""``AutoBranchSelector``: a LlamaIndex selector driven by AutoBranch (deterministic unless given an LLM).

A drop-in ``selector=`` for ``RouterQueryEngine`` and ``RouterRetriever``. The query is cut into parts by
AutoBranch (each intent, alternative or list item; the whole query when it has one intent), and each part
selects the choice whose name and description share the most content words with it. A query with two
intents can therefore select two engines. With ``detector="local"`` no prompt, no JSON parsing, same
answer every time; with ``detector=<any LlamaIndex LLM>`` the LLM finds the parts (one
``structured_predict`` call per selection, the fixed ``DETECTION_PROMPT``, spans checked against the query,
the offline patterns as the fallback; each selection's reason names who decided).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from llama_index.core.base.base_selector import BaseSelector, SelectorResult, SingleSelection
from llama_index.core.llms import LLM, ChatMessage
from llama_index.core.prompts import ChatPromptTemplate
from llama_index.core.prompts.mixin import PromptDictType
from llama_index.core.schema import QueryBundle
from llama_index.core.tools.types import ToolMetadata
from pydantic import BaseModel

from chatroutes_core.autobranch import DETECTION_PROMPT, ModelDetection, from_model
from chatroutes_core.autobranch import detect as local_detect
from chatroutes_core.errors import UsageError
from chatroutes_core.integration import RouteSuggestion, normalize_suggestion, parts_of, score_route

__all__ = ["AutoBranchSelector"]


class _BranchPoint(BaseModel):
    kind: str
    title: str
    triggerText: str  # the JSON field name the prompt asks for
    start: int
    end: int
    confidence: float = 0.8


class _BranchPoints(BaseModel):
    """The answer ``DETECTION_PROMPT`` asks for (``DETECTION_SCHEMA`` as a pydantic class)."""

    branchPoints: list[_BranchPoint]


_PROMPT = ChatPromptTemplate(
    message_templates=[
        ChatMessage(role="system", content=DETECTION_PROMPT),
        ChatMessage(role="user", content="{text}"),
    ]
)


class AutoBranchSelector(BaseSelector):
    """Selects one or several choices by AutoBranch parts and word overlap; deterministic, no LLM.

    Args:
        detector: ``"local"`` (the offline detector, no network), ``"api"``
            (``client.autobranch.suggest_branches``), or any LlamaIndex ``LLM`` (one structured-output call
            per selection; the offline patterns when it fails or no span it gives matches the query).
        client: Sync ``ChatRoutesClient`` for ``detector="api"`` (default: built from the environment).
        async_client: Async client for ``aselect`` with ``detector="api"`` (default: one per call).
        threshold: Suggestions below this confidence are ignored.
        max_outputs: The most choices selected (``None``: every choice some part matched; 1: single).
        min_score: The lowest match score that counts.
        fallback: Select the best-scoring choice even when nothing reaches ``min_score`` (the first choice
            on a tie), so a router always has an engine; ``False`` returns no selection instead.

    Example:
        >>> from llama_index.core.query_engine import CustomQueryEngine, RouterQueryEngine
        >>> from llama_index.core.tools import QueryEngineTool
        >>> from llama_index_chatroutes import ChatRoutes
        >>> class Team(CustomQueryEngine):  # stands in for any query engine
        ...     team: str
        ...     def custom_query(self, query_str):
        ...         return f"{self.team}: {query_str}"
        >>> tools = [QueryEngineTool.from_defaults(Team(team=name), name=name, description=description)
        ...          for name, description in [("billing", "invoices, refunds, payments"),
        ...                                    ("tech", "technical questions about the API and SDK")]]
        >>> engine = RouterQueryEngine(
        ...     selector=AutoBranchSelector(max_outputs=1), query_engine_tools=tools, llm=ChatRoutes())
        >>> str(engine.query("I was charged twice on my invoice"))
        'billing: I was charged twice on my invoice'
        >>> query = "I need help with billing and also have a technical question about the API"
        >>> [s.index for s in AutoBranchSelector().select([t.metadata for t in tools], query).selections]
        [0, 1]
    """

    def __init__(
        self,
        detector: Literal["local", "api"] | LLM = "local",
        client: Any = None,
        *,
        async_client: Any = None,
        threshold: float = 0.7,
        max_outputs: int | None = None,
        min_score: float = 0.1,
        fallback: bool = True,
    ) -> None:
        if not isinstance(detector, LLM) and detector not in ("local", "api"):
            raise UsageError(f"detector must be 'local', 'api' or a LlamaIndex LLM, got {detector!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
            raise UsageError(f"threshold must be a number between 0 and 1, got {threshold!r}")
        if max_outputs is not None and (
            isinstance(max_outputs, bool) or not isinstance(max_outputs, int) or max_outputs < 1
        ):
            raise UsageError(f"max_outputs must be a positive integer or None, got {max_outputs!r}")
        self.detector = detector
        self.client = client
        self.async_client = async_client
        self.threshold = float(threshold)
        self.max_outputs = max_outputs
        self.min_score = min_score
        self.fallback = fallback

    def __repr__(self) -> str:
        return (
            f"AutoBranchSelector(detector={self.detector!r}, threshold={self.threshold}, "
            f"max_outputs={self.max_outputs})"
        )

    # --- PromptMixin: no prompts -------------------------------------------------------------------

    def _get_prompts(self) -> PromptDictType:
        return {}

    def _update_prompts(self, prompts_dict: PromptDictType) -> None:
        return None

    # --- selection ---------------------------------------------------------------------------------

    def _select(self, choices: Sequence[ToolMetadata], query: QueryBundle) -> SelectorResult:
        text = _query_text(query)
        if isinstance(self.detector, LLM):
            try:
                answer: object = self.detector.structured_predict(_BranchPoints, _PROMPT, text=text)
            except Exception as exc:  # the patterns stand in for a failing LLM
                answer = exc
            return self._choose_detected(choices, text, answer)
        if self.detector == "local":
            found: Sequence[Any] = local_detect(text, threshold=self.threshold, suggestions_count=5)
        else:
            found = (
                self._sync_client()
                .autobranch.suggest_branches(text=text, threshold=self.threshold, suggestions_count=5)
                .suggestions
            )
        return self._choose(choices, text, [normalize_suggestion(s) for s in found])

    async def _aselect(self, choices: Sequence[ToolMetadata], query: QueryBundle) -> SelectorResult:
        text = _query_text(query)
        if isinstance(self.detector, LLM):
            try:
                answer: object = await self.detector.astructured_predict(_BranchPoints, _PROMPT, text=text)
            except Exception as exc:
                answer = exc
            return self._choose_detected(choices, text, answer)
        if self.detector == "local":
            return self._select(choices, query)
        if self.async_client is not None:
            response = await self.async_client.autobranch.suggest_branches(
                text=text, threshold=self.threshold, suggestions_count=5
            )
        else:
            from chatroutes_core import AsyncChatRoutesClient

            async with AsyncChatRoutesClient() as client:
                response = await client.autobranch.suggest_branches(
                    text=text, threshold=self.threshold, suggestions_count=5
                )
        return self._choose(choices, text, [normalize_suggestion(s) for s in response.suggestions])

    def _sync_client(self) -> Any:
        if self.client is None:
            from chatroutes_core import ChatRoutesClient

            self.client = ChatRoutesClient()
        return self.client

    def _choose_detected(self, choices: Sequence[ToolMetadata], text: str, answer: object) -> SelectorResult:
        """Choose by an LLM's answer (or the patterns when it is unusable); each reason names who decided."""
        if isinstance(answer, BaseModel):
            answer = answer.model_dump()
        name = self.detector.metadata.model_name if isinstance(self.detector, LLM) else "llm"
        found: ModelDetection = from_model(
            text, answer, model=name, threshold=self.threshold, suggestions_count=5
        )
        decided = (
            found.decided_by
            if found.fallback_reason is None
            else f"local (fallback: {found.fallback_reason})"
        )
        result = self._choose(choices, text, [normalize_suggestion(s) for s in found.suggestions])
        for selection in result.selections:
            selection.reason = f"{selection.reason}; detector: {decided}"
        return result

    def _choose(
        self, choices: Sequence[ToolMetadata], text: str, suggestions: list[RouteSuggestion]
    ) -> SelectorResult:
        if not choices:
            raise UsageError("AutoBranchSelector needs at least one choice")
        best: dict[int, tuple[float, str]] = {}
        for part in parts_of(text, suggestions, self.threshold):
            scores = [score_route(c.name or "", c.description, part.text, part.suggestion) for c in choices]
            top = max(range(len(choices)), key=lambda i: (scores[i], -i))
            if scores[top] >= self.min_score and scores[top] > best.get(top, (-1.0, ""))[0]:
                best[top] = (scores[top], f"matched {part.text!r} (score {scores[top]:.2f})")
        if not best and self.fallback:
            scores = [score_route(c.name or "", c.description, text) for c in choices]
            top = max(range(len(choices)), key=lambda i: (scores[i], -i))
            best[top] = (scores[top], f"fallback: best score {scores[top]:.2f}, no choice matched")
        ranked = sorted(best, key=lambda i: (-best[i][0], i))[: self.max_outputs]
        return SelectorResult(selections=[SingleSelection(index=i, reason=best[i][1]) for i in ranked])


def _query_text(query: QueryBundle) -> str:
    text = query.query_str if isinstance(query, QueryBundle) else str(query)
    if not text.strip():
        raise UsageError("AutoBranchSelector needs a non-empty query")
    return text
