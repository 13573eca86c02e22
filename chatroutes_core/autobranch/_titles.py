"""Short titles for AutoBranch suggestions: "Billing help", "Technical question about the API".

A multi-intent message gives one suggestion per intent, and a user sees each as ``Branch: <title>``, so
the title names the request itself, without the framing around it ("I need help with billing" -> "Billing
help", "could you review my cover letter" -> "Review my cover letter"). Points of the other kinds keep
their "<kind>: <option> vs <option>" titles.
"""

from __future__ import annotations

import re

__all__ = ["intent_title", "point_title", "short"]

TITLE_LIMIT = 50

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
    return (cut[:space] if space >= limit // 2 else cut).rstrip(" ,;:-") + "…"


def intent_title(label: str) -> str:
    """A short title for one request of a multi-intent message (``label`` is the request's text)."""
    text = _drop(_LEAD, label.strip()) or label.strip()
    if m := _HELP_WITH.fullmatch(text):
        topic = m.group("topic").strip()
        bare = _drop(_DETERMINER, topic)
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
    """The title of a point of another kind: ``"Alternatives: Flask vs FastAPI"``."""
    return f"{prefix}: {' vs '.join(short(o, 24) for o in options[:3])}"


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
