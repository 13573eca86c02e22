"""Chat engine, ``chat_mode="condense_plus_context"``: condense, retrieve, answer; reset; streaming.

Source: run-llama/llama_index, docs/examples/chat_engine/chat_engine_condense_plus_context.ipynb (the memory
``ChatMemoryBuffer.from_defaults(token_limit=3900)``, the ``context_prompt``, a follow-up "Can you tell me
more?", ``reset()``, then ``stream_chat``). Changed: the LLM, the embeddings.
"""

from __future__ import annotations

import pytest
from llama_ecosystem import ESSAY, branch, conversations
from llama_index.core import VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.memory import ChatMemoryBuffer

from chatroutes_core.testing import LocalServer
from llama_index_chatroutes import ChatRoutes

pytestmark = pytest.mark.integration

CONTEXT_PROMPT = (
    "You are a chatbot, able to have normal interactions, as well as talk"
    " about an essay discussing Paul Grahams life."
    "Here are the relevant documents for the context:\n"
    "{context_str}"
    "\nInstruction: Use the previous chat history, or the context above, to interact and help the user."
)


def test_condense_plus_context_answers_on_one_branch_and_condenses_aside(
    local_server: LocalServer, embed_model: MockEmbedding
) -> None:
    llm = ChatRoutes(api_key=local_server.api_key, base_url=local_server.base_url, delete_side_calls=True)
    index = VectorStoreIndex.from_documents(ESSAY, embed_model=embed_model)
    memory = ChatMemoryBuffer.from_defaults(token_limit=3900)
    chat_engine = index.as_chat_engine(
        chat_mode="condense_plus_context",
        memory=memory,
        llm=llm,
        context_prompt=CONTEXT_PROMPT,
        verbose=False,
    )
    before = conversations(llm)
    chat_engine.chat("What did Paul Graham do growing up")
    response_2 = chat_engine.chat("Can you tell me more?")
    (conversation,) = conversations(llm) - before  # the condense call's conversation was deleted
    held = branch(llm, conversation)
    assert [role for role, _ in held] == ["user", "assistant"] * 2
    assert "talk about an essay discussing Paul Grahams life" in held[0][1]
    assert held[2][1].endswith("Can you tell me more?") and held[3][1] == str(response_2)
    assert "Given the following conversation" not in "".join(text for _, text in held)  # condensing is aside

    chat_engine.reset()
    response = chat_engine.stream_chat("What did Paul Graham do after YC?")
    streamed = "".join(token for token in response.response_gen)
    if response.write_response_to_history_thread is not None:  # the engine writes memory in a thread
        response.write_response_to_history_thread.join()
    (new,) = conversations(llm) - before - {conversation}
    assert branch(llm, new)[-1] == ("assistant", streamed) and "0 prior messages" in streamed
