"""``ReplyMemory``: the replies an LLM generated, by text, so a chat engine's text copy gets its ref back.

Chat engines such as ``ContextChatEngine`` and ``CondensePlusContextChatEngine`` store ``str(response)``
in their memory, a plain copy of the reply with its ids dropped. The LLM remembers the sealed ref of each
reply it produced (a digest of the exact text -> the ref), so a word-for-word copy in a later list is
recognised as that reply and proves the list's prefix like the original would.

One lock lives here, with the entries it guards; ``ChatRoutes.bind()`` copies share the memory object itself.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.errors import UsageError
from chatroutes_core.mapper import TreeRef
from llama_index_chatroutes._convert import reply_digest

__all__ = ["ReplyMemory", "account_replies"]


class ReplyMemory:
    """A bounded, thread-safe LRU of ``reply text -> sealed ref`` (most recent reply wins)."""

    def __init__(self, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise UsageError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[str, TreeRef] = OrderedDict()
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> ReplyMemory:
        return self  # shared by design: a deep copy of the LLM remembers the same replies, as bind() does

    def remember(self, text: str, ref: TreeRef) -> None:
        """Record that ``ref`` is the reply with exactly ``text`` (evicting the oldest beyond maxsize)."""
        digest = reply_digest(text)
        with self._lock:
            self._entries[digest] = ref
            self._entries.move_to_end(digest)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def lookup(self, digest: str, conversation_id: str | None = None) -> TreeRef | None:
        """The ref of the reply whose :func:`reply_digest` is ``digest`` (in ``conversation_id`` if given)."""
        with self._lock:
            ref = self._entries.get(digest)
        if ref is None or (conversation_id and ref.conversation_id != conversation_id):
            return None
        return ref

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"ReplyMemory(maxsize={self.maxsize}, size={len(self)})"


# -- the replies of one account, for the chat stores -------------------------------------------------------

_ACCOUNTS_MAX = 64
_accounts: OrderedDict[tuple[str, str, bool], ReplyMemory] = OrderedDict()
_accounts_lock = threading.Lock()


def account_replies(client: ChatRoutesClient | AsyncChatRoutesClient, side: bool = False) -> ReplyMemory:
    """The process-wide :class:`ReplyMemory` of one account on one server (like the shared clients).

    Every ``ChatRoutes`` LLM records its turn replies here too, so a chat store of the same account can
    recognise a chat engine's text copy of a reply on a *name*'s first turn (the engine called the LLM
    before writing anything to the store: see ``_store_flows.adopt``). ``client``: the object's client,
    whose base URL and key decide; keyed by the URL and a SHA-256 digest of the key, never the key, so two
    keys never share an entry. A hint only: a ref found here is checked against the server before use.
    ``side=True``: the replies of side calls (their texts only matter: a store names them in its error).
    """
    account = (client.base_url, hashlib.sha256((client.api_key or "").encode()).hexdigest(), side)
    with _accounts_lock:
        memory = _accounts.get(account)
        if memory is None:
            memory = _accounts[account] = ReplyMemory()
        _accounts.move_to_end(account)
        while len(_accounts) > _ACCOUNTS_MAX:
            _accounts.popitem(last=False)
        return memory
