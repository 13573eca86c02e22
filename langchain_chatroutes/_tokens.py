"""An offline token count for every supported model: no download, no ``transformers``, no vocabulary file.

``langchain-core``'s default counter (``trim_messages(..., token_counter=model)``) loads GPT-2 through
``transformers`` and downloads its vocabulary. ChatRoutes models are GPT-5 (the ``o200k`` encoding) and
Claude (whose tokenizer Anthropic does not publish), so we estimate instead: the text is split the way
``o200k``'s pre-tokenizer splits it (words with their leading space, digit groups of up to three,
punctuation runs, whitespace) and each piece is priced by its length and script. The error against the real
``o200k`` encoding is measured by ``python -m bench.tokens`` and reported in ``docs/langchain.md``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

__all__ = ["count_message_tokens", "count_text_tokens"]

_PIECES = re.compile(
    r"(?:[^\r\n\w]|_)?[^\W\d_]+"  # a word, with one leading space or punctuation mark (" foo", "'s", ".com")
    r"| ?\d{1,3}"  # digits, in groups of up to three
    r"| ?(?:[^\s\w]|_)+[\r\n]*"  # a punctuation run
    r"|\s*[\r\n]+"  # line breaks (with the indentation before them)
    r"|\s+(?!\S)|\s+"  # spaces
)
_WORD_CHARS = 8  # an English word up to this long is one token; longer ones split in parts of about seven
_SUBWORD = 7.0
_PUNCTUATION = 2.5  # characters a punctuation token covers
_PER_MESSAGE = 3  # role and separators, as OpenAI's chat format counts them
_REPLY_PRIMING = 3  # the assistant turn every request primes


def _word_tokens(word: str) -> int:
    letters = word.lstrip(" ")
    if letters.isascii():
        size = len(letters)
        return 1 if size <= _WORD_CHARS else math.ceil(size / _SUBWORD)
    cjk = sum(1 for ch in letters if ord(ch) >= 0x2E80)  # CJK, kana, hangul: about one token a character
    other = len(letters) - cjk  # Latin with accents, Cyrillic, Greek...: about 2.5 characters a token
    return max(1, cjk + math.ceil(other / 2.5))


def count_text_tokens(text: str) -> int:
    """The estimated ``o200k`` token count of ``text`` (0 for the empty string)."""
    total = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        if piece[-1].isalpha():
            total += _word_tokens(piece if piece[0].isalpha() else piece[1:])
        elif piece.strip(" ").isdigit():
            total += 1
        elif piece.isspace():
            total += 1 if "\n" not in piece else piece.count("\n") // 2 + 1
        else:
            total += math.ceil(len(piece.strip()) / _PUNCTUATION)
    return total


def _message_texts(message: BaseMessage) -> Iterable[str]:
    content = message.content
    if isinstance(content, str):
        yield content
    else:
        for block in content:
            if isinstance(block, str):
                yield block
            elif isinstance(block, dict) and isinstance(block.get("text"), str):
                yield block["text"]
            else:
                yield json.dumps(block, default=str)
    if isinstance(message, AIMessage) and message.tool_calls:
        yield json.dumps([[call["name"], call["args"]] for call in message.tool_calls], default=str)
    if isinstance(message, ToolMessage):
        yield message.tool_call_id
    if message.name:
        yield message.name


def count_message_tokens(messages: Sequence[BaseMessage], tools: Sequence[Any] | None = None) -> int:
    """The estimated prompt size of ``messages`` (and of ``tools``' declarations, when given)."""
    total = _REPLY_PRIMING if messages else 0
    for message in messages:
        total += _PER_MESSAGE + sum(count_text_tokens(text) for text in _message_texts(message))
    if tools:
        from langchain_chatroutes._tools import format_tools

        total += count_text_tokens(json.dumps(format_tools(tools), default=str))
    return total
