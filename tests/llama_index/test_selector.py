"""AutoBranchSelector: deterministic selection for RouterQueryEngine / RouterRetriever, no LLM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import CustomQueryEngine, RouterQueryEngine
from llama_index.core.retrievers import RouterRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.tools import QueryEngineTool, RetrieverTool, ToolMetadata

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient, UsageError
from chatroutes_core.testing import LocalServer
from llama_index_chatroutes.selector import AutoBranchSelector

CHOICES = [
    ToolMetadata(name="billing", description="Invoices, payments, refunds and charges on your account."),
    ToolMetadata(
        name="api_docs", description="Technical reference for the REST API, the SDK and error codes."
    ),
    ToolMetadata(name="travel", description="Flights, hotels and trip planning in Europe."),
]

# A small labelled set: query -> the engine that should answer it.
LABELLED = [
    ("I was charged twice on my last invoice", "billing"),
    ("How do I get a refund?", "billing"),
    ("Which payment methods do you accept?", "billing"),
    ("What does error code 429 mean in the REST API?", "api_docs"),
    ("How do I install the Python SDK?", "api_docs"),
    ("Show me the API reference for creating a branch", "api_docs"),
    ("Find me cheap flights to Lisbon", "travel"),
    ("Which hotels are good in Rome for a weekend trip?", "travel"),
    ("Help me plan a trip through Europe by train", "travel"),
    ("My account shows a charge I don't recognise", "billing"),
    ("Can I book a hotel near the airport?", "travel"),
    ("The SDK returns an error when streaming", "api_docs"),
    # Written without looking at the scores: no shared words with the descriptions for some of these.
    ("Why was my card declined?", "billing"),
    ("Is there a rate limit on the endpoints?", "api_docs"),
    ("What's the best time to visit Paris?", "travel"),
    ("Do you have an invoice for March?", "billing"),
]
NAMES = [c.name for c in CHOICES]


class Fixed(CustomQueryEngine):
    """A query engine that answers with its own name (so the test sees which one ran)."""

    answer: str

    def custom_query(self, query_str: str) -> str:
        return f"{self.answer}: {query_str}"


def tools() -> list[QueryEngineTool]:
    return [
        QueryEngineTool.from_defaults(Fixed(answer=c.name or ""), name=c.name, description=c.description)
        for c in CHOICES
    ]


def test_selects_by_description_from_strings_and_metadata() -> None:
    selector = AutoBranchSelector()
    result = selector.select([c.description for c in CHOICES], "I need a refund for a double charge")
    assert result.inds == [0]
    assert "refund" in result.reasons[0]
    assert selector.select(CHOICES, QueryBundle("error codes of the REST API")).ind == 1


def test_multi_intent_selects_several_best_first_and_max_outputs_caps() -> None:
    query = "I need help with a refund and also have a question about the SDK error codes"
    both = AutoBranchSelector().select(CHOICES, query)
    assert sorted(both.inds) == [0, 1]
    assert AutoBranchSelector(max_outputs=1).select(CHOICES, query).inds == both.inds[:1]


def test_no_match_falls_back_by_default_and_is_empty_without_fallback() -> None:
    query = "What is the meaning of life?"
    assert AutoBranchSelector(fallback=False).select(CHOICES, query).selections == []
    fallback = AutoBranchSelector().select(CHOICES, query)  # a router always gets an engine
    assert fallback.inds == [0] and fallback.reasons[0].startswith("fallback")


def test_router_query_engine_routes_a_query_that_matches_nothing_to_the_fallback_engine() -> None:
    engine = RouterQueryEngine(selector=AutoBranchSelector(), query_engine_tools=tools(), llm=MockLLM())
    response = engine.query("hello there")
    assert str(response) == "billing: hello there"  # the first engine answered, nothing else ran
    assert response.metadata["selector_result"].reasons[0].startswith("fallback")


def test_the_choice_follows_the_description_not_its_position() -> None:
    selector = AutoBranchSelector(max_outputs=1)
    reordered = [CHOICES[2], CHOICES[0], CHOICES[1]]
    for query, _ in LABELLED:
        first = CHOICES[selector.select(CHOICES, query).ind].name
        again = reordered[selector.select(reordered, query).ind].name
        if not selector.select(CHOICES, query).reasons[0].startswith("fallback"):
            assert first == again, query


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"detector": "llm"}, "detector"),
        ({"threshold": -1}, "threshold"),
        ({"max_outputs": 0}, "max_outputs"),
    ],
)
def test_validates_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):  # a ChatRoutesError, and a ValueError
        AutoBranchSelector(**kwargs)


def test_bad_query_or_no_choices() -> None:
    with pytest.raises(UsageError, match="non-empty query"):
        AutoBranchSelector().select(CHOICES, "   ")
    with pytest.raises(UsageError, match="at least one choice"):
        AutoBranchSelector().select([], "refund")


def test_router_query_engine_picks_the_right_engine_on_the_labelled_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The llm is only RouterQueryEngine's summarizer for multi-selections; one selection never calls it.
    engine = RouterQueryEngine(
        selector=AutoBranchSelector(max_outputs=1), query_engine_tools=tools(), llm=MockLLM()
    )
    right = 0
    for query, expected in LABELLED:
        response = engine.query(query)
        chosen = str(response).split(":")[0]
        selection = response.metadata["selector_result"]
        assert selection.inds == [NAMES.index(chosen)]
        # A fallback pick (nothing matched: the first choice) does not count as right even when it is.
        right += chosen == expected and not selection.reasons[0].startswith("fallback")
    with capsys.disabled():
        print(f"\nAutoBranchSelector on {len(LABELLED)} labelled queries: {right}/{len(LABELLED)} right")
    assert right >= len(LABELLED) - 3  # word overlap only: queries sharing no word with a description miss


async def test_router_query_engine_async_and_multi_selection_with_mock_llm() -> None:
    engine = RouterQueryEngine(
        selector=AutoBranchSelector(), query_engine_tools=tools(), llm=MockLLM(max_tokens=5)
    )
    single = await engine.aquery("Find me cheap flights to Lisbon")
    assert str(single).startswith("travel:")
    multi = await engine.aquery("I need a refund for my invoice and also hotels in Rome for a trip")
    assert sorted(multi.metadata["selector_result"].inds) == [0, 2]


class Named(BaseRetriever):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [NodeWithScore(node=TextNode(text=self.name, id_=self.name), score=1.0)]


def test_router_retriever() -> None:
    retriever_tools = [
        RetrieverTool(retriever=Named(c.name or ""), metadata=c) for c in CHOICES
    ]  # fmt: skip
    router = RouterRetriever(selector=AutoBranchSelector(), retriever_tools=retriever_tools, llm=MockLLM())
    nodes = router.retrieve("How do I install the Python SDK? Also, find me flights to Rome.")
    assert sorted(n.node.get_content() for n in nodes) == ["api_docs", "travel"]


@pytest.fixture
def client(local_server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


def test_api_detector_uses_the_client(local_server: LocalServer, client: ChatRoutesClient) -> None:
    query = "I need help with a refund and also have a question about the SDK error codes"
    local_server.reset_requests()
    result = AutoBranchSelector(detector="api", client=client).select(CHOICES, query)
    assert ("POST", "/api/v1/autobranch/suggest-branches") in local_server.requests
    assert result.inds == AutoBranchSelector().select(CHOICES, query).inds


async def test_api_detector_async(local_server: LocalServer) -> None:
    query = "Find me cheap flights to Lisbon"
    async with AsyncChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as ac:
        result = await AutoBranchSelector(detector="api", async_client=ac).aselect(CHOICES, query)
    assert result.inds == [2]
