"""Routers: ``RouterQueryEngine`` with ``LLMSingleSelector``, and the selector as a standalone module.

Source: run-llama/llama_index, docs/src/content/docs/framework/module_guides/querying/router/index.md
("Using as a Query Engine" with the list and vector tools; "Using selector as a standalone module":
choices as strings, ``LLMSingleSelector.from_defaults()``, ``selector.select(choices, query=...)``) and
docs/examples/query_engine/RouterQueryEngine.ipynb (``SummaryIndex`` + ``VectorStoreIndex`` engines).
Changed: the LLM, the embeddings, the selector's decision scripted (the offline responder cannot choose).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import Settings, SummaryIndex, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.query_engine import RouterQueryEngine
from llama_index.core.selectors import LLMSingleSelector
from llama_index.core.tools import QueryEngineTool

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def test_the_selector_reads_the_models_choice_and_routes_to_that_engine(
    llm: ChatRoutes, embed_model: MockEmbedding, script: Callable[..., None]
) -> None:
    Settings.llm, Settings.embed_model = llm, embed_model
    list_query_engine = SummaryIndex.from_documents(ESSAY).as_query_engine()
    vector_query_engine = VectorStoreIndex.from_documents(ESSAY).as_query_engine(similarity_top_k=1)
    list_tool = QueryEngineTool.from_defaults(
        query_engine=list_query_engine,
        description="Useful for summarization questions related to the data source",
    )
    vector_tool = QueryEngineTool.from_defaults(
        query_engine=vector_query_engine,
        description="Useful for retrieving specific context related to the data source",
    )
    query_engine = RouterQueryEngine(
        selector=LLMSingleSelector.from_defaults(), query_engine_tools=[list_tool, vector_tool]
    )
    script('[{"choice": 2, "reason": "a specific fact"}]')
    before = conversations(llm)
    response = query_engine.query("What did Paul Graham do in college?")
    selection = response.metadata["selector_result"].selections  # type: ignore[index]
    assert [s.index for s in selection] == [1]  # choice 2 of 1..n: the vector tool
    assert len(response.source_nodes) == 1  # the vector engine's similarity_top_k=1, not the summary's 3
    asked = {c: branch(llm, c)[0][1] for c in conversations(llm) - before}
    assert any("Useful for summarization questions" in text for text in asked.values())  # the choices

    # the selector on its own, choices as strings
    choices = ["choice 1 - description for choice 1", "choice 2: description for choice 2"]
    script('[{"choice": 1, "reason": "revenue"}]')
    selector = LLMSingleSelector.from_defaults()
    selector_result = selector.select(choices, query="What's revenue growth for IBM in 2007?")
    assert [(s.index, s.reason) for s in selector_result.selections] == [(0, "revenue")]
