"""The byte-level SSE decoder (``chatroutes_core._http.sse``), fed fixture streams split at every byte
boundary."""

from __future__ import annotations

import pytest

from chatroutes_core._http.sse import ServerSentEvent, SSEDecoder


def decode(chunks: list[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.flush()


def every_split(raw: bytes) -> list[list[bytes]]:
    """The whole stream, every split into two pieces, and byte-by-byte."""
    splits = [[raw], [bytes([b]) for b in raw]]
    splits += [[raw[:i], raw[i:]] for i in range(1, len(raw))]
    return splits


CONTENT = '{"type":"content","content":"héllo ☃ 😀"}'
FIXTURES: dict[str, tuple[bytes, list[ServerSentEvent]]] = {
    "lf": (
        f"data: {CONTENT}\n\ndata: [DONE]\n\n".encode(),
        [ServerSentEvent(CONTENT), ServerSentEvent("[DONE]")],
    ),
    "crlf": (
        f"data: {CONTENT}\r\n\r\ndata: [DONE]\r\n\r\n".encode(),
        [ServerSentEvent(CONTENT), ServerSentEvent("[DONE]")],
    ),
    "cr only": (b"data: a\r\rdata: b\r\r", [ServerSentEvent("a"), ServerSentEvent("b")]),
    "mixed endings": (b"data: a\r\n\ndata: b\n\r\n", [ServerSentEvent("a"), ServerSentEvent("b")]),
    "comments and heartbeats": (
        b": ping\r\n\r\n:another\ndata: x\n: inside\n\n",
        [ServerSentEvent("x")],
    ),
    "multi-line data": (
        b"data: first\ndata:second\ndata\ndata:  two spaces\n\n",
        [ServerSentEvent("first\nsecond\n\n two spaces")],
    ),
    "event, id, retry fields": (
        b"event: error\nid: 7\nretry: 1500\ndata: {}\n\ndata: next\n\n",
        [
            ServerSentEvent("{}", event="error", id="7", retry=1500),
            ServerSentEvent("next", event="message", id="7", retry=1500),
        ],
    ),
    "bad retry and NUL id are ignored": (
        b"retry: soon\nid: a\x00b\ndata: x\n\n",
        [ServerSentEvent("x", id=None, retry=None)],
    ),
    "unknown fields ignored, empty events not dispatched": (
        b"foo: bar\n\nevent: only-a-name\n\ndata: y\n\n",
        [ServerSentEvent("y")],
    ),
    "BOM at the start": ("\ufeffdata: z\n\n".encode(), [ServerSentEvent("z")]),
    "U+2028 and U+0085 inside JSON stay in one line": (
        'data: {"t":"a\u2028b\u0085c"}\n\n'.encode(),
        [ServerSentEvent('{"t":"a\u2028b\u0085c"}')],
    ),
    "truncated: the unterminated event is dropped": (
        b"data: whole\n\ndata: half",
        [ServerSentEvent("whole")],
    ),
    "truncated after the data line but before the blank line": (
        b"data: whole\n\ndata: no blank line\n",
        [ServerSentEvent("whole")],
    ),
}


@pytest.mark.parametrize("name", list(FIXTURES))
def test_fixture_streams_decode_the_same_at_every_split(name: str) -> None:
    raw, expected = FIXTURES[name]
    for chunks in every_split(raw):
        assert decode(chunks) == expected, (name, chunks)


def test_utf8_character_split_across_reads_is_intact() -> None:
    raw = "data: 😀\n\n".encode()
    cut = raw.index(b"\xf0") + 2  # in the middle of the 4-byte emoji
    decoder = SSEDecoder()
    assert decoder.feed(raw[:cut]) == []
    assert decoder.feed(raw[cut:]) == [ServerSentEvent("😀")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    # the LF completing the CRLF must not count as the blank line that dispatches the event
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\r\n") == [ServerSentEvent("a")]


def test_an_event_is_returned_as_soon_as_its_blank_line_arrives() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\n\ndata: sec") == [ServerSentEvent("first")]
    assert decoder.feed(b"ond\n\n") == [ServerSentEvent("second")]


def test_flush_resets_state() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: left over\n")
    assert decoder.flush() == []
    assert decoder.feed(b"data: fresh\n\n") == [ServerSentEvent("fresh")]
