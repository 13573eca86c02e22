"""Random fork trees through the mapper: every branch the server holds equals the list that was sent.

A different angle from the mapper's own property test (tests/core/test_mapper.py): here a whole tree is
grown first, by extending *any* earlier message list (the root, a tip, or a list in the middle of a branch,
which forces a fork), alternating between a mapper that remembers branch tips and cold mappers that know
nothing (another process, a restart). Only then is the server read back: for every reply, the history of the
branch it landed on, up to that reply, equals the message list that produced it, and each conversation holds
exactly two messages per send (nothing lost, nothing duplicated).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.mapper import AsyncConversationMapper, ConversationMapper, TipCache, Turn
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

TREE = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

words = st.text(
    st.characters(whitelist_categories=["L", "N", "P", "Zs"], blacklist_characters="[]"),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip() == s and s)
# (which earlier list to extend, the new user text, whether a cold mapper sends it)
steps = st.lists(st.tuples(st.integers(min_value=0), words, st.booleans()), min_size=1, max_size=8)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def check_tree(srv: LocalServer, client: ChatRoutesClient, lists: list[list[Turn]], sends: int) -> None:
    conversations: dict[str, int] = {}
    for turns in lists[1:]:
        reply = turns[-1].ref
        assert reply is not None
        conversations[reply.conversation_id] = conversations.get(reply.conversation_id, 0) + 1
        history = client.branches.get_history(reply.conversation_id, reply.branch_id)
        ids = [m.id for m in history]
        assert reply.message_id in ids, "the reply is not on the branch it says it landed on"
        upto = history[: ids.index(reply.message_id) + 1]
        assert [(m.role, m.content) for m in upto] == [(t.role, t.content) for t in turns]
    assert sum(conversations.values()) == sends
    for conversation_id, replies in conversations.items():
        assert srv.count_messages(conversation_id) == 2 * replies


@TREE
@given(plan=steps)
def test_sync_random_fork_trees_hold_exactly_what_was_sent(
    server: LocalServer, plan: list[tuple[int, str, bool]]
) -> None:
    note(f"plan={plan!r}")
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        warm = ConversationMapper(client, tips=TipCache())
        lists: list[list[Turn]] = [[]]
        for pick, text, use_cold in plan:
            turns = [*lists[pick % len(lists)], Turn("user", text)]
            mapper = ConversationMapper(client, tips=TipCache()) if use_cold else warm
            reply = mapper.send(turns)
            lists.append([*turns, Turn("assistant", reply.message.content, reply.ref)])
        check_tree(server, client, lists, len(plan))


@TREE
@given(plan=steps)
async def test_async_random_fork_trees_hold_exactly_what_was_sent(
    server: LocalServer, plan: list[tuple[int, str, bool]]
) -> None:
    async with AsyncChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as aclient:
        warm = AsyncConversationMapper(aclient, tips=TipCache())
        lists: list[list[Turn]] = [[]]
        for pick, text, use_cold in plan:
            turns = [*lists[pick % len(lists)], Turn("user", text)]
            mapper = AsyncConversationMapper(aclient, tips=TipCache()) if use_cold else warm
            reply = await mapper.send(turns)
            lists.append([*turns, Turn("assistant", reply.message.content, reply.ref)])
    with ChatRoutesClient(api_key=server.api_key, base_url=server.base_url) as client:
        check_tree(server, client, lists, len(plan))
