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
from chatroutes_core.flows import Flow, call
from chatroutes_core.integration import read_branch
from chatroutes_core.mapper import history_turns
from chatroutes_core.models import Conversation
from llama_index_chatroutes import _convert
from llama_index_chatroutes._replies import ReplyMemory
from llama_index_chatroutes._store_state import (
    Located,
    StoreState,
    View,
    check_add,
    check_set,
    needs_read,
    validate,
)

__all__ = ["add", "adopt", "create_named", "delete_all", "new_key", "read", "set_messages"]


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
    conversation = yield from call(lambda c: c.conversations.create, title=key[:200], model=model)
    winner = state.claim(key, conversation.id)
    if winner != conversation.id:
        with contextlib.suppress(NotFoundError):
            yield from call(lambda c: c.conversations.delete, conversation.id)
    return View(Located(winner, None))


def _located(state: StoreState, key: str) -> Flow[View | None]:
    """Where a batch of new user messages goes, reading only when the key's conversation is unconfirmed."""
    located, is_id, known = state.locate(key)
    if located is not None and (not is_id or known):
        return View(located)
    return (yield from read(state, key))


def add(
    state: StoreState,
    key: str,
    messages: Sequence[ChatMessage],
    model: str,
    replies: ReplyMemory | None = None,
    side_replies: ReplyMemory | None = None,
) -> Flow[None]:
    """Add a batch: validate it, check it against a fresh read when it holds replies, keep new user turns.

    ``replies``: the account's replies (``account_replies``), to adopt a name's first turn (:func:`adopt`);
    ``side_replies``: its side calls' replies, named in the error when an engine stores one of those.
    """
    validate(messages)
    view = (yield from read(state, key)) if needs_read(messages) else (yield from _located(state, key))
    if replies is not None and (view is None or not view.history):
        view = (yield from adopt(state, key, view, messages, replies)) or view
    named = not state.locate(key)[1]
    if view is None:  # a name: check against an empty branch, then create its conversation
        check_add(key, "", [], messages, named, side_replies)
        view = yield from create_named(state, key, model)
    else:
        check_add(key, view.where.conversation_id, view.history, messages, named, side_replies)
    state.add(key, messages)


def adopt(
    state: StoreState, key: str, view: View | None, messages: Sequence[ChatMessage], replies: ReplyMemory
) -> Flow[View | None]:
    """A name's first turn, written by an unbound ``ChatRoutes`` LLM: the name takes the LLM's conversation.

    ``ContextChatEngine`` and ``CondensePlusContextChatEngine`` call the LLM before they put anything in
    memory, so on a name's first turn the LLM, told nothing, starts a conversation of its own; then the
    engine puts the user message and a text copy of the reply. When that copy is a reply this account's
    LLM generated (``replies``, checked against the server: the reply is the tip and the only reply of the
    main branch of a conversation that is not the name's), the name is pointed at that conversation, the
    empty one the name's first put created is deleted, and the copy is then the tip, as on later turns.
    None (nothing changed) in every other case: an id key, a name with a history, an unknown copy.
    """
    located, is_id, _ = state.locate(key)
    if is_id:
        return None
    copies = [m for m in messages if _convert.role_of(m) == "assistant" and _convert.ref_of(m) is None]
    ref = replies.lookup(_convert.reply_digest(_convert.text_of(copies[0]))) if copies else None
    if ref is None or (located is not None and ref.conversation_id == located.conversation_id):
        return None
    try:
        found = yield from read_branch(ref.conversation_id, None)
    except NotFoundError:
        return None
    if found.branch_id != ref.branch_id:
        return None
    history = [
        _convert.turn_to_message(t)
        for t in history_turns(found.messages, ref.conversation_id, found.branch_id)
    ]
    tip = _convert.ref_of(history[-1]) if history else None
    if tip is None or tip.message_id != ref.message_id:
        return None
    if sum(_convert.role_of(m) == "assistant" for m in history) != 1:
        return None  # not a conversation that began with this turn
    if not state.repoint(key, ref.conversation_id, located.conversation_id if located else None):
        return None  # a racing write gave the name a conversation first
    if located is not None and view is not None:  # the empty conversation the name's first put created
        with contextlib.suppress(NotFoundError):
            yield from call(lambda c: c.conversations.delete, located.conversation_id)
    return View(Located(ref.conversation_id, found.branch_id), history)


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
                yield from call(lambda c: c.branches.delete, where.conversation_id, where.branch_id)
            else:
                yield from call(lambda c: c.conversations.delete, where.conversation_id)
                state.unconfirm(where.conversation_id)
        except NotFoundError:
            pass
    state.forget(key)
    return held


def new_key(state: StoreState, title: str | None, model: str) -> Flow[str]:
    """Create a conversation and return its key (its main branch)."""
    conversation = yield from call(
        lambda c: c.conversations.create, title=title or "LlamaIndex chat", model=model
    )
    state.remember_key(conversation.id)
    state.confirm(conversation.id)
    return conversation.id


def keys(state: StoreState, conversations: Sequence[Conversation]) -> list[str]:
    """``get_keys``: the keys used (names by name), then every other conversation of the account."""
    result, named = state.used_keys()
    result += [c.id for c in conversations if c.id not in result and c.id not in named]
    return result
