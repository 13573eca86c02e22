"""Text primitives the AutoBranch rules share: sentence spans, trimming, option labels, content words."""

from __future__ import annotations

import re

__all__ = [
    "ACTION",
    "clean",
    "clean_span",
    "content_words",
    "end_of_sentence",
    "opens_clause",
    "sentences",
    "span",
    "words",
]


def words(text: str) -> frozenset[str]:
    """A word set from a space-separated string."""
    return frozenset(text.split())


_WORD = re.compile(r"[A-Za-z0-9][\w'+#.-]*")
_STOP = words(
    "a an the i me my we our you your it its is are was were be been am do does did how what why "
    "where when which who whom can could would should will shall may might must to of in on at for "
    "with about from by and or but so if then than that this these those there here have has had "
    "get got not no please also just any some more most very much many one need want like know tell "
    "help question"
)


# Verbs that open a request to the assistant ("update my address", "book a table").
ACTION = (
    r"(?:update|remind|send|book|explain|tell|show|write|create|delete|check|give|add|change|cancel|"
    r"summari[sz]e|translate|review|find|schedule|list|compare|describe|draft|email|order|recommend|"
    r"suggest|reset|renew|refund|upgrade|downgrade|install|configure|set up|rebook|reschedule|track|"
    r"return|exchange|replace|confirm|extend|unsubscribe|transfer|fix|recommend|reserve|remove|revoke|proofread|"
    r"outline|rewrite|edit|estimate|calculate|prepare|generate|merge|pause|resend|rotate)"
)


def opens_clause(text: str, index: int) -> bool:
    """Whether ``text[index:]`` opens a clause: only spaces since the start or a ``.;:!?,`` mark."""
    while index > 0 and text[index - 1].isspace():  # one whitespace run per call: linear overall
        index -= 1
    return index == 0 or text[index - 1] in ".;:!?,"


def span(text: str, start: int, end: int, trailing: str = "") -> tuple[int, int]:
    """Shrink ``[start, end)`` past surrounding whitespace (and ``trailing`` characters at the end)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in trailing):
        end -= 1
    return start, end


# A line break ends a sentence unless the next line goes on in lower case (hard-wrapped prose).
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n(?![^\S\n]*[a-z])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split after ``.``/``!``/``?`` followed by whitespace, and at newlines."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start() if m.group() == "\n" else m.end()
        s, e = span(text, pos, end)
        if s < e:
            spans.append((s, e))
        pos = m.end()
    s, e = span(text, pos, len(text))
    if s < e:
        spans.append((s, e))
    return spans


_END = re.compile(r"[.!?](?=\s|$)|\n")


def end_of_sentence(text: str, pos: int) -> int:
    """Where the sentence around ``pos`` ends: after its ``.``/``!``/``?``, or before a newline."""
    m = _END.search(text, pos)
    return m.end() if m and m.group() != "\n" else (m.start() if m else len(text))


_CONNECTOR_PREFIX = re.compile(
    r"(?:(?:and|but|or|also|plus|then|alternatively|additionally|separately|secondly|firstly|"
    r"second|first|third|thirdly|finally|lastly|otherwise|else|by the way|btw|oh|besides|furthermore|"
    r"moreover|in addition|on top of that|on (?:a|another) (?:separate|different|unrelated|related) note)"
    r"\b[\s,]*)+",
    re.I,
)
_EDGE = " ,;:-–—\t"
_TAIL = ".,;:!"


def clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of ``clean(text[start:end])`` inside ``text`` (empty when nothing is left)."""
    part = text[start:end]
    trimmed = part.strip()
    start += part.find(trimmed[:1]) if trimmed else len(part)
    part = trimmed.strip(_EDGE)
    start += trimmed.find(part[:1]) if part else len(trimmed)
    m = _CONNECTOR_PREFIX.match(part)
    if m:
        start, part = start + m.end(), part[m.end() :]
    trimmed = part.strip().rstrip(_TAIL).strip()
    start += part.find(trimmed[:1]) if trimmed else len(part)
    return start, start + len(trimmed)


def clean(option: str) -> str:
    """An option's label: trimmed of spaces, edge punctuation and leading connector words."""
    start, end = clean_span(option, 0, len(option))
    return option[start:end]


def content_words(fragment: str) -> set[str]:
    """Lower-case words of ``fragment`` that are not stop words."""
    return {w.lower().strip(".'") for w in _WORD.findall(fragment)} - _STOP
