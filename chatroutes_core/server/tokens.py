"""A deterministic token estimate and the word pieces a reply is streamed in.

The local server has no tokenizer: one token is counted per four characters (rounded up), plus a fixed
overhead per chat message, which is close enough to real tokenizers for usage numbers and checkpoint sizes
and, above all, deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Tokens added per chat message for the role and separators (as OpenAI-style chat formats do).
MESSAGE_OVERHEAD = 4

_PIECE = re.compile(r"\S+\s*|\s+")


def estimate_tokens(text: str) -> int:
    """Tokens in ``text``: one per four characters, rounded up (0 for the empty string)."""
    return (len(text) + 3) // 4


def estimate_prompt_tokens(contents: Iterable[str]) -> int:
    """Tokens of a chat prompt made of messages with these contents."""
    return sum(estimate_tokens(content) + MESSAGE_OVERHEAD for content in contents)


def split_pieces(text: str) -> list[str]:
    """Split a reply into stream pieces (a word with its trailing whitespace); joining them gives ``text``."""
    return _PIECE.findall(text)
