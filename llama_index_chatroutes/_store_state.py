"""What a ChatRoutes chat store keeps itself, and its pure decisions (no I/O).

The server owns the messages: every read asks it. The store keeps only what the server cannot hold:

* **pending** messages: user/system messages added but not sent yet (ChatRoutes stores a user turn only with
  the reply it generates); the ``ChatRoutes`` LLM sends them, marked with their target branch;
* **names**: a key that is not a conversation id, mapped to the conversation its first write created;
* archive marks (``ChatRoutesMemoryStore``) and the keys used (``get_keys``);
* which conversations it has seen exist (so placing a new user turn needs no request).

One lock guards all of it and lives with it: :class:`StoreState`'s tables are read and changed only by
its own methods, each holding the lock for its whole read-modify-write. The checks (:func:`check_add`,
:func:`check_set`) compare a batch with a history just read from the server and raise before anything
changes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole

from chatroutes_core import ConfigurationError
from llama_index_chatroutes import _convert
from llama_index_chatroutes._errors import PAIRING_HINT, SIDE_CALL_HINT, AppendOnlyError, ForeignMessageError
from llama_index_chatroutes._replies import ReplyMemory

__all__ = ["Located", "StoreState", "View", "check_add", "check_set", "split_key"]


@dataclass(frozen=True)
class Located:
    """Where a key's messages live: a conversation and a branch (None: the main branch)."""

    conversation_id: str
    branch_id: str | None


@dataclass(frozen=True)
class View:
    """A key as just read: where it is, and the branch's full history (messages with refs)."""

    where: Located
    history: list[ChatMessage] = field(default_factory=list)


def split_key(key: str, named: dict[str, str]) -> tuple[Located | None, bool]:
    """``(located, is_id)`` from what is known without I/O.

    A key already used as a name gives its conversation; an id-shaped key (``conv`` / ``conv:branch``) gives
    that place, which a read confirms; any other key is a name without a conversation yet: ``(None, False)``.
    """
    if key in named:
        return Located(named[key], None), False
    if not isinstance(key, str) or not key.strip():
        _convert.parse_key(key)  # raises the clear error for a blank key
    try:
        conversation_id, branch_id = _convert.parse_key(key)
    except ConfigurationError:
        return None, False
    return Located(conversation_id, branch_id), True


class StoreState:
    """The store's own state (see the module docstring), guarded by one lock that only its methods take."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.pending: dict[str, list[ChatMessage]] = {}
        self.archived: dict[str, int] = {}
        self.named: dict[str, str] = {}
        self.keys: list[str] = []
        self.known: set[str] = set()
        """Conversations confirmed to exist (read or created): new user turns need no read to be placed."""

    def __deepcopy__(self, memo: dict[int, Any]) -> StoreState:
        # shared, not copied: a deep copy of a store is the same view of the same server conversations
        # (two states would each think their pending messages and names were the only ones)
        return self

    def locate(self, key: str) -> tuple[Located | None, bool, bool]:
        """``(located, is_id, confirmed)``: :func:`split_key`, and whether the conversation is known."""
        with self._lock:
            located, is_id = split_key(key, self.named)
            return located, is_id, located is not None and located.conversation_id in self.known

    def used_keys(self) -> tuple[list[str], set[str]]:
        """The keys used, in order, and the conversations that names stand for."""
        with self._lock:
            return list(self.keys), set(self.named.values())

    def unconfirm(self, conversation_id: str) -> None:
        with self._lock:
            self.known.discard(conversation_id)

    def confirm(self, conversation_id: str) -> None:
        with self._lock:
            self.known.add(conversation_id)

    def remember_key(self, key: str) -> None:
        with self._lock:
            if key not in self.keys:
                self.keys.append(key)

    def claim(self, key: str, conversation_id: str) -> str:
        """Map name ``key`` to ``conversation_id`` unless a racing write did first; return the winner."""
        with self._lock:
            winner = self.named.setdefault(key, conversation_id)
            self.known.add(winner)
            self.remember_key(key)
            return winner

    def repoint(self, key: str, conversation_id: str, was: str | None) -> bool:
        """Point name ``key`` at ``conversation_id`` if it still stands for ``was`` (None: nothing yet)."""
        with self._lock:
            if self.named.get(key) != was or conversation_id in self.named.values():
                return False  # a racing write named the key first, or another name holds that conversation
            self.named[key] = conversation_id
            self.known.add(conversation_id)
            if was is not None:
                self.known.discard(was)
            self.remember_key(key)
            return True

    def view(self, key: str, read: View) -> list[ChatMessage]:
        """The history, then the pending messages marked with their target branch."""
        with self._lock:
            pending = list(self.pending.get(key, []))
        where = read.where
        marked = [_convert.with_target(m, where.conversation_id, where.branch_id) for m in pending]
        return [*read.history, *marked]

    def add(self, key: str, messages: Sequence[ChatMessage]) -> None:
        """Apply a checked batch: stored messages and replies clear the pending ones before them."""
        with self._lock:
            pending = self.pending.setdefault(key, [])
            for message in messages:
                is_reply = message.role not in (MessageRole.USER, MessageRole.SYSTEM)
                if is_reply:
                    pending.clear()
                elif _convert.ref_of(message) is None:
                    pending.append(message.model_copy(deep=True))
            self.remember_key(key)

    def set_pending(self, key: str, messages: list[ChatMessage]) -> None:
        with self._lock:
            self.pending[key] = messages
            self.remember_key(key)

    def pop_pending(self, key: str, held: int, idx: int) -> ChatMessage:
        """Remove pending message ``idx`` of the view (``held`` stored messages come first)."""
        with self._lock:
            pending = self.pending.get(key, [])
            if idx < 0:
                idx += held + len(pending)
            if not held <= idx < held + len(pending):
                raise AppendOnlyError(
                    f"message {idx} of {key!r} is stored on the ChatRoutes server and a branch is "
                    "append-only; "
                    "only messages not sent yet can be deleted (fork the branch to drop stored turns)"
                )
            return pending.pop(idx - held)

    def archive(self, key: str, count: int, stored: int) -> tuple[int, int]:
        """Archive up to ``count`` more of the key's ``stored`` messages; return the range it archived.

        One read-modify-write under the lock: callers racing on a key never archive a message twice, nor
        more messages than are stored (an unsent one stays active).
        """
        with self._lock:
            start = self.archived.get(key, 0)
            end = max(start, min(start + count, stored))
            self.archived[key] = end
            return start, end

    def archived_count(self, key: str) -> int:
        with self._lock:
            return self.archived.get(key, 0)

    def forget(self, key: str) -> None:
        with self._lock:
            for table in (self.pending, self.archived):
                table.pop(key, None)
            conversation_id = self.named.pop(key, None)
            if conversation_id is not None:
                self.known.discard(conversation_id)
            if key in self.keys:
                self.keys.remove(key)


def validate(messages: Sequence[ChatMessage]) -> None:
    """Every message has a role and content ChatRoutes takes (raises before anything changes)."""
    for message in messages:
        _convert.role_of(message)
        _convert.text_of(message)


def needs_read(messages: Sequence[ChatMessage]) -> bool:
    """Whether checking the batch needs the branch's history (a stored message or an assistant reply)."""
    return any(
        _convert.ref_of(m) is not None or _convert.role_of(m) not in ("user", "system") for m in messages
    )


def check_add(
    key: str,
    conversation_id: str,
    history: list[ChatMessage],
    messages: Sequence[ChatMessage],
    named: bool = False,
    side_replies: ReplyMemory | None = None,
) -> None:
    """Check a batch against the branch's history just read; raises ``ForeignMessageError`` before any change.

    Accepted: messages the branch holds (by id); user/system messages (they become pending); an assistant
    message without ids that is word for word the branch's tip (a chat engine's copy of the reply).
    """
    ids = {ref.message_id for ref in map(_convert.ref_of, history) if ref is not None}
    tip = history[-1] if history else None
    tip_taken = False
    for position, message in enumerate(messages):
        ref = _convert.ref_of(message)
        role = _convert.role_of(message)
        if ref is not None:
            if ref.conversation_id != conversation_id:
                raise ForeignMessageError(
                    f"message {position} belongs to ChatRoutes conversation {ref.conversation_id!r}, not "
                    f"to this key's conversation {conversation_id!r}; nothing was changed"
                )
            if ref.message_id in ids:
                continue
            raise ForeignMessageError(
                f"message {position} is ChatRoutes message {ref.message_id!r}, which is not on the branch of "
                f"key {key!r} (a reply that landed on another branch belongs under that branch's key); "
                "nothing was changed"
            )
        if role in ("user", "system"):
            continue
        if role == "tool":
            raise ForeignMessageError(
                f"message {position} is a tool result; nothing was changed. A tool result reaches ChatRoutes "
                "with the LLM's next turn, never through a chat store: agents (FunctionAgent, ReActAgent, "
                "AgentWorkflow) keep a run's tool steps aside and put them in memory at its end, when the "
                "branch already holds them. Keep an agent's memory in LlamaIndex's default store "
                "(Memory.from_defaults(session_id=...)): the ChatRoutes LLM still writes the run to one "
                "branch."
            )
        is_tip = tip is not None and tip.role == MessageRole.ASSISTANT and tip.content == message.content
        if is_tip and not tip_taken:
            tip_taken = True
            continue
        hint = PAIRING_HINT
        if side_replies is not None and side_replies.lookup(_convert.reply_digest(_convert.text_of(message))):
            hint = SIDE_CALL_HINT
        elif not history and named:
            hint = (
                f"{key!r} is a name whose branch is empty, and the reply is not one that a ChatRoutes LLM of "
                "this store's account and base URL generated in this process (the store recognises those on "
                f"a name's first turn). {PAIRING_HINT}"
            )
        elif not history:
            hint = (
                f"The branch of key {key!r} is empty, so the engine's turn went elsewhere: an engine that "
                "puts the user message in memory only after the reply (CondensePlusContextChatEngine, "
                "ContextChatEngine) cannot tell an unbound ChatRoutes LLM where the turn belongs. "
                f"Bind the LLM to the key: llm.bind({key!r})."
            )
        raise ForeignMessageError(
            f"message {position} is an assistant reply that ChatRoutes did not generate on this branch; "
            f"nothing was changed. {hint}"
        )


def check_set(history: list[ChatMessage], messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """The pending part of a ``set_messages`` list, after checking its stored part is the history."""
    stored = [m for m in messages if _convert.ref_of(m) is not None]
    have = [r.message_id for r in map(_convert.ref_of, history) if r is not None]
    want = [r.message_id for r in map(_convert.ref_of, stored) if r is not None]
    if want != have:
        raise AppendOnlyError(
            "set_messages would remove or reorder messages stored on a ChatRoutes branch, which is "
            "append-only; fork the branch (client.branches.fork) and use its key instead"
        )
    rest = list(messages[len(stored) :]) if list(messages[: len(stored)]) == stored else None
    if rest is None or any(_convert.role_of(m) not in ("user", "system") for m in rest):
        raise ForeignMessageError(
            "set_messages may only add user or system messages after the stored history; "
            f"nothing was changed. {PAIRING_HINT}"
        )
    validate(rest)
    return [m.model_copy(deep=True) for m in rest]
