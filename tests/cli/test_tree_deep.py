"""Issue 24 item 1, the client side: deep conversation trees, from the wire to every `chatroutes tree` format.

10,000 messages on one branch and 1,000 nested forks, built in memory: the JSON is parsed (``json.loads``
gives up near 1,000 levels), the tree model validated (pydantic gives up near 300 nested nodes), the view
built and every format rendered, without recursion and with output linear in the size of the tree.
"""

from __future__ import annotations

import json
import sys
import time
from io import StringIO
from typing import Any

import httpx
import pytest

from chatroutes_core import ChatRoutesClient
from chatroutes_core.cli.tree_render import (
    MAX_DRAWN_DEPTH,
    render,
    render_rich,
)
from chatroutes_core.models import ConversationTree, Message
from chatroutes_core.treeview import TreeView, build_view

CID = "conv_deep"


def _fork_chain(forks: int) -> str:
    """The tree route's JSON for main + `forks` nested forks (each forks at its parent's message), written
    as text: ``json.dumps`` cannot write it either."""
    opens = []
    for i in range(forks + 1):
        branch: dict[str, Any] = {"id": f"br_{i}", "title": f"fork {i}", "_count": {"messages": 1}}
        if i:
            branch.update(parentBranchId=f"br_{i - 1}", forkPointMessageId=f"msg_{i - 1}")
        else:
            branch["isMain"] = True
        opens.append('{"branch": ' + json.dumps(branch) + ', "children": [')
    nodes = "".join(opens) + "]}" * (forks + 1)
    head = json.dumps(
        {"success": True, "data": {"conversation": {"id": CID, "title": "deep"}, "branches": []}}
    )
    return head.replace('"branches": []', f'"branches": [{nodes}]')


def _chain_histories(forks: int) -> dict[str, list[Message]]:
    return {
        f"br_{i}": [Message(id=f"msg_{i}", role="user" if i % 2 else "assistant", content=f"turn {i}")]
        for i in range(forks + 1)
    }


def _get_tree(payload: str) -> ConversationTree:
    body = payload.encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with ChatRoutesClient(
        "cr_test_sk_deep", "https://api.example.test/api/v1", http_client=httpx.Client(transport=transport)
    ) as client:
        return client.conversations.get_tree(CID)


def _every_format(view: TreeView) -> dict[str, str]:
    from rich.console import Console

    out = {fmt: render(view, fmt) for fmt in ("text", "mermaid", "html", "json")}
    console = Console(file=StringIO(), force_terminal=True, width=160, color_system="truecolor")
    console.print(render_rich(view))
    out["rich"] = console.file.getvalue()  # type: ignore[attr-defined]
    return out


def test_json_past_the_parsers_depth_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = _fork_chain(1000)
    with pytest.raises(RecursionError):
        json.loads(payload)  # what the old client did
    tree = _get_tree(payload)
    assert [b.id for b in tree.iter_branches()] == [f"br_{i}" for i in range(1001)]
    deepest = tree.branches[0]
    for _ in range(1000):
        deepest = deepest.children[0]
    assert deepest.branch.id == "br_1000" and deepest.branch.message_count == 1


def test_a_thousand_nested_forks_in_every_format() -> None:
    assert sys.getrecursionlimit() <= 1000  # the default: nothing below may lean on a raised limit
    tree = _get_tree(_fork_chain(1000))
    view = build_view(tree, _chain_histories(1000))
    branches = list(view.walk())
    assert len(branches) == 1001 and branches[-1].depth == 1000
    assert [len(b.messages) for b in branches] == [1] * 1001
    assert branches[-1].fork_point is not None and branches[-1].fork_point.id == "msg_999"
    out = _every_format(view)
    for fmt, text in out.items():
        assert "msg_1000" in text, fmt
    data = json.loads(out["json"])
    assert data["branchCount"] == 1001 and data["messageCount"] == 1001
    deepest = next(line for line in out["text"].splitlines() if "(br_1000)" in line)
    assert "depth 1000" in deepest and len(deepest) < 4 * MAX_DRAWN_DEPTH + 200  # indentation is capped
    assert out["html"].count("<details") == 1001 and out["html"].count("</details>") == 1001


def test_ten_thousand_messages_on_one_branch_in_every_format() -> None:
    messages = [
        Message(id=f"msg_{i}", role="user" if i % 2 == 0 else "assistant", content=f"turn {i}")
        for i in range(10_000)
    ]
    tree = _get_tree(
        json.dumps({"data": {"conversation": {"id": CID}, "branches": [{"branch": {"id": "br_main"}}]}})
    )
    view = build_view(tree, {"br_main": messages})
    assert view.message_count == 10_000
    out = _every_format(view)
    assert len(out["text"].splitlines()) == 1 + 1 + 10_000
    assert out["mermaid"].count(" --> ") == 9_999
    assert json.loads(out["json"])["messageCount"] == 10_000


def test_the_output_and_the_time_grow_linearly_with_the_forks() -> None:
    sizes: dict[int, dict[str, int]] = {}
    times: dict[int, float] = {}
    for forks in (250, 1000):
        tree = _get_tree(_fork_chain(forks))
        start = time.perf_counter()
        out = _every_format(build_view(tree, _chain_histories(forks)))
        times[forks] = time.perf_counter() - start
        sizes[forks] = {fmt: len(text) for fmt, text in out.items()}
    for fmt in sizes[250]:
        assert sizes[1000][fmt] < 5 * sizes[250][fmt], fmt  # quadratic indentation would be ~16x
    assert times[1000] < 12 * times[250] + 0.5


def test_old_imports_of_the_view_model_still_work() -> None:
    from chatroutes_core.cli import tree_render

    assert tree_render.build_view is build_view and tree_render.TreeView is TreeView


def test_a_deep_view_has_a_flat_repr() -> None:
    view = build_view(_get_tree(_fork_chain(1000)), _chain_histories(1000))
    assert "br_0" in repr(view.roots[0]) and "br_1'" not in repr(view.roots[0])


def test_a_deep_tree_model_has_a_flat_repr() -> None:
    tree = _get_tree(_fork_chain(1000))
    text = repr(tree)
    assert "children=['br_1']" in text and "br_2" not in text
