"""Every chat-store operation as one flow of requests (``chatroutes_core.flows``), for both clients.

The sync methods run these with ``run(flow, client)``, the async ones with ``await arun(flow, async_client)``:
the decisions are written once. Costs: a read is **one request** (``messages.list`` for a conversation key,
``branches.get_messages`` for a branch key, when the server includes a fork's inherited part); adding user
or system messages costs nothing once the key's conversation is known; adding a reply costs one read (to
prove it is on the branch).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from llama_index.core.base.llms.types import ChatMessage

from chatroutes_core import NotFoundError
from chatroutes_core.flows import ClientCall, Flow
from chatroutes_core.integration import read_branch
from chatroutes_core.mapper import history_turns
from chatroutes_core.models import Conversation
from llama_index_chatroutes import _convert
from llama_index_chatroutes._store_state import (
    Located,
    StoreState,
    View,
    check_add,
    check_set,
    needs_read,
    validate,
)

__all__ = ["add", "create_named", "delete_all", "new_key", "read", "set_messages"]


def read(state: StoreState, key: str) -> Flow[View | None]:
    """The key's branch as it is on the server now; None for a name without a conversation."""
    located, is_id, _ = state.locate(key)
    if located is None:
        return None
    conversation_id, branch_id = located.conversation_id, located.branch_id
    try:
        found = yield from read_branch(conversation_id, branch_id)
    except NotFoundError:
        if not is_id:
            raise  # a name's conversation was deleted elsewhere
        return None  # not a conversation of this account: the key is a name
    state.confirm(conversation_id)
    if found.branch_id is None:
        return View(Located(conversation_id, branch_id))  # an empty main branch
    history = history_turns(found.messages, conversation_id, found.branch_id)
    return View(Located(conversation_id, found.branch_id), [_convert.turn_to_message(t) for t in history])


def create_named(state: StoreState, key: str, model: str) -> Flow[View]:
    """Create the conversation a name stands for (its first write): one per name, whatever the concurrency.

    A flow cannot hold a lock across a request, so writers racing on a name's first write may each create a
    conversation; the first to claim the name (a compare-and-set under the state's lock) wins, and each loser
    deletes its own conversation, still empty, and writes to the winner's.
    """
    conversation: Conversation = yield ClientCall(
        "conversations", "create", kwargs={"title": key[:200], "model": model}
    )
    winner = state.claim(key, conversation.id)
    if winner != conversation.id:
        with contextlib.suppress(NotFoundError):
            yield ClientCall("conversations", "delete", (conversation.id,))
    return View(Located(winner, None))


def _located(state: StoreState, key: str) -> Flow[View | None]:
    """Where a batch of new user messages goes, reading only when the key's conversation is unconfirmed."""
    located, is_id, known = state.locate(key)
    if located is not None and (not is_id or known):
        return View(located)
    return (yield from read(state, key))


def add(state: StoreState, key: str, messages: Sequence[ChatMessage], model: str) -> Flow[None]:
    """Add a batch: validate it, check it against a fresh read when it holds replies, keep new user turns."""
    validate(messages)
    view = (yield from read(state, key)) if needs_read(messages) else (yield from _located(state, key))
    if view is None:  # a name: check against an empty branch, then create its conversation
        check_add(key, "", [], messages)
        view = yield from create_named(state, key, model)
    else:
        check_add(key, view.where.conversation_id, view.history, messages)
    state.add(key, messages)


def set_messages(state: StoreState, key: str, messages: Sequence[ChatMessage], model: str) -> Flow[None]:
    """Replace the pending messages; the stored part of ``messages`` must be exactly the branch's history."""
    view = yield from read(state, key)
    pending = check_set(view.history if view is not None else [], messages)
    if view is None:
        if not pending:
            return  # nothing to keep: a name stays without a conversation
        view = yield from create_named(state, key, model)
    state.set_pending(key, pending)


def delete_all(state: StoreState, key: str) -> Flow[list[ChatMessage]]:
    """Delete what the key names on the server (a branch, or the whole conversation); return what it held."""
    view = yield from read(state, key)
    held = state.view(key, view) if view is not None else []
    if view is not None:
        where = view.where
        branch_key = state.locate(key)[1] and _convert.parse_key(key)[1] is not None
        try:
            if branch_key:
                assert where.branch_id is not None
                yield ClientCall("branches", "delete", (where.conversation_id, where.branch_id))
            else:
                yield ClientCall("conversations", "delete", (where.conversation_id,))
                state.unconfirm(where.conversation_id)
        except NotFoundError:
            pass
    state.forget(key)
    return held


def new_key(state: StoreState, title: str | None, model: str) -> Flow[str]:
    """Create a conversation and return its key (its main branch)."""
    conversation: Conversation = yield ClientCall(
        "conversations", "create", kwargs={"title": title or "LlamaIndex chat", "model": model}
    )
    state.remember_key(conversation.id)
    state.confirm(conversation.id)
    return conversation.id


def keys(state: StoreState, conversations: Sequence[Conversation]) -> list[str]:
    """``get_keys``: the keys used (names by name), then every other conversation of the account."""
    result, named = state.used_keys()
    result += [c.id for c in conversations if c.id not in result and c.id not in named]
    return result
