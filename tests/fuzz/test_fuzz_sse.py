"""Property tests for the byte-level SSE decoder (``chatroutes_core._http.sse``).

A random event list is serialised with a random line ending, random comments and random field order,
then fed to the decoder split at arbitrary byte offsets: the decoded events never depend on where the
bytes were split, and equal what was serialised.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatroutes_core._http.sse import SSEDecoder

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Field values cannot hold CR or LF (that would end the line); anything else goes, including U+2028,
# NUL, multi-byte UTF-8, colons and leading spaces.
line_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=30)
event_name = st.one_of(
    st.none(), st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=12)
)


@dataclass(frozen=True)
class Event:
    name: str | None
    data_lines: tuple[str, ...]

    @property
    def data(self) -> str:
        return "\n".join(self.data_lines)


events = st.builds(Event, event_name, st.lists(line_text, min_size=1, max_size=4).map(tuple))


@st.composite
def serialised_streams(draw: st.DrawFn) -> tuple[list[Event], bytes]:
    evs = draw(st.lists(events, max_size=6))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    out: list[str] = []
    for ev in evs:
        if draw(st.booleans()):
            out.append(":" + draw(line_text) + eol)
        fields = [f"data: {line}{eol}" for line in ev.data_lines]
        if ev.name is not None:
            fields.insert(draw(st.integers(0, len(fields))), f"event: {ev.name}{eol}")
        out.extend(fields)
        out.append(eol)
    return evs, "".join(out).encode("utf-8")


def split_at(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(raw) + 1) for c in cuts})
    bounds = [0, *points, len(raw)]
    return [raw[a:b] for a, b in itertools.pairwise(bounds)]


def decode(chunks: list[bytes]) -> list[tuple[str | None, str]]:
    decoder = SSEDecoder()
    out = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    out.extend(decoder.flush())
    return [(None if ev.event in (None, "", "message") else ev.event, ev.data) for ev in out]


def expected(evs: list[Event]) -> list[tuple[str | None, str]]:
    return [(None if ev.name == "message" else ev.name, ev.data) for ev in evs]


@FUZZ
@given(serialised_streams(), st.lists(st.integers(min_value=0), max_size=12))
def test_any_split_decodes_to_the_serialised_events(
    stream: tuple[list[Event], bytes], cuts: list[int]
) -> None:
    evs, raw = stream
    assert decode(split_at(raw, cuts)) == expected(evs)


@FUZZ
@given(serialised_streams())
def test_byte_by_byte_equals_all_at_once(stream: tuple[list[Event], bytes]) -> None:
    evs, raw = stream
    one_by_one = decode([raw[i : i + 1] for i in range(len(raw))])
    assert one_by_one == decode([raw]) == expected(evs)


@FUZZ
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=8))
def test_arbitrary_bytes_never_crash_and_split_does_not_matter(raw: bytes, cuts: list[int]) -> None:
    # Garbage (invalid UTF-8, lone CRs, NULs) must decode the same however it is split, without raising.
    assert decode(split_at(raw, cuts)) == decode([raw])
