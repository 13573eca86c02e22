"""Context fidelity for LlamaIndex: whatever list the caller passes, the model is given exactly that list.

The property (issue 13): after each ``ChatRoutes.chat``/``achat`` call, the branch the reply landed on (read
with the core client, the oracle) holds, in order, every user, system and assistant text of the list that
was sent, exactly once; no text the list replaced (an edit, a removed turn, a turn another writer added to
the branch); no text the list never had (beyond what a trim dropped); the system text in force is the list's.

Every text carries a unique token (``u12q`` user, ``f3q`` foreign assistant, ``S4q`` system) and the model is
a fake that answers ``r<hex>q`` without repeating anything it was given, so the tokens found in the stored
messages say exactly what the model saw.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from llama_index.core import VectorStoreIndex
from llama_index.core.chat_engine import CondensePlusContextChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.llms import ChatMessage
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import Document, NodeWithScore, QueryBundle, TextNode

from chatroutes_core import ChatRoutesClient
from chatroutes_core.server.responders import ResponderRequest
from chatroutes_core.testing import LocalServer
from llama_index_chatroutes.llm import ChatRoutes

TOKEN = re.compile(r"\b(?:[usfS]\d+|r[0-9a-f]{8})q\b")


class TokenResponder:
    """A fake model: a fresh ``r<hex>q`` token per reply, never an echo of its context (not an LLM)."""

    name = "token"

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        yield f"reply r{uuid.uuid4().hex[:8]}q"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(responder=TokenResponder()) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: LocalServer) -> Iterator[ChatRoutesClient]:
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as c:
        yield c


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def branch_tokens(client: ChatRoutesClient, ref: dict[str, str]) -> list[str]:
    history = client.branches.get_history(ref["conversation_id"], ref["branch_id"])
    ids = [m.id for m in history]
    assert len(ids) == len(set(ids)), "a message is stored twice"
    return [token for m in history for token in tokens(m.content)]


class Session:
    """The caller's list and what it has replaced, plus the two LLM objects that write."""

    def __init__(self, server: LocalServer) -> None:
        options = {"api_key": server.api_key, "base_url": server.base_url}
        self.llm, self.other = ChatRoutes(**options), ChatRoutes(**options)
        self.counter = itertools.count()
        self.loop = asyncio.new_event_loop()
        self.restart()

    def token(self, kind: str) -> str:
        return f"{kind}{next(self.counter)}q"

    def restart(self) -> None:
        self.system = f"Answer briefly. {self.token('S')}"
        self.messages: list[ChatMessage] = []
        self.replaced: set[str] = set()
        self.trimmed: set[str] = set()

    def trim(self, *dropped: ChatMessage) -> None:
        """The list drops its start. The documented trim rule continues the first kept reply's branch, whose
        history before that reply is the branch's, not the list's: it may hold what the list replaced there
        (say, edit the first question, drop it: the model sees the first question's original text, which
        the reply it kept answered). So what came before is no longer checked either way."""
        for message in dropped:
            self.trimmed.update(tokens(message.content or ""))
        self.trimmed |= self.replaced
        self.replaced.clear()

    def listed(self) -> list[ChatMessage]:
        return [ChatMessage(role="system", content=self.system), *self.messages]

    def call(self, model: ChatRoutes, asynchronous: bool) -> ChatMessage:
        if asynchronous:
            return self.loop.run_until_complete(model.achat(self.listed())).message
        return model.chat(self.listed()).message

    def close(self) -> None:
        for model in (self.llm, self.other):
            self.loop.run_until_complete(self._aclose(model))
        self.loop.close()

    @staticmethod
    async def _aclose(model: ChatRoutes) -> None:
        await model.async_client.close()


def apply(session: Session, op: str, position: int) -> None:
    """Change the caller's list the way frameworks do, before the next user turn."""
    messages = session.messages
    users = [i for i, m in enumerate(messages) if m.role.value == "user"]
    if op == "system":
        session.system = f"Answer from the context {session.token('S')}"
    elif op == "edit" and users:
        at = users[position % len(users)]
        session.replaced.update(tokens(messages[at].content or ""))
        messages[at] = ChatMessage(role="user", content=f"edited {session.token('u')}")
    elif op == "insert":
        messages.insert(position % (len(messages) + 1), ChatMessage(role="user", content=session.token("u")))
    elif op == "remove" and messages:
        at = position % len(messages)
        removed = messages.pop(at)
        if at == 0:  # dropping the first message is a trim (the core continues a suffix of a branch)
            session.trim(removed)
        else:
            session.replaced.update(tokens(removed.content or ""))
    elif op == "trim" and messages:
        keep = position % len(messages)
        session.trim(*messages[: len(messages) - keep])
        del messages[: len(messages) - keep]
    elif op == "foreign":
        messages.append(ChatMessage(role="assistant", content=f"another model said {session.token('f')}"))
    elif op == "interleave" and messages:
        # another writer continues the branch with a turn this list never gets: it must not reach our model
        theirs = session.token("u")
        session.other.chat([*session.listed(), ChatMessage(role="user", content=theirs)])
        session.replaced.add(theirs)
    elif op == "restart":
        session.restart()


def check(session: Session, client: ChatRoutesClient, reply: ChatMessage) -> None:
    ref = reply.additional_kwargs["chatroutes"]
    seen = branch_tokens(client, ref)
    sent = [t for m in session.messages for t in tokens(m.content or "")]
    system = tokens(session.system)[0]
    cursor = 0
    for token in sent:  # every text of the list, in order, exactly once
        assert seen.count(token) == 1, f"{token} stored {seen.count(token)} times"
        assert seen.index(token) >= cursor, f"{token} out of order"
        cursor = seen.index(token)
    assert not session.replaced & set(seen), "the branch holds text the list replaced"
    extra = set(seen) - set(sent) - session.trimmed - {t for t in seen if t.startswith("S")}
    assert not extra, f"the branch holds text the list never had: {extra}"
    systems = [t for t in seen if t.startswith("S")]
    assert systems and systems[-1] == system, "the system text in force is not the list's"


OPS = ["say", "say", "system", "edit", "insert", "remove", "trim", "foreign", "interleave", "restart"]
_steps = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 40), st.booleans(), st.booleans()), min_size=1, max_size=8
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_the_branch_a_reply_lands_on_holds_exactly_the_list(
    server: LocalServer, client: ChatRoutesClient, steps: list[tuple[str, int, bool, bool]]
) -> None:
    session = Session(server)
    note(f"steps: {steps}")
    try:
        for op, position, use_other, asynchronous in steps:
            apply(session, op, position)
            session.messages.append(ChatMessage(role="user", content=session.token("u")))
            reply = session.call(session.other if use_other else session.llm, asynchronous)
            session.messages.append(reply)
            check(session, client, reply)
    finally:
        session.close()


class Rotating(BaseRetriever):
    """Retrieves the next document on every query (the context changes each turn)."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__()
        self.texts = itertools.cycle(texts)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        text = next(self.texts)
        return [NodeWithScore(node=TextNode(text=text, id_=text), score=1.0)]


def test_condense_plus_context_sends_the_new_context_with_each_turn(
    server: LocalServer, client: ChatRoutesClient
) -> None:
    # issue 13's DOC-A/DOC-B case: the second turn's context must reach the model, on the same branch
    llm = ChatRoutes(api_key=server.api_key, base_url=server.base_url, delete_side_calls=True)
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=Rotating(["DOC-A says the sky is green", "DOC-B says grass is blue"]), llm=llm
    )
    engine.chat("What colour is the sky?")
    server.reset_requests()
    engine.chat("What colour is grass?")
    conversations = {path.split("/")[4] for method, path in server.requests if method == "POST"
                     and path.endswith("/messages")}  # fmt: skip
    deleted = {path.split("/")[4] for method, path in server.requests if method == "DELETE"}
    stored = {c: client.messages.list(c) for c in conversations - deleted}  # the condense call's is gone
    rag = [c for c, messages in stored.items() if any("DOC-A" in m.content for m in messages)]
    assert len(rag) == 1, "both turns are on one conversation"
    users = [m.content for m in stored[rag[0]] if m.role == "user"]
    assert len(users) == 2 and len({m.branch_id for m in stored[rag[0]]}) == 1
    assert "DOC-A" in users[0] and "DOC-B" in users[1] and users[1].endswith("What colour is grass?")
    assert "DOC-A" not in users[1]  # the old context is not sent again


def test_an_unchanged_context_is_not_sent_again(server: LocalServer, client: ChatRoutesClient) -> None:
    index = VectorStoreIndex.from_documents([Document(text="DOC-C")], embed_model=MockEmbedding(embed_dim=8))
    llm = ChatRoutes(api_key=server.api_key, base_url=server.base_url, delete_side_calls=True)
    conversation = client.conversations.create(title="rag")
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=index.as_retriever(), llm=llm.bind(conversation.id)
    )
    for question in ("one?", "two?", "three?"):
        engine.chat(question)
    users = [m.content for m in client.messages.list(conversation.id) if m.role == "user"]
    assert "DOC-C" in users[0] and users[1:] == ["two?", "three?"]
