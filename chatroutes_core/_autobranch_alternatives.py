"""AutoBranch rule for alternatives: "X or Y" in a decision, "X vs Y", "between X and Y", "Alternatively"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._autobranch_candidate import Candidate
from ._autobranch_text import clean, span, words

__all__ = ["alternatives"]

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
_LEFT_STOP = words(
    "use using choose pick prefer between either whether should is are be want need like try learn "
    "buy get do does did would could can will i we you it to of about with for in on rather better "
    "take recommend consider suggest hire start study visit"
)
_RIGHT_STOP = words(
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


def alternatives(text: str, sentences: list[tuple[int, int]]) -> Iterable[Candidate]:
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
            a, b = clean(m.group("a")), clean(m.group("b"))
            if (
                a
                and b
                and not _NUMBERISH.match(a.split()[-1])
                and _DECISION.search(_without_between(sentence))
            ):
                start, end = span(text, m.start("a"), m.end("b"))
                yield Candidate(
                    "alternative", start, end, 0.8, (a, b), "A choice between two options is being weighed."
                )
        if idx and _ALTERNATIVELY.match(sentence):
            ps, _ = sentences[idx - 1]
            options = (clean(text[ps : sentences[idx - 1][1]]), clean(sentence))
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
    options = [clean(o) for o in options]
    if not all(options):
        return None
    start = text.index(options[0], left_tokens[0].start())
    start, end = span(text, start, right_tokens[-1].end(), trailing=".,;:")
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
