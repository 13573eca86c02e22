"""AutoBranch rule for conditionals: "if X then Y, otherwise Z", "if X, A; if Y, B", "if X, tell me Y"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._candidate import Candidate
from ._text import ACTION, clean, opens_clause, span

__all__ = ["conditionals"]

# Every part has a bounded length, a condition never runs past "if"/"then" and an outcome never past a
# new "if", so each "if" reads a bounded window and backtracking cannot grow with the text.
_COND = r"(?:(?!\b(?:if|then)\b)[^,.;?!\n]){1,160}"
_OUTCOME = r"(?:(?!\bif\b)[^.;?!\n]){0,240}"
# A new clause after a condition with no comma: "if it rains we'll stay in".
_SUBJECT = r"(?:I|we|you|they|he|she|it)(?:'ll|'d|\s+will|\s+would|\s+should|\s+can|\s+must)\b"
_IF_ELSE = re.compile(
    rf"\b(?:if|in case)\s+(?P<cond>{_COND}?)(?:\s*,\s*(?:then\s+)?|\s+then\s+|\s+(?={_SUBJECT}))"
    rf"(?P<then>[^\s.;?!\n]{_OUTCOME}?)\s*(?:[,;.]\s*)?"
    r"(?:but\s+)?(?:otherwise|else|if not)\b[,:]?\s*(?P<else>[^.?!\n]{1,240})",
    re.I,
)
_IF_IF = re.compile(
    r"\bif\s+(?P<c1>(?:(?!\bif\b)[^,.;?!\n]){1,160}),\s*"
    rf"(?P<a1>[^\s.;?!\n]{_OUTCOME}?)[.;,]\s*(?:and\s+|but\s+)?"
    r"if\s+(?P<c2>(?:(?!\bif\b)[^,.;?!\n]){1,160}),\s*(?P<a2>[^.;?!\n]{1,240})",
    re.I,
)
_IF_THEN = re.compile(rf"\bif\s+(?P<cond>{_COND}?)\s*,?\s+then\s+(?P<then>[^.;?!\n]{{1,240}})", re.I)
_POLITE = re.compile(
    r"^(?:you (?:can|could|would|don't mind|do not mind|have time|want|like|please|get a chance|"
    r"have a (?:minute|moment|second|chance)|have any|need (?:anything|more|help))|possible|needed|"
    r"necessary|any|so|anything|applicable|it'?s (?:not too much trouble|ok|okay|possible|convenient)|"
    r"that'?s (?:ok|okay|fine|alright)|not too much trouble|convenient)\b",
    re.I,
)
# "If X, " (a condition and a comma): how the next two patterns start.
_IF_X = rf"\b(?:if|in case)\s+(?P<cond>{_COND}),\s*(?:then\s+)?"
# "If X, <a request to the assistant>": the request itself depends on the condition ("If it's cheaper,
# also tell me how to migrate."), so the answer branches on whether X holds.
_IF_REQUEST = re.compile(
    rf"{_IF_X}(?P<then>(?:(?:also|just|please)\s+)*"
    rf"(?:(?:(?:can|could|would|will) you|let me know|I'?d like|help me|walk me through)\b|{ACTION}\b)"
    r"[^.;?!\n]{0,240})",
    re.I,
)
# "If X, <question>?": a question about a case that may or may not hold ("If my application is rejected,
# what are my options?").
_IF_QUESTION = re.compile(
    rf"{_IF_X}(?P<then>(?:what|how|which|who|where|when|should|do|does|can|could|will|would|is|are|am)\b"
    r"[^.;?!\n]{0,240})(?=\?)",
    re.I,
)


# "If so, …" / "If not, …" after a question: the next step depends on the answer.
_IF_SO = re.compile(
    r"\b(?P<cond>if (?:so|not|yes|that's the case|that is the case|it does|it is|they do))\s*,\s*"
    r"(?P<then>[^.;?!\n]{3,240})",
    re.I,
)
_OR = re.compile(r"\bor\b", re.I)
_QUESTION_REACH = 300  # how far back the question before "If so" is looked for


def conditionals(text: str) -> Iterable[Candidate]:
    for m in _IF_ELSE.finditer(text):
        yield _conditional(text, m, m.group("cond"), (m.group("then"), m.group("else")), 0.9)
    for m in _IF_IF.finditer(text):
        yield _conditional(text, m, m.group("c1"), (m.group("a1"), m.group("a2")), 0.85)
    for m in _IF_THEN.finditer(text):
        if not _POLITE.match(m.group("cond")):
            yield _conditional(text, m, m.group("cond"), (m.group("then"), f"not {m.group('cond')}"), 0.65)
    for m in _IF_SO.finditer(text):
        question = _question_before(text, m.start())
        if question is not None:
            cond = m.group("cond").lower()
            other = "if not" if cond != "if not" else "if so"
            then = clean(m.group("then")) or m.group("then").strip()
            start, end = span(text, question, m.end(), trailing=",;:")
            yield Candidate(
                "conditional",
                start,
                end,
                0.75,
                (then, other),
                "The next step depends on the answer to the question before it; each answer can branch.",
                condition=text[question : m.start()].strip(),
            )
    for pattern in (_IF_REQUEST, _IF_QUESTION):
        for m in pattern.finditer(text):
            if pattern is _IF_QUESTION and _OR.search(m.group("then")):
                continue  # "If X, do I contact you or the courier?": the choice is the point, X its context
            if opens_clause(text, m.start()) and not _POLITE.match(m.group("cond")):
                outcomes = (m.group("then"), f"not {m.group('cond')}")
                yield _conditional(text, m, m.group("cond"), outcomes, 0.75)


def _conditional(text: str, m: re.Match[str], cond: str, outcomes: tuple[str, str], conf: float) -> Candidate:
    start, end = span(text, m.start(), m.end(), trailing=",;:")
    return Candidate(
        "conditional",
        start,
        end,
        conf,
        tuple(clean(o) or o.strip() for o in outcomes),
        f"The outcome depends on a condition ({cond.strip()}); each case can be followed on its own branch.",
        condition=cond.strip(),
    )


def _question_before(text: str, index: int) -> int | None:
    """Where the question that ends just before ``index`` starts, if ``text[:index]`` ends with one."""
    q = index
    while q > 0 and text[q - 1].isspace():
        q -= 1
    if q == 0 or text[q - 1] != "?":
        return None
    lo = max(0, q - _QUESTION_REACH)
    start = max(text.rfind(mark, lo, q - 1) for mark in ".!?\n") + 1
    return max(start, lo)
