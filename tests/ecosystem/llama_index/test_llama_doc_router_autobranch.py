"""Routers: ``RouterQueryEngine`` with this project's ``AutoBranchSelector`` in place of an LLM selector.

Source: run-llama/llama_index, docs/src/content/docs/framework/module_guides/querying/router/index.md
("Using as a Query Engine": the list and vector tools and their descriptions), with the selector line taken
from this repository's ``llama_index_chatroutes/selector.py`` docstring
(``RouterQueryEngine(selector=AutoBranchSelector(max_outputs=1), query_engine_tools=tools)``) and a
two-intent query for the multi-selection. Changed: the LLM, the embeddings.
"""

from __future__ import annotations

import pytest
from llama_ecosystem import ESSAY, conversations
from llama_index.core import Settings, SummaryIndex, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.query_engine import RouterQueryEngine
from llama_index.core.tools import QueryEngineTool

from llama_index_chatroutes import AutoBranchSelector, ChatRoutes

pytestmark = pytest.mark.integration


def _tools() -> list[QueryEngineTool]:
    return [
        QueryEngineTool.from_defaults(
            query_engine=SummaryIndex.from_documents(ESSAY).as_query_engine(),
            description="Useful for summarization questions related to the data source",
        ),
        QueryEngineTool.from_defaults(
            query_engine=VectorStoreIndex.from_documents(ESSAY).as_query_engine(similarity_top_k=1),
            description="Useful for retrieving specific context related to the data source",
        ),
    ]


def test_autobranch_selects_without_a_model_call(llm: ChatRoutes, embed_model: MockEmbedding) -> None:
    Settings.llm, Settings.embed_model = llm, embed_model
    tools = _tools()
    query_engine = RouterQueryEngine(selector=AutoBranchSelector(max_outputs=1), query_engine_tools=tools)
    before = conversations(llm)
    response = query_engine.query("Give me a summarization of the essay")
    assert [s.index for s in response.metadata["selector_result"].selections] == [0]  # type: ignore[index]
    assert len(conversations(llm) - before) == 1  # the chosen engine's answer only: no selector call

    both = RouterQueryEngine(selector=AutoBranchSelector(), query_engine_tools=tools)
    response = both.query(
        "Give me a summarization of the essay, and also retrieve specific context about Lisp"
    )
    assert sorted(s.index for s in response.metadata["selector_result"].selections) == [0, 1]  # type: ignore[index]
