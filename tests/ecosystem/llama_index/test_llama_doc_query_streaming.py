"""Query engines: ``index.as_query_engine()`` and streaming (``streaming=True``, ``response_gen``).

Source: run-llama/llama_index,
docs/src/content/docs/framework/module_guides/deploying/query_engine/streaming.md
(``index.as_query_engine(streaming=True, similarity_top_k=1)``, ``query``, ``response_gen``,
``get_response_synthesizer(streaming=True)`` + ``RetrieverQueryEngine``). Changed: the LLM, the embeddings.
"""

from __future__ import annotations

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import Settings, VectorStoreIndex, get_response_synthesizer
from llama_index.core.base.response.schema import StreamingResponse
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.query_engine import RetrieverQueryEngine

from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration


def test_query_and_streaming_query_send_the_retrieved_node_and_stream_the_stored_reply(
    llm: ChatRoutes, embed_model: MockEmbedding
) -> None:
    Settings.llm, Settings.embed_model = llm, embed_model
    index = VectorStoreIndex.from_documents(ESSAY)

    before = conversations(llm)
    plain = index.as_query_engine().query("What did the author do growing up?")
    (first,) = conversations(llm) - before
    assert branch(llm, first)[-1] == ("assistant", str(plain))

    query_engine = index.as_query_engine(streaming=True, similarity_top_k=1)
    streaming_response = query_engine.query("What did the author do growing up?")
    assert isinstance(streaming_response, StreamingResponse)
    tokens = list(streaming_response.response_gen)
    assert len(tokens) > 1  # streamed in pieces, not one block
    (node,) = streaming_response.source_nodes
    (second,) = conversations(llm) - before - {first}
    held = branch(llm, second)
    assert node.node.get_content() in held[0][1]  # the one retrieved node reached the model
    assert held[-1] == ("assistant", "".join(tokens))

    synth = get_response_synthesizer(streaming=True)
    low_level = RetrieverQueryEngine(
        retriever=index.as_retriever(similarity_top_k=1), response_synthesizer=synth
    )
    assert "".join(low_level.query("What did the author do growing up?").response_gen)
