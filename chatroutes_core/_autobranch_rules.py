"""The rules behind ``chatroutes_core.autobranch``: one detector per kind of branch point (pure regex work).

Each detector yields :class:`Candidate` spans; ``autobranch`` resolves overlaps, thresholds and shapes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["Candidate", "Kind", "candidates"]

Kind = Literal["multi_intent", "enumeration", "alternative", "conditional"]


@dataclass(frozen=True)
class Candidate:
    """A possible branch point: ``text[start:end]`` and its sub-parts (``options``)."""

    kind: Kind
    start: int
    end: int
    confidence: float
    options: tuple[str, ...]
    reasoning: str
    condition: str = ""


def candidates(text: str) -> list[Candidate]:
    """Every candidate branch point in ``text``, from every detector (overlaps not resolved)."""
    sentences = _sentences(text)
    return [
        *_enumerations(text),
        *_ordinal_enumerations(text),
        *_header_enumerations(text),
        *_multi_intents(text, sentences),
        *_alternatives(text, sentences),
        *_conditionals(text),
    ]


# ------------------------------------------------------------------------------------------ small helpers


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD = re.compile(r"[A-Za-z0-9][\w'+#.-]*")
_STOP = _words(
    "a an the i me my we our you your it its is are was were be been am do does did how what why "
    "where when which who whom can could would should will shall may might must to of in on at for "
    "with about from by and or but so if then than that this these those there here have has had "
    "get got not no please also just any some more most very much many one need want like know tell "
    "help question"
)
_REQUEST = re.compile(
    r"\?|\b(?:need|want|help|question|questions|how|what|why|where|when|which|please|explain|tell me|"
    r"show me|issue|problem|trouble|wondering|like to|looking for|can you|could you|would you)\b",
    re.I,
)


def _span(text: str, start: int, end: int, trailing: str = "") -> tuple[int, int]:
    """Shrink ``[start, end)`` past surrounding whitespace (and ``trailing`` characters at the end)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in trailing):
        end -= 1
    return start, end


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split after ``.``/``!``/``?`` followed by whitespace, and at newlines."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r"[.!?]+(?=\s|$)|\n", text):
        end = m.start() if m.group() == "\n" else m.end()
        s, e = _span(text, pos, end)
        if s < e:
            spans.append((s, e))
        pos = m.end()
    s, e = _span(text, pos, len(text))
    if s < e:
        spans.append((s, e))
    return spans


def _clean(option: str) -> str:
    """An option's label: trimmed of spaces, edge punctuation and leading connector words."""
    option = option.strip().strip(" ,;:-–—\t")
    option = re.sub(
        r"^(?:(?:and|but|or|also|plus|then|alternatively|additionally|separately|secondly|firstly|"
        r"second|first|third|thirdly|finally|lastly|otherwise|else)\b[\s,]*)+",
        "",
        option,
        flags=re.I,
    )
    return option.strip().rstrip(".,;:!").strip()


def _content_words(fragment: str) -> set[str]:
    return {w.lower().strip(".'") for w in _WORD.findall(fragment)} - _STOP


# --------------------------------------------------------------------------------------------- detectors

_LIST_LINE = re.compile(r"^[ \t]*(?:\(?\d{1,2}[.)]|\(?[a-h]\)|[-*•+])[ \t]+(?P<label>\S.*?)[ \t]*$")


def _enumerations(text: str) -> Iterable[Candidate]:
    """Runs of at least two list lines (blank lines between items allowed)."""
    run: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        m = _LIST_LINE.match(stripped)
        if m:
            run.append((pos + m.start(), pos + len(stripped.rstrip()), m.group("label")))
        elif stripped.strip():
            yield from _emit_list(text, run)
            run = []
        pos += len(line)
    yield from _emit_list(text, run)


def _emit_list(text: str, run: list[tuple[int, int, str]]) -> Iterable[Candidate]:
    if len(run) < 2:
        return
    start, end = _span(text, run[0][0], run[-1][1])
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
        tuple(_clean(label) or label for _, _, label in run),
        f"A list of {len(run)} items; each item can be explored on its own branch.",
    )


_ORDINAL = re.compile(
    r"(?:(?<=^)|(?<=[.;:!?,\n])\s*|(?<=\s))(?P<word>first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|"
    r"finally|lastly)\s*[,:]",
    re.I,
)
_INLINE_NUMBER = re.compile(r"(?:(?<=^)|(?<=[\s:;,]))\(?(?P<n>[1-9])\)\s+")


def _ordinal_enumerations(text: str) -> Iterable[Candidate]:
    """ "First, … Second, …" and inline "1) … 2) …" lists."""
    marks = [m for m in _ORDINAL.finditer(text) if _clause_start(text, m.start("word"))]
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


def _clause_start(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".;:!?,\n"


def _marked_list(text: str, marks: list[re.Match[str]], how: str) -> Candidate:
    options: list[str] = []
    for i, m in enumerate(marks):
        stop = marks[i + 1].start() if i + 1 < len(marks) else _end_of_sentence(text, m.end())
        options.append(_clean(text[m.end() : stop]))
    start = marks[0].start()
    stop = _end_of_sentence(text, marks[-1].end())
    start, end = _span(text, start, stop)
    labels = tuple(o for o in options if o)
    return Candidate(
        "enumeration",
        start,
        end,
        0.8 if len(labels) >= 2 else 0.5,
        labels,
        f"Items introduced by {how}; each can be handled on its own branch.",
    )


def _end_of_sentence(text: str, pos: int) -> int:
    m = re.compile(r"[.!?](?=\s|$)|\n").search(text, pos)
    return m.end() if m and m.group() != "\n" else (m.start() if m else len(text))


_HEADER = re.compile(
    r"\b(?:two|three|four|five|2|3|4|5|a couple of|several|a few|multiple)\s+"
    r"(?:separate\s+|different\s+|quick\s+|unrelated\s+)?(?:questions|things|issues|requests|problems|topics)"
    r"\s*:\s*",
    re.I,
)


_QUESTION_SPLIT = re.compile(
    r"\?\s*|;\s*|,\s*(?:and\s+)?|\s+and\s+(?=how|what|why|where|when|which|can|could|is|are|do|does)"
)


def _header_enumerations(text: str) -> Iterable[Candidate]:
    """ "I have two questions: how …? and what …?" on one line."""
    for m in _HEADER.finditer(text):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        body = text[m.end() : line_end]
        labels = tuple(o for o in (_clean(p) for p in _QUESTION_SPLIT.split(body)) if o)
        if len(labels) < 2:
            continue
        start, end = _span(text, m.start(), line_end)
        yield Candidate(
            "enumeration",
            start,
            end,
            0.85,
            labels,
            "The text announces several questions and lists them; each can get its own branch.",
        )


# Connectors that join two independent requests inside one sentence, with a confidence each.
_ACTION = (
    r"(?:update|remind|send|book|explain|tell|show|write|create|delete|check|give|add|change|cancel|"
    r"summari[sz]e|translate|review|find|schedule|list|compare|describe|draft|email|order|recommend|"
    r"suggest|reset|renew|refund|upgrade|downgrade|install|configure|set up)"
)
# A sentence that is itself a request: imperative, "can you …", "please …".
_REQUEST_START = re.compile(rf"^(?:(?:can|could|would|will) you\s+|please\s+)?{_ACTION}\b", re.I)
_BACK_REFERENCE = re.compile(r"\b(?:it|them|this|that|these|those)\b", re.I)
_PLEASANTRY = re.compile(
    r"^(?:thanks|thank you|thx|hi|hello|hey|great|ok|okay|cheers|perfect|awesome|good (?:morning|evening))"
    r"\b[\s\w,]{0,20}[.!]*$",
    re.I,
)
# An action joined to a request by a plain "and"/"plus": "reset my password and update my address".
_AND_ACTION = re.compile(rf"[,;]?\s+(?:and|plus)\s+(?=(?:also\s+)?{_ACTION}\b)", re.I)

_INLINE_CONNECTORS: tuple[tuple[re.Pattern[str], float], ...] = (
    (_AND_ACTION, 0.75),
    (re.compile(r"[,;]?\s+and\s+(?:I\s+)?also\b", re.I), 0.85),
    (re.compile(r"[,;]\s*(?:I\s+)?also\b", re.I), 0.8),
    (re.compile(r"[,;]?\s+and\s+(?:I\s+)?(?:separately|additionally)\b", re.I), 0.85),
    (re.compile(r"[,;]?\s+and\s+(?=(?:can|could|would|will)\s+you\b)", re.I), 0.8),
    (re.compile(r"[,;]?\s+and\s+(?=please\b)", re.I), 0.75),
    (re.compile(r"[,;]?\s+and\s+(?=I(?:'d|\s+would|\s+also)?\s+(?:need|want|like|have)\b)", re.I), 0.75),
    (re.compile(r"[,;]\s+and\s+(?=(?:how|what|where|why|which)\b)", re.I), 0.8),
    (re.compile(r"\s+as\s+well\s+as\s+(?=(?:how|what|where|why|which|a|an|the|my|some|help)\b)", re.I), 0.72),
    (re.compile(r"[,;]?\s+plus\s+(?=(?:I|can|could|how|what|where|why)\b)", re.I), 0.75),
)
# A sentence that opens with one of these starts a new, separate request.
_NEW_REQUEST = re.compile(
    r"^(?:and\s+)?(?:also|additionally|separately|plus|besides|furthermore|moreover|"
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


_THEN_ACTION = re.compile(rf"^(?:then|and then|after that|next|also)\b,?\s+{_ACTION}\b", re.I)


def _plain_and_splits(text: str, s: int, ce: int, later: list[tuple[int, int, float]], e: int) -> bool:
    """A plain "and <action>" separates requests only after a request, with no "it/them" back-reference."""
    right_end = later[0][0] if later else e
    return bool(_REQUEST_START.match(text[s:ce])) and not _BACK_REFERENCE.search(text, ce, right_end)


def _multi_intents(text: str, sentences: list[tuple[int, int]]) -> Iterable[Candidate]:
    if not _REQUEST.search(text) and not any(_REQUEST_START.match(text[a:b]) for a, b in sentences):
        return
    # Per sentence: the clause spans split at inline connectors, and the best connector's confidence.
    clauses: list[list[tuple[int, int]]] = []
    inline_conf: list[float] = []
    all_cuts = sorted((m.start(), m.end(), conf) for p, conf in _INLINE_CONNECTORS for m in p.finditer(text))
    for s, e in sentences:
        cuts = [c for c in all_cuts if s <= c[0] and c[1] <= e]
        parts: list[tuple[int, int]] = []
        pos, best = s, 0.0
        for k, (cs, ce, conf) in enumerate(cuts):
            if cs < pos or len(text[pos:cs].split()) < 2 or len(text[ce:e].split()) < 2:
                continue
            if _AND_ACTION.match(text, cs) and not _plain_and_splits(text, s, ce, cuts[k + 1 :], e):
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
        elif prev.endswith("?") and cur.endswith("?") and not _FOLLOW_UP.match(cur):
            a, b = _content_words(prev), _content_words(cur)
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
            options = tuple(o for o in (_clean(text[a:b]) for a, b in parts) if o)
            if len(options) >= 2:
                start, end = _span(text, parts[0][0], parts[-1][1])
                reason = (
                    f"{len(options)} independent requests joined by "
                    + ("connecting words" if j == i else "separate sentences")
                    + "; each can be answered on its own branch."
                )
                yield Candidate("multi_intent", start, end, round(conf, 2), options, reason)
        i = j + 1


_OR_IDIOMS = re.compile(
    r"\b(?:more or less|sooner or later|whether or not|or not|or so|or something(?: like that)?|or anything|"
    r"or whatever|or other|or another|give or take|or rather|or even|or more|or less|or fewer|"
    r"or nothing|all or nothing|for better or (?:for )?worse|rain or shine|do or die|now or never|"
    r"sink or swim|dead or alive|or otherwise|or similar|and/or|or equivalent|or later|or newer|"
    r"or above|or higher|or below|or earlier|or lower|more or fewer|one way or|or two|or three|"
    r"true or false|yes or no|either or|or else|or the other|or someone|or somewhere|right or wrong|"
    r"win or lose|like it or not|believe it or not|or what)\b",
    re.I,
)
_NUMBERISH = re.compile(
    r"^(?:\d[\d.,]*|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
    r"hundred|thousand|few|couple|once|twice)$",
    re.I,
)
_LEFT_STOP = _words(
    "use using choose pick prefer between either whether should is are be want need like try learn "
    "buy get do does did would could can will i we you it to of about with for in on rather better "
    "take recommend consider suggest hire start study visit"
)
_RIGHT_STOP = _words(
    "for in on at when because since if as instead than then that which who so but and to with from "
    "by into first now next here there today"
)
_DECISION = re.compile(
    r"\?|\b(?:should|which|whether|better|best|choose|decide|decision|prefer|recommend|pick|between|vs|"
    r"versus|worth|options?|rather|torn|deciding|considering|choice)\b",
    re.I,
)
_BETWEEN = re.compile(
    r"(?<!difference )(?<!differences )\bbetween\s+(?!you\b|us\b|them\b|the lines\b)"
    r"(?P<a>[\w'.+#-]+(?:\s+[\w'.+#-]+){0,2}?)\s+and\s+"
    r"(?P<b>[\w'.+#-]+(?:\s+(?!for\b|in\b|on\b|to\b|with\b|at\b)[\w'.+#-]+){0,2})",
    re.I,
)


def _without_between(sentence: str) -> str:  # "between" alone is not a decision
    return re.sub(r"\bbetween\b", "", sentence, flags=re.I)


_ALTERNATIVELY = re.compile(r"(?:alternatively|or else|or maybe|or should|or would|or could)\b", re.I)
_OR = re.compile(r"\b(?:or|vs\.?|versus)(?=\s)", re.I)
_TOKEN = re.compile(r"[^\s,;:!?()\"]+")


def _alternatives(text: str, sentences: list[tuple[int, int]]) -> Iterable[Candidate]:
    # Idioms are looked for only near an "or" (scanning the whole text for all of them is slow).
    idioms = {
        (w + i.start(), w + i.end())
        for m in _OR.finditer(text)
        for w in (max(0, m.start() - 30),)
        for i in _OR_IDIOMS.finditer(text[w : m.end() + 30])
    }
    for idx, (s, e) in enumerate(sentences):
        sentence = text[s:e]
        decision = bool(_DECISION.search(sentence))
        for m in _OR.finditer(text, s, e):
            if any(a <= m.start() < b for a, b in idioms):
                continue
            cand = _or_phrase(text, s, e, m, decision)
            if cand:
                yield cand
        for m in _BETWEEN.finditer(text, s, e):
            a, b = _clean(m.group("a")), _clean(m.group("b"))
            if (
                a
                and b
                and not _NUMBERISH.match(a.split()[-1])
                and _DECISION.search(_without_between(sentence))
            ):
                start, end = _span(text, m.start("a"), m.end("b"))
                yield Candidate(
                    "alternative", start, end, 0.8, (a, b), "A choice between two options is being weighed."
                )
        if idx and _ALTERNATIVELY.match(sentence):
            ps, _ = sentences[idx - 1]
            options = (_clean(text[ps : sentences[idx - 1][1]]), _clean(sentence))
            if all(options):
                yield Candidate(
                    "alternative", ps, e, 0.8, options, "A second approach is offered as an alternative."
                )


def _or_phrase(text: str, s: int, e: int, m: re.Match[str], decision: bool) -> Candidate | None:
    right = list(_TOKEN.finditer(text, m.end(), e))
    right_tokens: list[re.Match[str]] = []
    for t in right:
        if right_tokens and (t.group().lower() in _RIGHT_STOP or _OR.fullmatch(t.group())):
            break
        if text[right_tokens[-1].end() if right_tokens else m.end() : t.start()].strip():
            break  # punctuation between tokens ends the option
        right_tokens.append(t)
        if len(right_tokens) == 4:
            break
    left_tokens: list[re.Match[str]] = []
    for t in reversed(list(_TOKEN.finditer(text, s, m.start()))):
        word = t.group().lower()
        gap = text[t.end() : left_tokens[-1].start() if left_tokens else m.start()]
        if word in _LEFT_STOP or (gap.strip() and gap.strip() != ","):
            break
        left_tokens.append(t)
        if len(left_tokens) == max(len(right_tokens) + 1, 2) + 2:
            break
    left_tokens.reverse()
    if not left_tokens or not right_tokens:
        return None
    # Drop leading articles / determiners from the left option; reject numbers ("5 or 6 minutes").
    lw = left_tokens[-1].group().lower().strip(".")
    rw = right_tokens[0].group().lower().strip(".")
    if _NUMBERISH.match(lw) or _NUMBERISH.match(rw):
        return None
    left_text = text[left_tokens[0].start() : left_tokens[-1].end()]
    options = [o.strip() for o in left_text.split(",") if o.strip()]
    if len(options) > 1 and any(len(o.split()) > 3 for o in options):
        options = options[-1:]
    options.append(text[right_tokens[0].start() : right_tokens[-1].end()])
    options = [_clean(o) for o in options]
    if not all(options):
        return None
    start = text.index(options[0], left_tokens[0].start())
    start, end = _span(text, start, right_tokens[-1].end(), trailing=".,;:")
    either = bool(re.search(r"\beither\s+$", text[s:start], re.I))
    conf = 0.55 + (0.25 if decision or either else 0.0) + (0.1 if either else 0.0)
    conf += 0.05 if all(len(o.split()) <= 3 for o in options) else 0.0
    conf += 0.05 if len(options) >= 3 else 0.0
    reason = (
        f"{len(options)} alternatives offered in a "
        + ("decision or question" if decision else "statement")
        + "; each can be explored on its own branch."
    )
    return Candidate("alternative", start, end, round(min(conf, 0.95), 2), tuple(options), reason)


# A new clause after a condition with no comma: "if it rains we'll stay in".
_SUBJECT = r"(?:I|we|you|they|he|she|it)(?:'ll|'d|\s+will|\s+would|\s+should|\s+can|\s+must)\b"
_IF_ELSE = re.compile(
    r"\b(?:if|in case)\s+(?P<cond>[^,.;?!\n]+?)(?:\s*,\s*(?:then\s+)?|\s+then\s+|\s+(?=" + _SUBJECT + r"))"
    r"(?P<then>[^\s.;?!\n][^.;?!\n]*?)\s*[,;.]?\s*"
    r"(?:but\s+)?(?:otherwise|else|if not)\b[,:]?\s*(?P<else>[^.?!\n]+)",
    re.I,
)
_IF_IF = re.compile(
    r"\bif\s+(?P<c1>[^,.;?!\n]+?),\s*(?P<a1>[^.;?!\n]+?)[.;,]\s*(?:and\s+|but\s+)?if\s+(?P<c2>[^,.;?!\n]+?)"
    r",\s*(?P<a2>[^.;?!\n]+)",
    re.I,
)
_IF_THEN = re.compile(r"\bif\s+(?P<cond>[^,.;?!\n]+?)\s*,?\s+then\s+(?P<then>[^.;?!\n]+)", re.I)
_POLITE = re.compile(
    r"^(?:you (?:can|could|would|don't mind|do not mind|have time|want|like|please)|possible|needed|"
    r"necessary|any|so|anything|applicable)\b",
    re.I,
)


def _conditionals(text: str) -> Iterable[Candidate]:
    for m in _IF_ELSE.finditer(text):
        yield _conditional(text, m, m.group("cond"), (m.group("then"), m.group("else")), 0.9)
    for m in _IF_IF.finditer(text):
        yield _conditional(text, m, m.group("c1"), (m.group("a1"), m.group("a2")), 0.85)
    for m in _IF_THEN.finditer(text):
        if not _POLITE.match(m.group("cond")):
            yield _conditional(text, m, m.group("cond"), (m.group("then"), f"not {m.group('cond')}"), 0.65)


def _conditional(text: str, m: re.Match[str], cond: str, outcomes: tuple[str, str], conf: float) -> Candidate:
    start, end = _span(text, m.start(), m.end(), trailing=",;:")
    return Candidate(
        "conditional",
        start,
        end,
        conf,
        tuple(_clean(o) or o.strip() for o in outcomes),
        f"The outcome depends on a condition ({cond.strip()}); each case can be followed on its own branch.",
        condition=cond.strip(),
    )
