"""AutoBranch rule for alternatives: "X or Y" in a decision, "X vs Y", "between X and Y", "Alternatively"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._candidate import Candidate
from ._text import clean, span, words

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
_PRONOUNS = words("you me us him her them")
_DETERMINERS = words("the a an my your our his her their this that")
_RIGHT_STOP = words(
    "for in on at when because since if as instead than then that which who so but and to with from "
    "by into first now next here there today"
)
_DECISION = re.compile(
    r"\?|\b(?:should|which|whether|better|best|choose|decide|decision|prefer|recommend|pick|between|vs|"
    r"versus|worth|options?|rather|torn|deciding|considering|choice|choosing|weighing|comparing|compare|"
    r"picking|undecided|can't decide|cannot decide)\b",
    re.I,
)
_BETWEEN = re.compile(
    r"(?<!difference )(?<!differences )\bbetween\s+(?!you\b|us\b|them\b|the lines\b)"
    r"(?P<a>[\w'.+#-]+(?:\s+[\w'.+#-]+){0,3}?)\s+and\s+"
    r"(?P<b>[\w'.+#-]+(?:\s+(?!for\b|in\b|on\b|to\b|with\b|at\b)[\w'.+#-]+){0,3})",
    re.I,
)
_WHETHER_CLAUSE = re.compile(r"whether\b[^,;]*,", re.I)
_DIFFERENCE = re.compile(r"\bdifferences?\b[^,.;?!]{0,24}$", re.I)
# Two options described side by side: "one pays more but has a long commute, the other is remote".
_ONE_OTHER = re.compile(
    r"\b(?:one|the first)\s+[^,;.?!\n]{2,80}?\s*[,;]\s*(?:and\s+|but\s+|while\s+|whereas\s+)?"
    r"(?P<b>(?:the other|the second)(?: one)?\s+[^,;.?!\n]{2,80})",
    re.I,
)


# A question comparing two things: "Is Postgres better than MySQL for analytics?"
_THAN = re.compile(
    r"\b(?:is|are|would|will|does|do|was)\s+(?!it\b|that\b|this\b|there\b)"
    r"(?P<a>[\w'.+#-]+(?:\s+(?!be\b)[\w'.+#-]+){0,2}?)\s+(?:be\s+|really\s+|actually\s+)?"
    r"(?:better|cheaper|faster|easier|safer|nicer|worse|more\s+\w+|less\s+\w+)\s+(?:choice\s+|option\s+)?than\s+"
    r"(?P<b>[\w'.+#-]+(?:\s+(?!for\b|in\b|on\b|to\b|with\b|at\b|if\b|when\b|because\b)[\w'.+#-]+){0,2})",
    re.I,
)
_BETWEEN_WORD = re.compile(r"\bbetween\b", re.I)
_EITHER_BEFORE = re.compile(r"\beither\s+$", re.I)
_IDIOM_REACH = 30  # no idiom reaches further than this from its "or"
_LEFT_REACH = 200  # how far back the left option is looked for (it has at most 7 tokens)


_ALTERNATIVELY = re.compile(r"(?:alternatively|or else|or maybe|or should|or would|or could)\b", re.I)
_OR = re.compile(r"\b(?:or|vs\.?|versus)(?=\s)", re.I)
_TOKEN = re.compile(r"[^\s,;:!?()\"]+")


def _outside_idioms(text: str, ors: list[re.Match[str]]) -> Iterable[re.Match[str]]:
    """The "or"s that are not part of an idiom ("more or less"): one scan from the first "or" to the last."""
    lo, hi = max(0, ors[0].start() - _IDIOM_REACH), min(len(text), ors[-1].end() + _IDIOM_REACH)
    idioms = [(i.start(), i.end()) for i in _OR_IDIOMS.finditer(text, lo, hi)]
    k = 0
    for m in ors:
        while k < len(idioms) and idioms[k][1] <= m.start():
            k += 1
        if k == len(idioms) or idioms[k][0] > m.start():
            yield m


def _tokens_before(text: str, s: int, end: int, count: int) -> list[re.Match[str]]:
    """Up to ``count`` tokens in ``text[s:end]``, nearest first, read from at most ``_LEFT_REACH`` back.

    The window grows from a few words until it holds ``count`` tokens; a token cut by it is left out.
    """
    reach = 48
    while True:
        lo = max(s, end - reach)
        found = list(_TOKEN.finditer(text, lo, end))
        if lo > s and found and found[0].start() == lo and _TOKEN.match(text, lo - 1):
            found.pop(0)
        if len(found) >= count or lo == s or reach >= _LEFT_REACH:
            return found[::-1][:count]
        reach *= 2


def alternatives(text: str, sentences: list[tuple[int, int]]) -> Iterable[Candidate]:
    """Alternatives, sentence by sentence; each "or" reads a bounded window around itself."""
    for idx, (s, e) in enumerate(sentences):
        sentence = text[s:e]
        decision = bool(_DECISION.search(sentence))
        ors = list(_OR.finditer(text, s, e))
        # "Whether you're a student or a teacher, the login page works": a statement, not a choice
        concessive = _WHETHER_CLAUSE.match(sentence) if not sentence.endswith("?") else None
        for m in _outside_idioms(text, ors) if ors else ():
            if concessive and m.start() < s + concessive.end():
                continue
            cand = _or_phrase(text, s, e, m, decision)
            if cand:
                yield cand
        weighed: bool | None = None  # "between" alone is not a decision: is there another sign? (read once)
        for m in _BETWEEN.finditer(text, s, e):
            a, b = clean(m.group("a")), clean(m.group("b"))
            if a and b and weighed is None:
                weighed = bool(_DECISION.search(_BETWEEN_WORD.sub("", sentence)))
            if _DIFFERENCE.search(text, max(s, m.start() - 30), m.start()):
                continue  # "the difference in price between A and B": a question about both, not a choice
            if a and b and weighed and not _NUMBERISH.match(a.split()[-1]):
                start, end = span(text, m.start("a"), m.end("b"))
                yield Candidate(
                    "alternative", start, end, 0.8, (a, b), "A choice between two options is being weighed."
                )
        if sentence.endswith("?"):
            for m in _THAN.finditer(text, s, e):
                a, b = clean(m.group("a")), clean(m.group("b"))
                if a and b and not _NUMBERISH.match(b.split()[0]):
                    start, end = span(text, m.start("a"), m.end("b"))
                    reason = "Two options are compared in a question."
                    yield Candidate("alternative", start, end, 0.8, (a, b), reason)
        for m in _ONE_OTHER.finditer(text, s, e) if decision else ():
            a, b = clean(text[m.start() : m.start("b")]), clean(m.group("b"))
            if a and b:
                start, end = span(text, m.start(), m.end(), trailing=".,;:")
                reason = "Two options are described side by side."
                yield Candidate("alternative", start, end, 0.8, (a, b), reason)
        if idx and _ALTERNATIVELY.match(sentence):
            ps, _ = sentences[idx - 1]
            options = (clean(text[ps : sentences[idx - 1][1]]), clean(sentence))
            if all(options):
                yield Candidate(
                    "alternative", ps, e, 0.8, options, "A second approach is offered as an alternative."
                )


def _or_phrase(text: str, s: int, e: int, m: re.Match[str], decision: bool) -> Candidate | None:
    right_tokens: list[re.Match[str]] = []
    for t in _TOKEN.finditer(text, m.end(), e):  # lazily: at most four tokens are read
        if right_tokens and (t.group().lower() in _RIGHT_STOP or _OR.fullmatch(t.group())):
            break
        if text[right_tokens[-1].end() if right_tokens else m.end() : t.start()].strip():
            break  # punctuation between tokens ends the option
        right_tokens.append(t)
        if len(right_tokens) == 4:
            break
    left_tokens: list[re.Match[str]] = []
    rw_first = right_tokens[0].group().lower() if right_tokens else ""
    most = max(len(right_tokens) + 1, 2) + 2
    for t in _tokens_before(text, s, m.start(), most):
        word = t.group().lower()
        gap = text[t.end() : left_tokens[-1].start() if left_tokens else m.start()]
        if word in _LEFT_STOP or (gap.strip() and gap.strip() != ","):
            # A pronoun right before "or" is an option itself when the other one is a noun phrase
            # ("do I contact you or the courier?", "email me or my manager").
            if not left_tokens and word in _PRONOUNS and rw_first in _DETERMINERS and not gap.strip():
                left_tokens.append(t)
            break
        left_tokens.append(t)
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
    either = bool(_EITHER_BEFORE.search(text, max(s, start - _IDIOM_REACH), start))
    # "either" sharpens a decision; in a statement ("Either the bus or the tram gets you …") it makes none.
    conf = 0.55 + (0.25 if decision else 0.0) + ((0.1 if decision else 0.05) if either else 0.0)
    conf += 0.05 if all(len(o.split()) <= 3 for o in options) else 0.0
    conf += 0.05 if len(options) >= 3 else 0.0
    reason = (
        f"{len(options)} alternatives offered in a "
        + ("decision or question" if decision else "statement")
        + "; each can be explored on its own branch."
    )
    return Candidate("alternative", start, end, round(min(conf, 0.95), 2), tuple(options), reason)
