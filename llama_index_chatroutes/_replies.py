"""``ReplyMemory``: the replies an LLM generated, by text, so a chat engine's text copy gets its ref back.

Chat engines such as ``ContextChatEngine`` and ``CondensePlusContextChatEngine`` store ``str(response)``
in their memory, a plain copy of the reply with its ids dropped. The LLM remembers the sealed ref of each
reply it produced (a digest of the exact text -> the ref), so a word-for-word copy in a later list is
recognised as that reply and proves the list's prefix like the original would.

One lock lives here, with the entries it guards; ``ChatRoutes.bind()`` copies share the memory object itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from chatroutes_core.errors import UsageError
from chatroutes_core.mapper import TreeRef
from llama_index_chatroutes._convert import reply_digest

__all__ = ["ReplyMemory"]


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
