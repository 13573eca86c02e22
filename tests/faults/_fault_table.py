"""The fault table: each fault test appends one :class:`FaultRow`; the session prints them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FaultRow:
    layer: str  # "core", "core async", "ChatChatRoutes", "LlamaIndex ChatRoutes"
    fault: str
    call: str
    outcome: str  # the exception type the caller got, or "ok ..."
    attempts: int  # requests the server received for the call
    stored: int  # messages the server stored because of the call
    verdict: str  # what happened to the message, in words


ROWS: list[FaultRow] = []


def table(rows: list[FaultRow]) -> list[str]:
    head = ["Fault", "Layer", "Call", "Caller gets", "Attempts", "Stored", "Message"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    order = {"core": 0, "core async": 1, "ChatChatRoutes": 2, "LlamaIndex ChatRoutes": 3}
    for r in sorted(rows, key=lambda r: (FAULT_ORDER.get(r.fault, 99), order.get(r.layer, 9), r.call)):
        cells = [r.fault, r.layer, f"`{r.call}`", r.outcome, str(r.attempts), str(r.stored), r.verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


FAULT_ORDER = {
    name: i
    for i, name in enumerate(
        [
            "500 after the server stored",
            "500 before storing",
            "503 after the server stored",
            "read timeout, server still working",
            "429 with Retry-After",
            "429 that does not clear",
            "503",
            "connection refused",
            "connection reset mid-stream",
            "stream stalls past the read timeout",
            "200 with malformed JSON",
            "HTML 502 from a proxy",
            "200 with success:false",
        ]
    )
}
