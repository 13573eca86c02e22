"""The tree renderers (text, rich, mermaid, html, json) on a hand-built three-branch tree; pure, offline."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from io import StringIO

import pytest

from chatroutes_core.cli.tree_render import (
    MAIN_MARKER,
    TreeView,
    build_view,
    mermaid_id,
    preview,
    render,
    render_html,
    render_json,
    render_mermaid,
    render_rich,
    render_text,
    to_dict,
)
from chatroutes_core.models import ConversationTree, Message

CID = "conv_1"


def _msg(mid: str, role: str, content: str, branch: str) -> Message:
    return Message(id=mid, role=role, content=content, branch_id=branch, conversation_id=CID)


M1 = _msg("msg_1", "user", "Plan a trip to Lisbon", "br_main")
M2 = _msg("msg_2", "assistant", "Day 1: Alfama. Day 2: Belém.", "br_main")
M3 = _msg("msg_3", "user", "Make it cheaper", "br_main")
M4 = _msg("msg_4", "assistant", "Hostels & trams <cheap>", "br_main")
E1 = _msg("msg_5", "user", 'Make it "luxury" instead', "br_edit")
E2 = _msg("msg_6", "assistant", "Five-star hotels on the river.\nWith a second line.", "br_edit")
F1 = _msg("msg_7", "user", "And for kids?", "br_kids")
F2 = _msg("msg_8", "assistant", "The aquarium.", "br_kids")
ALL = [M1, M2, M3, M4, E1, E2, F1, F2]


def _tree() -> ConversationTree:
    # the wire shape of the local server: nested {branch, children} nodes with _count
    return ConversationTree.model_validate(
        {
            "conversation": {"id": CID, "title": "Lisbon"},
            "branches": [
                {
                    "branch": {"id": "br_main", "title": "Main", "isMain": True, "_count": {"messages": 4}},
                    "children": [
                        {
                            "branch": {
                                "id": "br_edit",
                                "title": "Luxury edit",
                                "parentBranchId": "br_main",
                                "forkPointMessageId": "msg_2",
                            },
                            "children": [
                                {
                                    "branch": {
                                        "id": "br_kids",
                                        "title": "Kids",
                                        "parentBranchId": "br_edit",
                                        "forkPointMessageId": "msg_6",
                                    },
                                    "children": [],
                                }
                            ],
                        }
                    ],
                }
            ],
            "mainBranch": {"id": "br_main", "isMain": True},
        }
    )


def _histories(inherited: bool) -> dict[str, list[Message]]:
    """Full histories (inherited prefix included) or only each branch's own messages."""
    if inherited:
        return {"br_main": [M1, M2, M3, M4], "br_edit": [M1, M2, E1, E2], "br_kids": [M1, M2, E1, E2, F1, F2]}
    return {"br_main": [M1, M2, M3, M4], "br_edit": [E1, E2], "br_kids": [F1, F2]}


@pytest.fixture(params=[True, False], ids=["full-history", "own-only"])
def view(request: pytest.FixtureRequest) -> TreeView:
    return build_view(_tree(), _histories(request.param))


def test_view_splits_own_messages_and_fork_points(view: TreeView) -> None:
    branches = {b.id: b for b in view.walk()}
    assert [b.id for b in view.walk()] == ["br_main", "br_edit", "br_kids"]
    assert [m.id for m in branches["br_main"].messages] == ["msg_1", "msg_2", "msg_3", "msg_4"]
    assert [m.id for m in branches["br_edit"].messages] == ["msg_5", "msg_6"]
    assert [m.id for m in branches["br_kids"].messages] == ["msg_7", "msg_8"]
    assert branches["br_edit"].fork_point is not None
    assert branches["br_edit"].fork_point.id == "msg_2"
    assert branches["br_kids"].parent_id == "br_edit"
    assert view.message_count == 8


def test_text_marks_main_counts_fork_points_and_previews(view: TreeView) -> None:
    text = render_text(view)
    main_line = next(line for line in text.splitlines() if "(br_main)" in line)
    assert MAIN_MARKER in main_line and "4 messages" in main_line
    assert sum(MAIN_MARKER in line for line in text.splitlines()) == 1
    edit_line = next(line for line in text.splitlines() if "(br_edit)" in line)
    assert "forks at msg_2" in edit_line and "Day 1: Alfama" in edit_line and "2 messages" in edit_line
    assert "forks at msg_6" in next(line for line in text.splitlines() if "(br_kids)" in line)
    for m in ALL:
        assert m.id in text
    assert "Five-star hotels on the river. With a second line." in text  # one line per message
    assert "\x1b[" not in text
    # the kids branch is drawn inside the edit branch, deeper than the edit branch
    lines = text.splitlines()
    indent = {
        bid: len(line) - len(line.lstrip("│├└─ "))
        for line in lines
        for bid in ("br_edit", "br_kids")
        if f"({bid})" in line
    }
    assert indent["br_kids"] > indent["br_edit"]


def test_rich_tree_renders_with_colour_codes(view: TreeView) -> None:
    from rich.console import Console

    buf = StringIO()
    Console(file=buf, force_terminal=True, width=200, color_system="standard").print(render_rich(view))
    out = buf.getvalue()
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert MAIN_MARKER in plain and "forks at msg_2" in plain
    assert all(m.id in plain for m in ALL)


def test_mermaid_lists_every_branch_and_message(view: TreeView) -> None:
    text = render_mermaid(view)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines[0] == "flowchart TD"
    subgraphs = [line for line in lines if line.startswith("subgraph ")]
    assert [s.split()[1].split("[")[0] for s in subgraphs] == [
        mermaid_id(b, "b") for b in ("br_main", "br_edit", "br_kids")
    ]
    assert lines.count("end") == len(subgraphs)
    node_ids = {m.group(1) for m in re.finditer(r"^\s*(m_\w+)\[\"", text, re.M)}
    for m in ALL:
        assert mermaid_id(m.id, "m") in node_ids
    # node labels are quoted and never contain a raw quote, bracket or angle bracket inside
    for line in lines:
        if line.startswith("m_") and "[" in line:
            label = line[line.index('["') + 2 : line.rindex('"]')]
            assert not set(label) & set('"<>')
    assert f"{mermaid_id('msg_2', 'm')} -. fork .-> {mermaid_id('msg_5', 'm')}" in lines
    assert f"{mermaid_id('msg_6', 'm')} -. fork .-> {mermaid_id('msg_7', 'm')}" in lines
    # every edge joins nodes that are declared
    for line in lines:
        if "-->" in line or "-. fork .->" in line:
            ends = re.split(r"\s*(?:-->|-\. fork \.->)\s*", line)
            assert set(ends) <= node_ids


def test_mermaid_ids_are_safe_for_odd_server_ids() -> None:
    assert mermaid_id("a-b/c.d", "m") == "m_a_b_c_d"
    assert mermaid_id("end", "b") == "b_end"


_PAIRED = {
    "details",
    "ol",
    "li",
    "summary",
    "div",
    "span",
    "h1",
    "html",
    "head",
    "body",
    "title",
    "style",
    "a",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.message_ids: list[str] = []
        self.branch_ids: list[str] = []
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag in _PAIRED:
            self.stack.append(tag)
        if a.get("data-message-id"):
            assert a["id"] == a["data-message-id"]
            self.message_ids.append(str(a["data-message-id"]))
        if tag == "details":
            self.branch_ids.append(str(a["data-branch-id"]))
        if tag in {"script", "link", "img", "iframe"} or a.get("src") or "//" in str(a.get("href", "")):
            self.external.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag in _PAIRED:
            assert self.stack.pop() == tag, f"unbalanced </{tag}>"


def test_html_is_self_contained_and_has_every_message_id(view: TreeView) -> None:
    page = render_html(view)
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert sorted(parser.message_ids) == sorted(m.id for m in ALL)
    assert parser.branch_ids == ["br_main", "br_edit", "br_kids"]
    assert parser.external == []
    assert "<style>" in page
    assert "&lt;cheap&gt;" in page and "<cheap>" not in page  # content is escaped
    assert 'data-fork-point-message-id="msg_2"' in page


def test_json_round_trips_into_a_conversation_tree(view: TreeView) -> None:
    data = json.loads(render_json(view))
    assert data == to_dict(view)
    assert data["branchCount"] == 3 and data["messageCount"] == 8
    by_id = {b["id"]: b for b in data["branches"]}
    assert by_id["br_edit"]["parentBranchId"] == "br_main"
    assert by_id["br_edit"]["forkPointMessageId"] == "msg_2"
    assert by_id["br_main"]["isMain"] is True
    assert [m["id"] for m in by_id["br_kids"]["messages"]] == ["msg_7", "msg_8"]
    again = ConversationTree.model_validate(data)  # the flat list nests back by parentBranchId
    assert [b.id for b in again.iter_branches()] == ["br_main", "br_edit", "br_kids"]
    rebuilt = build_view(
        again, {b["id"]: [Message.model_validate(m) for m in b["messages"]] for b in data["branches"]}
    )
    assert to_dict(rebuilt)["branches"] == data["branches"]


def test_render_dispatch_and_unknown_format(view: TreeView) -> None:
    assert render(view, "text") == render_text(view)
    assert render(view, "json") == render_json(view)
    with pytest.raises(ValueError, match="unknown format"):
        render(view, "svg")  # type: ignore[arg-type]


def test_preview_is_one_short_line() -> None:
    assert preview("a\n b  c") == "a b c"
    long = preview("x" * 500, 20)
    assert len(long) == 20 and long.endswith("…")


def _line_of(lines: list[str], needle: str) -> int:
    return next(i for i, line in enumerate(lines) if needle in line)


def test_text_draws_a_fork_at_its_fork_point(view: TreeView) -> None:
    lines = render_text(view).splitlines()
    # br_edit forks at msg_2: drawn after msg_2 and before msg_3, not after main's last message
    assert _line_of(lines, "(msg_2)") < _line_of(lines, "(br_edit)") < _line_of(lines, "(msg_3)")
    # br_kids forks at msg_6, the edit branch's last message: after it
    assert _line_of(lines, "(msg_6)") < _line_of(lines, "(br_kids)")
    assert lines[-1].strip().startswith("└─ ") and "(msg_4)" in lines[-1]  # main's last message ends it


def test_rich_draws_a_fork_at_its_fork_point(view: TreeView) -> None:
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    console.print(render_rich(view))
    lines = console.export_text().splitlines()
    assert _line_of(lines, "(msg_2)") < _line_of(lines, "(br_edit)") < _line_of(lines, "(msg_3)")


def test_html_draws_a_fork_at_its_fork_point(view: TreeView) -> None:
    page = render_html(view)
    at = page.index
    assert at('id="msg_2"') < at('id="br_edit"') < at('id="msg_3"')
    assert at('id="br_edit"') < at('id="msg_5"') < at('id="msg_6"') < at('id="br_kids"') < at('id="msg_4"')


def test_a_fork_before_any_message_comes_first() -> None:
    tree = ConversationTree.model_validate(
        {
            "conversation": {"id": CID},
            "branches": [
                {
                    "branch": {"id": "br_main", "isMain": True},
                    "children": [{"branch": {"id": "br_gpt", "parentBranchId": "br_main"}, "children": []}],
                }
            ],
        }
    )
    view = build_view(tree, {"br_main": [M1], "br_gpt": [E1]})
    lines = render_text(view).splitlines()
    assert _line_of(lines, "(br_gpt)") < _line_of(lines, "(msg_1)")


def test_mermaid_wraps_long_branch_titles() -> None:
    title = "A very long branch title that explains exactly why this alternative exists & more"
    node = {"branch": {"id": "br_main", "title": title}, "children": []}
    tree = ConversationTree.model_validate({"conversation": {"id": CID}, "branches": [node]})
    out = render_mermaid(build_view(tree, {"br_main": [M1]}))
    subgraph = next(line for line in out.splitlines() if line.strip().startswith("subgraph"))
    label = subgraph[subgraph.index('["') + 2 : subgraph.rindex('"]')]
    parts = label.split("<br/>")
    assert len(parts) >= 3 and all(len(p) <= 32 + len("#amp;") for p in parts)
    assert "#amp;" in label and not set("".join(parts)) & set('"<>')
    assert " ".join(parts).replace("#amp;", "&").startswith(title[:40])


def test_tool_calls_results_and_declarations_are_shown_readably() -> None:
    from chatroutes_core.cli.tree_render import shown
    from chatroutes_core.models import Message
    from chatroutes_core.tools import (
        ToolCall,
        ToolResult,
        ToolSpec,
        render_tool_calls,
        render_tool_results,
        render_tools_system,
    )

    call = render_tool_calls([ToolCall("c1", "add", {"a": 1, "b": 2})])
    assert shown(Message(id="m1", role="assistant", content=f"Adding.\n{call}")) == "Adding.\n→ add(a=1, b=2)"
    results = render_tool_results([ToolResult("c1", "add", "3"), ToolResult("c2", "div", "by zero", True)])
    assert shown(Message(id="m2", role="user", content=results)) == "← add: 3\n← div (error): by zero"
    declared = f"[system] {render_tools_system([ToolSpec('add')])}\n\nadd 1 and 2"
    assert shown(Message(id="m3", role="user", content=declared)) == "[tools: add]\nadd 1 and 2"
    assert shown(Message(id="m4", role="user", content="plain")) == "plain"
