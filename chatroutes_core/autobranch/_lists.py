"""AutoBranch rules for lists: list lines, "first, … second, …", inline "1) … 2) …", "two questions: …"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._candidate import Candidate
from ._text import clean, clean_span, end_of_sentence, opens_clause, span

__all__ = ["enumerations"]


def enumerations(text: str) -> Iterable[Candidate]:
    """Every list-shaped candidate in ``text``."""
    yield from _line_lists(text)
    yield from _ordinal_lists(text)
    yield from _header_lists(text)


_LIST_LINE = re.compile(r"[ \t]*(?:\(?\d{1,2}[.)]|\(?[a-h]\)|[-*•+])[ \t]+(?P<label>\S.*)")


def _line_lists(text: str) -> Iterable[Candidate]:
    """Runs of at least two list lines (blank lines between items allowed)."""
    run: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        m = _LIST_LINE.fullmatch(stripped)
        if m:
            run.append((pos + m.start(), pos + len(stripped.rstrip()), m.group("label").rstrip(" \t")))
        elif stripped.strip():
            yield from _emit_list(text, run)
            run = []
        pos += len(line)
    yield from _emit_list(text, run)


def _emit_list(text: str, run: list[tuple[int, int, str]]) -> Iterable[Candidate]:
    if len(run) < 2:
        return
    start, end = span(text, run[0][0], run[-1][1])
    before = text[max(0, start - 200) : start]
    asks = bool(
        re.search(r"\?|:\s*$|\b(?:which|choose|options?|compare|should|help|questions?)\b", before, re.I)
    )
    confidence = min(0.95, 0.75 + (0.1 if asks else 0.0) + 0.03 * (len(run) - 2))
    yield Candidate(
        "enumeration",
        start,
        end,
        round(confidence, 2),
        tuple(clean(label) or label for _, _, label in run),
        f"A list of {len(run)} items; each item can be explored on its own branch.",
    )


# The word must open a clause (checked by opens_clause); the lookbehind only skips mid-word hits cheaply.
_ORDINAL = re.compile(
    r"(?<![^\s.;:!?,])(?P<word>first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|finally|lastly)\s*[,:]",
    re.I,
)
_INLINE_NUMBER = re.compile(r"(?:(?<=^)|(?<=[\s:;,]))\(?(?P<n>[1-9])\)\s+")


def _ordinal_lists(text: str) -> Iterable[Candidate]:
    """ "First, … Second, …" and inline "1) … 2) …" lists."""
    marks = [m for m in _ORDINAL.finditer(text) if opens_clause(text, m.start("word"))]
    words = [m.group("word").lower().removesuffix("ly") for m in marks]
    if "first" in words and "second" in words[words.index("first") :]:
        first = words.index("first")
        yield _marked_list(text, marks[first:], "ordinal words")
    numbers = list(_INLINE_NUMBER.finditer(text))
    seq: list[re.Match[str]] = []
    for m in numbers:
        if int(m.group("n")) == len(seq) + 1:
            seq.append(m)
        elif int(m.group("n")) == 1:
            seq = [m]
    if len(seq) >= 2 and "\n" not in text[seq[0].start() : seq[-1].start()]:
        yield _marked_list(text, seq, "inline numbering")


def _marked_list(text: str, marks: list[re.Match[str]], how: str) -> Candidate:
    options: list[str] = []
    for i, m in enumerate(marks):
        stop = marks[i + 1].start() if i + 1 < len(marks) else end_of_sentence(text, m.end())
        options.append(clean(text[m.end() : stop]))
    start = marks[0].start()
    stop = end_of_sentence(text, marks[-1].end())
    start, end = span(text, start, stop)
    labels = tuple(o for o in options if o)
    return Candidate(
        "enumeration",
        start,
        end,
        0.8 if len(labels) >= 2 else 0.5,
        labels,
        f"Items introduced by {how}; each can be handled on its own branch.",
    )


_HEADER = re.compile(
    r"\b(?P<count>two|three|four|five|2|3|4|5|a couple of|several|a few|multiple)\s+"
    r"(?:separate\s+|different\s+|quick\s+|unrelated\s+)?(?:questions|things|issues|requests|problems|topics)"
    r"\s*:\s*",
    re.I,
)
_COUNTS = {"two": 2, "2": 2, "a couple of": 2, "three": 3, "3": 3, "four": 4, "4": 4, "five": 5, "5": 5}


_QUESTION_SPLIT = re.compile(
    r"\?\s*|;\s*|,\s*(?:and\s+)?|\s+and\s+(?=how|what|why|where|when|which|can|could|is|are|do|does)"
)
# When the announced count is not reached, a plain "and" separates the items too ("two things: X and Y").
_LOOSE_SPLIT = re.compile(_QUESTION_SPLIT.pattern + r"|\s+and\s+")


def _header_lists(text: str) -> Iterable[Candidate]:
    """ "I have two questions: how …? and what …?" on one line.

    The list runs to the end of the line (or up to the next announcement, so each body is read once),
    and stops after as many items as it announces ("two questions: …").
    """
    headers = list(_HEADER.finditer(text))
    for i, m in enumerate(headers):
        after = headers[i + 1] if i + 1 < len(headers) else None
        limit = after.start() if after else len(text)
        line_end = text.find("\n", m.end(), limit)
        line_end = limit if line_end < 0 else line_end
        wanted = _COUNTS.get(m.group("count").lower())
        items, end = _items(text, m.end(), line_end, wanted, _QUESTION_SPLIT)
        if wanted and len(items) < wanted:
            items, end = _items(text, m.end(), line_end, wanted, _LOOSE_SPLIT)
        if len(items) < 2:
            continue
        start, end = span(text, m.start(), end)
        yield Candidate(
            "enumeration",
            start,
            end,
            0.85,
            tuple(items),
            "The text announces several questions and lists them; each can get its own branch.",
        )


def _items(
    text: str, pos: int, line_end: int, wanted: int | None, split: re.Pattern[str]
) -> tuple[list[str], int]:
    """The announced items after ``pos`` (at most ``wanted``) and where the list ends."""
    items: list[str] = []
    for sep in [*split.finditer(text, pos, line_end), None]:
        a, b = clean_span(text, pos, sep.start() if sep else line_end)
        if a < b:
            items.append(text[a:b])
            if len(items) == wanted:  # the list ends with this item (and its own "?")
                return items, b + 1 if sep and text[sep.start()] == "?" else b
        if sep is None:
            break
        pos = sep.end()
    return items, line_end
