"""A JSON decoder without recursion, for documents nested deeper than ``json.loads`` goes.

``json.loads`` recurses once per array or object and gives up near 1,000 levels (a conversation tree of
500 nested forks, as ``GET /conversations/{id}/tree`` nests ``{branch, children: [...]}``). :func:`loads`
tries ``json.loads`` first and only on ``RecursionError`` parses again here, with an explicit stack, in
time linear in the text. Strings and numbers are read by the standard library's own scanners, so the
result is the one ``json.loads`` would give.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads"]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}
scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]  # the C string scanner (untyped)


def loads(data: str | bytes) -> Any:
    """``json.loads(data)``, at any depth; ``ValueError`` (a ``json.JSONDecodeError``) on bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        return _parse(text)


def _parse(text: str) -> Any:
    stack: list[tuple[list[Any] | dict[str, Any], str | None]] = []  # container, pending key
    pos = _skip(text, 0)
    while True:
        # A value starts at `pos`.
        ch = text[pos : pos + 1]
        value: Any
        if ch == "{" or ch == "[":
            container: list[Any] | dict[str, Any] = {} if ch == "{" else []
            pos = _skip(text, pos + 1)
            closer = "}" if ch == "{" else "]"
            if text[pos : pos + 1] == closer:
                value, pos = container, pos + 1
            else:
                key = None
                if isinstance(container, dict):
                    key, pos = _key(text, pos)
                stack.append((container, key))
                continue
        elif ch == '"':
            value, pos = scanstring(text, pos + 1)
        else:
            value, pos = _scalar(text, pos)
        # Attach `value` and close every container that ends here.
        while True:
            pos = _skip(text, pos)
            if not stack:
                if pos != len(text):
                    raise json.JSONDecodeError("Extra data", text, pos)
                return value
            container, key = stack[-1]
            if isinstance(container, dict):
                container[key] = value  # type: ignore[index]
            else:
                container.append(value)
            sep = text[pos : pos + 1]
            closer = "}" if isinstance(container, dict) else "]"
            if sep == ",":
                pos = _skip(text, pos + 1)
                if isinstance(container, dict):
                    key, pos = _key(text, pos)
                    stack[-1] = (container, key)
                break
            if sep != closer:
                raise json.JSONDecodeError(f"Expecting ',' or {closer!r}", text, pos)
            stack.pop()
            value, pos = container, pos + 1


def _skip(text: str, pos: int) -> int:
    """The position after the whitespace at ``pos``."""
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _key(text: str, pos: int) -> tuple[str, int]:
    if text[pos : pos + 1] != '"':
        raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    key, pos = scanstring(text, pos + 1)
    pos = _skip(text, pos)
    if text[pos : pos + 1] != ":":
        raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
    return key, _skip(text, pos + 1)


def _scalar(text: str, pos: int) -> tuple[Any, int]:
    for word, constant in _CONSTANTS.items():
        if text.startswith(word, pos):
            return constant, pos + len(word)
    match = _NUMBER.match(text, pos)
    if match is None or match.end() == pos:
        raise json.JSONDecodeError("Expecting value", text, pos)
    integer, fraction, exponent = match.groups()
    number = float(integer + (fraction or "") + (exponent or "")) if fraction or exponent else int(integer)
    return number, match.end()
