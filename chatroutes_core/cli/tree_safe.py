"""Making the server's text safe to draw: titles, ids, roles and contents are whatever a client stored.

A title can hold an escape sequence (an OSC window title, an OSC 8 link, clear-screen), a line break (a
forged header line in the terminal, a way out of a mermaid ``%%`` comment onto a ``click`` line), a C1 CSI
(``\\x9b``, a one-byte escape on some terminals), a bidi override (text that reads differently than it
is), or a lone surrogate (which no UTF-8 terminal or file can take). Every renderer passes every piece of
server text through one of these functions:

- :func:`one_line`: a label on one line; line and tab breaks become a space, every other such character
  its visible escape (``\\x1b``, ``\\u202e``).
- :func:`multi_line`: a message body for html; ``\\n`` and ``\\t`` are kept, the rest as in ``one_line``.
- :func:`json_safe`: JSON text (already valid) with those characters written as ``\\uXXXX`` escapes, so
  ``json.loads`` gives back exactly the server's text and the bytes are safe on a terminal.
"""

from __future__ import annotations

import re

__all__ = ["UNSAFE", "json_safe", "multi_line", "one_line"]

# C0 and C1 controls and DEL; line/paragraph separators; bidi embeddings, overrides, isolates and marks;
# the BOM; lone surrogates.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
# What json.dumps(ensure_ascii=False) leaves raw in its strings (it escapes C0 itself; the indentation's
# line breaks outside strings must stay as they are).
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_BREAKS = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _line(match: re.Match[str]) -> str:
    ch = match.group()
    return " " if ch in _BREAKS else _visible(ch)


def one_line(text: str) -> str:
    """``text`` on one line with nothing a terminal, mermaid or html would act on (see the module doc)."""
    return UNSAFE.sub(_line, text)


def _body(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in "\n\t":
        return ch
    return "\n" if ch in "\x0b\x0c\x85\u2028\u2029" else _visible(ch)


def multi_line(text: str) -> str:
    """``text`` keeping line breaks (``\\r\\n`` and ``\\r`` become ``\\n``) and tabs, and no other control."""
    return UNSAFE.sub(_body, text.replace("\r\n", "\n").replace("\r", "\n"))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """Valid JSON text with every unsafe character (only ever inside its strings) as a ``\\u`` escape."""
    return _JSON_UNSAFE.sub(_json_escape, text)
