"""The store's in-memory cache of each branch's own messages never serves a stale or rolled-back row."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatroutes_core.server.state import ServerState
from chatroutes_core.server.store import Store


def _add(store: Store, conv: str, branch: str, text: str) -> str:
    return store.add_message(conv, branch, role="user", content=text, token_count=1).id


def _contents(store: Store, branch: str) -> list[str]:
    return [m.content for m in store.own_messages(branch)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.sqlite3")


def test_reads_follow_appends_edits_and_deletes(store: Store) -> None:
    conv, main = store.create_conversation("owner", "t", "gpt-5")
    first = _add(store, conv.id, main.id, "a")
    assert _contents(store, main.id) == ["a"]  # now cached
    second = _add(store, conv.id, main.id, "b")
    assert _contents(store, main.id) == ["a", "b"]
    edited = store.get_message("owner", first)
    assert edited is not None
    store.update_message(edited, "A", 1)
    assert _contents(store, main.id) == ["A", "b"]
    store.delete_message(second)
    assert _contents(store, main.id) == ["A"]
    fresh = Store(store.path)  # another store on the same file reads the same rows
    assert _contents(fresh, main.id) == ["A"]


def test_a_rolled_back_append_is_not_served(store: Store) -> None:
    conv, main = store.create_conversation("owner", "t", "gpt-5")
    _add(store, conv.id, main.id, "kept")
    assert _contents(store, main.id) == ["kept"]
    with pytest.raises(RuntimeError), store.atomic():
        _add(store, conv.id, main.id, "rolled back")
        raise RuntimeError("abort")
    assert _contents(store, main.id) == ["kept"]


def test_returned_lists_are_copies_and_upto_seq_cuts(store: Store) -> None:
    conv, main = store.create_conversation("owner", "t", "gpt-5")
    for text in "abc":
        _add(store, conv.id, main.id, text)
    rows = store.own_messages(main.id)
    rows.clear()
    assert _contents(store, main.id) == ["a", "b", "c"]
    middle = store.own_messages(main.id)[1]
    assert [m.content for m in store.own_messages(main.id, middle.seq)] == ["a", "b"]


def test_deleted_branch_and_conversation_read_empty(store: Store) -> None:
    conv, main = store.create_conversation("owner", "t", "gpt-5")
    side = store.create_branch(conv.id, title="side")
    _add(store, conv.id, side.id, "x")
    _add(store, conv.id, main.id, "y")
    assert _contents(store, side.id) == ["x"] and _contents(store, main.id) == ["y"]
    store.delete_branch(side.id)
    assert _contents(store, side.id) == []
    store.delete_conversation(conv.id)
    assert _contents(store, main.id) == []


def test_known_keys_are_remembered_and_unknown_keys_still_refused(store: Store) -> None:
    owner = store.add_key("cr_local_sk_known")
    assert store.owner_of("cr_local_sk_known") == owner
    assert store.owner_of("cr_local_sk_unknown") is None
    reopened = Store(store.path)  # a fresh store finds the key in the file
    assert reopened.owner_of("cr_local_sk_known") == owner


def test_held_locks_exclude_each_other_and_are_forgotten() -> None:
    state = ServerState(store=Store())
    inside: list[int] = []
    overlaps: list[bool] = []

    async def user(n: int) -> None:
        async with state.hold("idem:k"):
            overlaps.append(bool(inside))
            inside.append(n)
            await asyncio.sleep(0.001)
            inside.remove(n)

    async def main() -> None:
        await asyncio.gather(*(user(n) for n in range(5)))

    asyncio.run(main())
    assert overlaps == [False] * 5 and state._held == {}
