"""Short titles for AutoBranch suggestions, as a person would write them.

A multi-intent message gives one suggestion per intent, and a user sees each as ``Branch: <title>``, so
the title names the request itself, without the framing around it ("I need help with billing" -> "Billing
help", "I can't log in" -> "Login problem", "pricing plans for the enterprise tier" -> "Enterprise
pricing"). A choice is "Python or Rust"; a conditional is addressed to the user, "If you pick Rust: what
book"; a list keeps "List items: <item> vs <item>". Every title is made of words of the text or of
:data:`VOCABULARY`, and is never cut mid-word.
"""

from __future__ import annotations

import re

from ._text import words

__all__ = ["VOCABULARY", "choice_title", "condition_title", "intent_title", "point_title", "short"]

TITLE_LIMIT = 50
# The words a title may hold that are not words of the text (a property test holds titles to this).
VOCABULARY = words(
    "list items vs or if you your yours you're you've yourself help with whether login problem account"
    " access pricing"
)

_LEAD = re.compile(
    r"(?:(?:hi|hello|hey|ok|okay|so|also|and|but|plus|btw|by the way|one more thing|oh)\b[\s,!:;.-]*)+", re.I
)
_HELP_WITH = re.compile(
    r"(?:I\s+|we\s+)?(?:also\s+)?(?:need|want|would like|'d like|could use|am looking for|'m looking for)\s+"
    r"(?:some\s+|a little\s+)?help\s+(?:with|on|regarding|about)\s+(?P<topic>.+)",
    re.I,
)
_HAVE = re.compile(
    r"(?:I\s+|we\s+)?(?:also\s+)?(?:have|'ve got|got)\s+(?:a|an|one|another|some|a quick|one more)\s+"
    r"(?P<what>.*\b(?:question|questions|issue|issues|problem|problems|request|concern|query)\b.*)",
    re.I,
)
_ASK = re.compile(
    r"(?:(?:can|could|would|will) you\s+(?:please\s+)?(?:also\s+)?|please\s+(?:also\s+)?)", re.I
)
_WANT = re.compile(
    r"(?:(?:I\s*)?(?:(?:'d|would)\s+)?(?:also\s+)?(?:like|love)\s+to|(?:I\s+)?(?:also\s+)?(?:want|need|wish)\s+to|"
    r"I'm\s+(?:trying|looking|hoping)\s+to|I\s+was\s+wondering\s+)\s*(?:know\s+|find out\s+|ask\s+)?",
    re.I,
)
_NEED_THING = re.compile(
    r"I\s+(?:also\s+)?(?:need|want|would like|'d like)\s+(?P<thing>(?:a|an|the|some|my)\s+.+)", re.I
)
_TELL_ME = re.compile(
    r"(?:tell|show)\s+me\s+(?:about\s+(?=\S)|(?=(?:how|what|why|when|where|which|whether|if)\b))", re.I
)
_DETERMINER = re.compile(r"(?:my|the|a|an|some|our|your)\s+", re.I)


def short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space <= 0:  # one long first word: keep it whole rather than cut it
        space = text.find(" ")
        return text if space < 0 else text[:space].rstrip(" ,;:-") + "…"
    return cut[:space].rstrip(" ,;:-") + "…"


# Fixed titles for requests a support desk sees every day (the words are in ``VOCABULARY``).
_FIXED: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(?:can't|cannot|can not|unable to|couldn't)\s+(?:log|sign)\s*in\b", re.I),
        "Login problem",
    ),
    (re.compile(r"\b(?:locked out of|can't access|cannot access)\b", re.I), "Account access problem"),
)
# "the differences between your professional and enterprise tiers" -> "Professional or enterprise tiers"
_DIFFERENCES = re.compile(
    r".*?\bdifferences?\s+between\s+(?:the\s+|your\s+|our\s+)?(?P<a>[\w-]+)\s+and\s+(?P<b>[\w-]+"
    r"(?:\s+(?:tiers?|plans?|editions?|versions?|options?|models?))?)",
    re.I,
)
# "pricing plans for the enterprise tier" -> "Enterprise pricing"
_PRICING_FOR = re.compile(
    r".*?\b(?:pricing|prices?)(?:\s+plans?)?\s+(?:for|of|on)\s+(?:the\s+|your\s+|our\s+)?(?P<what>[\w-]+)"
    r"(?:\s+(?:tiers?|plans?|editions?))?\b",
    re.I,
)
# "one of our members reported a bug in the export feature - should I …" -> "Bug in the export feature"
_BUG = re.compile(
    r".*?\b(?P<bug>(?:bug|issue|problem|error|crash)\s+(?:in|with|on)\s+(?:the\s+|our\s+|your\s+|my\s+)?"
    r"[\w-]+(?:\s+(?:feature|page|app|button|screen|report|export|integration))?)\b",
    re.I,
)
_OFFER = re.compile(
    r"(?:do|does)\s+(?:you|it)\s+(?:offer|have|support|provide|sell|accept)\s+(?P<what>.+?)\??$", re.I
)
_ASK_ABOUT = re.compile(
    r"(?:I\s+)?(?:wanted|want|would like|'d like)\s+to\s+ask\s+about\s+(?P<what>.+)", re.I
)
_TOPIC_NOUN = re.compile(r".*\b(?:help|support|information|info|advice|assistance)$", re.I)
_WORDS = re.compile(r"[A-Za-z0-9][\w'+#.-]*")


def intent_title(label: str) -> str:
    """A short title for one request of a multi-intent message (``label`` is the request's text)."""
    label = " ".join(label.split())
    for pattern, title in _FIXED:
        if pattern.search(label):
            return title
    title = _intent_title(label)
    if not any(len(w) > 2 and w.lower() not in _VAGUE for w in _WORDS.findall(title)):
        return _finish(label, label)  # never a fragment such as "I wanted"
    return title


_VAGUE = words("i'm i've i'd wanted want need have like the and you your our can could would")


def _intent_title(label: str) -> str:
    if m := _DIFFERENCES.match(label):
        return _finish(f"{m.group('a')} or {m.group('b')}", label)
    if m := _PRICING_FOR.match(label):
        return _finish(f"{m.group('what')} pricing", label)
    if m := _BUG.match(label):
        return _finish(m.group("bug"), label)
    text = _drop(_LEAD, label.strip()) or label.strip()
    if m := _OFFER.match(text):
        return _finish(m.group("what"), label)
    if m := _ASK_ABOUT.match(text):
        return _finish(_drop(_DETERMINER, m.group("what")), label)
    if m := _HELP_WITH.fullmatch(text):
        topic = m.group("topic").strip()
        bare = _drop(_DETERMINER, topic)
        if _TOPIC_NOUN.match(bare):  # "help with pricing information" -> "Pricing information"
            return _finish(bare, label)
        return _finish(f"{bare} help" if len(bare.split()) <= 2 else f"Help with {topic}", label)
    if m := _HAVE.fullmatch(text):
        return _finish(m.group("what"), label)
    text = _drop(_ASK, text)
    if m := _NEED_THING.fullmatch(text):
        return _finish(_drop(_DETERMINER, m.group("thing")), label)
    asked = _drop(_TELL_ME, _drop(_WANT, text))
    if asked != text and asked[:3].lower() == "if ":  # "… like to know if the museum needs a reservation"
        asked = "Whether " + asked[3:]
    text = asked
    return _finish(text, label)


def point_title(prefix: str, options: tuple[str, ...]) -> str:
    """The title of a list: ``"List items: tests vs docs"``."""
    return f"{prefix}: {' vs '.join(short(' '.join(o.split()), 24) for o in options[:3])}"


def choice_title(options: tuple[str, ...]) -> str:
    """The title of a choice, as a person writes it: ``"Python or Rust"``, ``"Python, Go or Rust"``."""
    shown = [short(" ".join(o.split()), 30) for o in options[:3]]
    title = f"{', '.join(shown[:-1])} or {shown[-1]}" if len(shown) > 1 else shown[0]
    return title[0].upper() + title[1:] if title[:1].islower() else title


_PERSON = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "i'm": "you're",
    "i've": "you've",
    "we": "you",
    "us": "you",
    "our": "your",
    "we're": "you're",
    "myself": "yourself",
}


def condition_title(condition: str, outcome: str) -> str:
    """The title of a conditional, addressed to the user: ``"If you pick Rust: what book"``."""
    cond = " ".join(_PERSON.get(w.lower(), w) for w in condition.split())
    then = " ".join(_PERSON.get(w.lower(), w) for w in outcome.split()).rstrip("?.!")
    if cond.lower().startswith(("if ", "in case ")):
        cond = cond.split(" ", 1)[1] if cond.lower().startswith("if ") else cond[8:]
    return f"If {short(cond, 28)}: {short(then, 28)}"


def _drop(prefix: re.Pattern[str], text: str) -> str:
    """``text`` without ``prefix`` at its start (when the rest is not empty)."""
    m = prefix.match(text)
    return text[m.end() :] if m and m.end() < len(text) else text


def _finish(title: str, fallback: str) -> str:
    title = title.strip(" ,;:-").rstrip(".!").strip() or fallback.strip()
    first = title.split(" ", 1)[0]
    if first.islower():  # "billing help" -> "Billing help"; leave "iPhone", "API" and "eBay" alone
        title = title[0].upper() + title[1:]
    return short(title, TITLE_LIMIT)
