"""AutoBranch rule for several independent requests in one message (``multi_intent``)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from ._candidate import Candidate
from ._text import ACTION, clean_span, content_words, span

__all__ = ["multi_intents"]

_REQUEST = re.compile(
    r"\?|\b(?:need|want|help|question|questions|how|what|why|where|when|which|please|explain|tell me|"
    r"show me|issue|problem|trouble|wondering|like to|looking for|can you|could you|would you)\b",
    re.I,
)

# A sentence that is itself a request: imperative, "can you …", "please …".
_REQUEST_START = re.compile(rf"^(?:(?:can|could|would|will) you\s+|please\s+)?{ACTION}\b", re.I)
_BACK_REFERENCE = re.compile(r"\b(?:it|them|this|that|these|those)\b", re.I)
_PLEASANTRY = re.compile(
    r"^(?:thanks|thank you|thx|hi|hello|hey|great|ok|okay|cheers|perfect|awesome|good (?:morning|evening))"
    r"\b[\s\w,]{0,20}[.!]*$",
    re.I,
)
# Connectors that join two independent requests inside one sentence, with a confidence each.
# Most are "and"/"plus" plus what follows; they open at a comma or at the first space of the run before the
# word. One scan finds every "and"/"plus"; each continuation is then tried right after it.
_AND_WORD = re.compile(r"(?<=\s)(?P<word>and|plus)\s+", re.I)
# An action joined to a request by a plain "and"/"plus": "reset my password and update my address".
_AND_ACTION = re.compile(rf"(?:[,;]|(?<![\s,;]))\s+(?:and|plus)\s+(?=(?:also\s+)?{ACTION}\b)", re.I)
_AND, _PLUS, _EITHER = frozenset({"and"}), frozenset({"plus"}), frozenset({"and", "plus"})
_AFTER_AND: tuple[tuple[frozenset[str], re.Pattern[str], float], ...] = (
    (_EITHER, re.compile(rf"(?=(?:also\s+)?{ACTION}\b)", re.I), 0.75),
    (_AND, re.compile(r"(?:(?:I|we)(?:'d|'m|\s+would|\s+am)?\s+)?also\b", re.I), 0.85),
    (_AND, re.compile(r"(?:I\s+)?(?:separately|additionally)\b", re.I), 0.85),
    (_AND, re.compile(r"(?=(?:can|could|would|will)\s+you\b)", re.I), 0.8),
    (_AND, re.compile(r"(?=please\b)", re.I), 0.75),
    (_AND, re.compile(r"(?=I(?:'d|\s+would|\s+also)?\s+(?:need|want|like|have)\b)", re.I), 0.75),
    (_PLUS, re.compile(r"(?=(?:I|can|could|how|what|where|why)\b)", re.I), 0.75),
    # "I can't log in and I'm not sure whether …": a problem, then a choice about it
    (
        _AND,
        re.compile(r"(?=(?:I'm|I am|we're|we are)\s+(?:not sure|unsure|wondering|debating)\b)", re.I),
        0.8,
    ),
)
_OTHER_CONNECTORS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"[,;]\s*(?:I\s+)?also\b", re.I), 0.8),
    (re.compile(r"[,;]\s+and\s+(?=(?:how|what|where|why|which)\b)", re.I), 0.8),
    # ", and can I …?": a second question with its own subject
    (re.compile(r"[,;]\s+and\s+(?=(?:can|could|may|should|do|does|is|are)\s+(?:I|we)\b)", re.I), 0.75),
    # ", and does Business include …?": a second question about something named (not "there", "it")
    (
        re.compile(
            r"[,;]\s+and\s+(?=(?:does|do|is|are|will|can)\s+(?!there\b|it\b|they\b|that\b|this\b|I\b|we\b)"
            r"(?:the\s+|your\s+|an?\s+)?[A-Z])"
        ),
        0.75,
    ),
    (
        re.compile(
            r"(?<!\s)\s+as\s+well\s+as\s+(?=(?:how|what|where|why|which|a|an|the|my|some|help)\b)", re.I
        ),
        0.72,
    ),
)

# Connectors that split only a question or an imperative request (``_ASKING``) ...
_ASKING_ONLY: tuple[tuple[re.Pattern[str], float], ...] = (
    # "Tell me the capital of Australia and how many states it has": a second question after a request
    (
        re.compile(
            r"(?<=\w)\s+and\s+(?=(?:how many|how much|how long|what|when|where|why)\s+\w+\s+\w)", re.I
        ),
        0.72,
    ),
)
# ... or only a sentence that asks for things ("I need …", "we'd like …"), never one that weighs them.
_NEED_HEAD = re.compile(
    r"^(?:hi|hello|hey)?[,!\s]*(?:I|we)(?:'d|\s+would|'m|\s+am)?\s+(?:also\s+)?"
    r"(?:need|want|like|looking for)\b",
    re.I,
)
_NEED_ONLY: tuple[tuple[re.Pattern[str], float], ...] = (
    # "I need help with pricing information and technical support": two things asked for
    (
        re.compile(
            r"(?<=\w)\s+and\s+(?=(?:(?:a|an|some)\s+\w+\s+\w|(?:technical|tech|customer|billing|sales)\s+"
            r"(?:support|help|advice|assistance)\b))",
            re.I,
        ),
        0.72,
    ),
)
_GUARDED = ((_ASKING_ONLY, 1), (_NEED_ONLY, 2))


def _connectors(text: str) -> list[tuple[int, int, float, int]]:
    """Every connector in ``text`` as ``(start, end, confidence, guard)``, sorted (guard 0: always)."""
    found = [(m.start(), m.end(), conf, 0) for p, conf in _OTHER_CONNECTORS for m in p.finditer(text)]
    for patterns, guard in _GUARDED:
        found += [(m.start(), m.end(), conf, guard) for p, conf in patterns for m in p.finditer(text)]
    for m in _AND_WORD.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1].isspace():  # back to the start of the run of spaces
            start -= 1
        if start > 0 and text[start - 1] in ",;":
            start -= 1
        word = m.group("word").lower()
        for words, after, conf in _AFTER_AND:
            if word in words and (tail := after.match(text, m.end())):
                found.append((start, tail.end(), conf, 0))
    return sorted(found)


# A sentence that opens with one of these starts a new, separate request.
_NEW_REQUEST = re.compile(
    r"^(?:and\s+)?(?:also|additionally|separately|plus|besides|furthermore|moreover|by the way|btw|"
    r"oh,?\s+and|one (?:other|last) (?:thing|question)|last question|another quick question|in addition|"
    r"on top of that|p\.?s\.?|"
    r"on (?:a|another) (?:separate|different|unrelated|related) note|unrelated(?:ly)?|"
    r"another (?:question|thing|issue|request)|one more (?:thing|question)|a second (?:question|thing)|"
    r"i (?:also|additionally) (?:need|want|have|would like)|(?:and|also)\s+(?:can|could|would) you)\b",
    re.I,
)
_FOLLOW_UP = re.compile(
    r"^(?:it|its|it's|this|that|these|those|they|them|then|so|and if|what about|how about|why|"
    r"or|is it|does it|do they|are they|can it|could it|will it)\b",
    re.I,
)


_ANNOUNCED = re.compile(r"\b(?:questions|things|issues|requests|problems|topics)\s*:", re.I)
# A clause that opens with one of these is subordinate ("if it's cheaper, also tell me …"): not a request.
_SUBORDINATE = re.compile(
    r"\s*(?:if|in case|unless|whenever|as soon as|provided|"
    r"(?:when|once)(?!\s+(?:is|are|was|were|do|does|did|can|could|will|would|should)\b))\b",  # "When is …?"
    re.I,
)
# A question that points back at the one before ("… open on Mondays? What time does it close?").
_POINTS_BACK = re.compile(
    r"\b(?:it|its|they|them|their)\b"
    # a place named before ("… take there?"), not "is there …" / "there is …"
    r"|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbe )"
    r"\bthere\b(?!'|\s+(?:is|are|was|were|will|would)\b)",
    re.I,
)


# A sentence that says it asks: "I wanted to ask about …", "I'd like to know …".
_ASKS = re.compile(
    r"^(?:also,?\s+)?(?:I|we)(?:'d| would)?\s+(?:also\s+)?"
    r"(?:wanted|want|like|need|was wondering|were wondering)"
    r"(?:\s+to\s+(?:ask|know|find out|understand|check))?\b(?:\s+(?:about|if|whether|how|what))",
    re.I,
)


def _is_request(sentence: str) -> bool:
    """A question, an imperative / "please" request, or "I wanted to ask about …"."""
    return sentence.endswith("?") or bool(_REQUEST_START.match(sentence) or _ASKS.match(sentence))


# "If I only have dumbbells, what changes?" after a request: a request of its own that depends on a case.
_CASE_QUESTION = re.compile(r"^if\s+(?!so\b|not\b|yes\b|that's\b|that is\b)[^,?]{3,120},\s*\S[^?]*\?$", re.I)


_THEN_ACTION = re.compile(rf"^(?:then|and then|after that|next|also)\b,?\s+{ACTION}\b", re.I)


_TWO_WORDS = re.compile(r"\S\s+\S")


def _two_words(text: str, start: int, end: int) -> bool:
    """``len(text[start:end].split()) >= 2``, reading only as far as the second word."""
    return _TWO_WORDS.search(text, start, end) is not None


def multi_intents(text: str, sentences: list[tuple[int, int]]) -> Iterable[Candidate]:
    if not _REQUEST.search(text) and not any(_REQUEST_START.match(text[a:b]) for a, b in sentences):
        return
    # Per sentence: the clause spans split at inline connectors, and the best connector's confidence.
    clauses: list[list[tuple[int, int]]] = []
    inline_conf: list[float] = []
    all_cuts = _connectors(text)
    cut_starts = [c[0] for c in all_cuts]
    for s, e in sentences:
        first, stop = bisect_left(cut_starts, s), bisect_left(cut_starts, e)
        cuts = [c for c in all_cuts[first:stop] if c[1] <= e]
        is_request = bool(_REQUEST_START.match(text[s:e]))
        if _ANNOUNCED.search(text, s, e):
            cuts = []  # "I have two questions: …, and can I …?" is one announced list (an enumeration)
        parts: list[tuple[int, int]] = []
        pos, best = s, 0.0
        asking = is_request or text[e - 1] == "?"
        needing = bool(_NEED_HEAD.match(text, s, e)) and "between" not in text[s:e].lower()
        for k, (cs, ce, conf, guard) in enumerate(cuts):
            if cs < pos or not _two_words(text, pos, cs) or not _two_words(text, ce, e):
                continue
            if (guard == 1 and not asking) or (guard == 2 and not needing):
                continue
            if _SUBORDINATE.match(text, pos, cs):
                continue  # a condition and its consequence are one request (a conditional)
            # A plain "and <action>" separates requests only after a request, with no "it/them" pointing back.
            right_end = cuts[k + 1][0] if k + 1 < len(cuts) else e
            if _AND_ACTION.match(text, cs) and not (
                is_request and not _BACK_REFERENCE.search(text, ce, right_end)
            ):
                continue
            parts.append((pos, cs))
            pos, best = ce, max(best, conf)
        parts.append((pos, e))
        clauses.append(parts)
        inline_conf.append(best)
    # Links between consecutive sentences: an opening connector, or two unrelated questions.
    link: list[float] = [0.0] * len(sentences)
    for i in range(1, len(sentences)):
        prev, cur = text[slice(*sentences[i - 1])], text[slice(*sentences[i])]
        if _NEW_REQUEST.match(cur) and len(cur.split()) >= 3:
            link[i] = 0.85
        elif _THEN_ACTION.match(cur) and _REQUEST_START.match(prev):
            link[i] = 0.75
        elif _is_request(prev) and not _FOLLOW_UP.match(prev) and _CASE_QUESTION.match(cur):
            link[i] = 0.72
        elif (
            _is_request(prev)
            and _is_request(cur)
            and not _FOLLOW_UP.match(cur)
            and not _POINTS_BACK.search(cur)
            and not _SUBORDINATE.match(cur)
        ):
            # Two requests in a row about different things (no shared content word).
            a, b = content_words(prev), content_words(cur)
            if len(a) >= 2 and len(b) >= 2 and not a & b:
                link[i] = 0.72
    i = 0
    while i < len(sentences):
        j = i
        while j + 1 < len(sentences) and link[j + 1] > 0:
            j += 1
        kept = [k for k in range(i, j + 1) if not _PLEASANTRY.match(text[slice(*sentences[k])])]
        parts = [p for k in kept for p in clauses[k]]
        conf = max([*inline_conf[i : j + 1], *link[i + 1 : j + 1]])
        if len(parts) >= 2 and conf > 0:
            spans = tuple((a, b) for a, b in (clean_span(text, a, b) for a, b in parts) if a < b)
            options = tuple(text[a:b] for a, b in spans)
            if len(options) >= 2:
                start, end = span(text, parts[0][0], parts[-1][1])
                reason = (
                    f"{len(options)} independent requests joined by "
                    + ("connecting words" if j == i else "separate sentences")
                    + "; each can be answered on its own branch."
                )
                yield Candidate("multi_intent", start, end, round(conf, 2), options, reason, parts=spans)
        i = j + 1
