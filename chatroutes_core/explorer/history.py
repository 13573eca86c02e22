"""A branch's history as transcript items with steps, and the side-by-side compare (pure).

Steps come from the core tool protocol (:mod:`chatroutes_core.tools`): ``<tool_call>`` blocks of a reply
become ``tool_call`` steps, ``<tool_response>`` blocks of a user turn ``tool_result`` steps, and system text
that travelled inline with a turn (``[system] ...``, as the mapper renders it) a ``system`` step. Every text
is data: the page inserts it with ``textContent``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..models import Message
from ..tools import parse_reply, split_tool_results

__all__ = ["compare_columns", "history_items", "message_steps", "own_start"]

_SYSTEM = "[system] "
_LABELS = ("[user] ", "[assistant] ", "[system] ")


def _step(kind: str, text: str, name: str | None = None, arguments: Any = None) -> dict[str, Any]:
    return {"kind": kind, "text": text, "name": name, "arguments": arguments}


def _user_steps(text: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    results, rest = split_tool_results(text)
    for result in results:
        steps.append(_step("tool_result", result.content, result.name or None))
    # system text the mapper sent inline opens the turn as its own paragraph
    paragraphs = rest.split("\n\n")
    body: list[str] = []
    for paragraph in paragraphs:
        if paragraph.startswith(_SYSTEM) and not body:
            steps.append(_step("system", paragraph[len(_SYSTEM) :]))
        else:
            body.append(paragraph)
    joined = "\n\n".join(body)
    if joined.strip() or not steps:
        steps.append(_step("text", joined))
    return steps


def _assistant_steps(text: str, message_id: str) -> list[dict[str, Any]]:
    reply = parse_reply(text, message_id)
    steps = (
        [_step("text", reply.text)]
        if reply.text or not (reply.tool_calls or reply.invalid_tool_calls)
        else []
    )
    for call in reply.tool_calls:
        steps.append(
            _step("tool_call", json.dumps(call.arguments, ensure_ascii=False), call.name, call.arguments)
        )
    for bad in reply.invalid_tool_calls:
        steps.append(_step("tool_call", bad.arguments or "", bad.name, None))
    return steps


def message_steps(message: Message) -> list[dict[str, Any]]:
    """The steps of one stored message."""
    if message.role == "assistant":
        return _assistant_steps(message.content, message.id)
    if message.role == "system":
        return [_step("system", message.content)]
    return _user_steps(message.content)


def history_items(messages: Sequence[Message], branch_id: str, own_from: int) -> list[dict[str, Any]]:
    """The history of ``branch_id`` as items; messages before index ``own_from`` are inherited."""
    return [
        {
            "id": m.id,
            "role": m.role,
            "branchId": branch_id if index >= own_from else (m.branch_id or branch_id),
            "inherited": index < own_from,
            "createdAt": m.created_at,
            "model": m.model,
            "steps": message_steps(m),
        }
        for index, m in enumerate(messages)
    ]


def own_start(messages: Sequence[Message], fork_point: str | None) -> int:
    """The index of a branch's first own message in its full history (0 for a root branch)."""
    if fork_point is None:
        return 0
    for index, message in enumerate(messages):
        if message.id == fork_point:
            return index + 1
    return 0


def compare_columns(histories: Sequence[tuple[str, Sequence[dict[str, Any]]]]) -> dict[str, Any]:
    """Columns from the common ancestor on, with one mark per item: same, changed or only.

    ``histories`` are ``(branch_id, items)``. The ancestor is the last message id every history shares at
    the same position; item ``k`` after it is "same" when every column has an item ``k`` with the same
    role and text, "changed" when every column has an item ``k`` but their texts differ, "only" when some
    column has none.
    """
    lists = [items for _, items in histories]
    shared = 0
    while lists and all(len(items) > shared for items in lists):
        if len({items[shared]["id"] for items in lists}) != 1:
            break
        shared += 1
    ancestor = lists[0][shared - 1]["id"] if lists and shared else None
    tails = [items[shared:] for items in lists]
    columns = []
    for (branch_id, _), tail in zip(histories, tails, strict=True):
        marks = []
        for k in range(len(tail)):
            others = [t[k] if k < len(t) else None for t in tails]
            if any(o is None for o in others):
                marks.append("only")
            elif len({(o["role"], _text(o)) for o in others if o is not None}) == 1:
                marks.append("same")
            else:
                marks.append("changed")
        columns.append({"branchId": branch_id, "items": tail, "diff": marks})
    return {"ancestorMessageId": ancestor, "columns": columns}


def _text(item: dict[str, Any]) -> str:
    return "\n".join(str(step["text"]) for step in item["steps"])
