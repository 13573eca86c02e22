"""Render a conversation tree as terminal text, a rich tree, mermaid, a self-contained html page or json.

Pure: the input is a :class:`~chatroutes_core.treeview.TreeView` (the view model shared with the branch
explorer; ``build_view`` and its types are re-exported here for old imports); the ``render_*`` functions
only format it. Every piece of server text goes through ``tree_safe`` first: no escape sequence, control
character or line break from a title, id, role or message reaches the output (json keeps the exact text as
``\\u`` escapes). Deep trees cost nothing: branches are walked with explicit stacks, and past
``MAX_DRAWN_DEPTH`` nested forks the text, rich and html trees stop indenting (each deeper branch is labelled
with its depth), so the output stays linear in the size of the tree.

Example:
    >>> reply = client.messages.send(conv.id, content="Plan a trip")
    >>> tree = client.conversations.get_tree(conv.id)
    >>> histories = {b.id: client.branches.get_history(conv.id, b.id) for b in tree.iter_branches()}
    >>> view = build_view(tree, histories)
    >>> print(render(view, "text"))
    Conversation conv_... "Docs": ...
    main (br_...) · [★ main] · 2 messages
    ├─ user: Plan a trip  (msg_...)
    └─ assistant: ...  (msg_...)
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from typing import TYPE_CHECKING, Any, Literal

from chatroutes_core.cli.console import plural
from chatroutes_core.cli.tree_safe import json_safe, multi_line, one_line
from chatroutes_core.errors import UsageError
from chatroutes_core.treeview import (
    PREVIEW_CHARS,
    BranchView,
    TreeView,
    build_view,
    ordered,
    preview,
    shown,
)

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree

    from chatroutes_core.models import Message

__all__ = [
    "FORMATS",
    "MAIN_MARKER",
    "MAX_DRAWN_DEPTH",
    "PREVIEW_CHARS",
    "BranchView",
    "Format",
    "TreeView",
    "build_view",
    "mermaid_id",
    "ordered",
    "preview",
    "render",
    "render_html",
    "render_json",
    "render_mermaid",
    "render_rich",
    "render_text",
    "shown",
    "to_dict",
]

Format = Literal["text", "mermaid", "html", "json"]
FORMATS: tuple[Format, ...] = ("text", "mermaid", "html", "json")
MAIN_MARKER = "★ main"
MAX_DRAWN_DEPTH = 24
"""Nested forks drawn with growing indentation; deeper ones are drawn at this depth, labelled with theirs."""


def _title(view: TreeView) -> str:
    return one_line(view.title) if view.title else ""


def _header(view: TreeView) -> str:
    branches = sum(1 for _ in view.walk())
    title = f' "{_title(view)}"' if view.title else ""
    cid = one_line(view.conversation_id)
    return f"Conversation {cid}{title}: {plural(branches, 'branch')}, {plural(view.message_count, 'message')}"


def _fork_text(b: BranchView) -> str:
    where = f"forks at {one_line(b.fork_point_id or '')}"
    if b.fork_point is not None:
        where += f' ("{one_line(preview(shown(b.fork_point), 30))}")'
    return where


def _branch_label(b: BranchView) -> str:
    parts = [f"{one_line(b.title)} ({one_line(b.id)})"]
    if b.branch.is_main:
        parts.append(f"[{MAIN_MARKER}]")
    parts.append(f"{len(b.messages)} messages")
    if b.fork_point_id:
        parts.append(_fork_text(b))
    if b.depth > MAX_DRAWN_DEPTH:
        parts.append(f"depth {b.depth}")
    return " · ".join(parts)


def _message_line(m: Message) -> str:
    return f"{one_line(m.role)}: {one_line(preview(shown(m)))}  ({one_line(m.id)})"


# --- text -----------------------------------------------------------------------------------------------


def render_text(view: TreeView) -> str:
    """A plain terminal tree (ASCII guides, no colour): branch titles, counts, fork points, previews."""
    lines = [_header(view)]
    # (item, prefix of its line, last among its siblings, a root branch)
    stack: list[tuple[Message | BranchView, str, bool, bool]] = [
        (root, "", i == len(view.roots) - 1, True) for i, root in enumerate(view.roots)
    ]
    stack.reverse()
    while stack:
        item, prefix, last, root = stack.pop()
        if not isinstance(item, BranchView):
            lines.append(prefix + ("└─ " if last else "├─ ") + _message_line(item))
            continue
        lines.append(prefix + ("" if root else ("└── " if last else "├── ")) + _branch_label(item))
        deep = item.depth >= MAX_DRAWN_DEPTH  # stop indenting: the output stays linear in the tree's size
        inner = prefix if root or deep else prefix + ("    " if last else "│   ")
        items = ordered(item)
        stack.extend(
            (child, inner, i == len(items) - 1, False) for i, child in reversed(list(enumerate(items)))
        )
    return "\n".join(lines) + "\n"


def render_rich(view: TreeView) -> Tree:
    """The same tree as a `rich.tree.Tree` (needs `rich`, from the `[server]` extra)."""
    from rich.text import Text
    from rich.tree import Tree

    root = Tree(Text(_header(view), style="bold"))
    # (the rich node to add to, the item); a branch past MAX_DRAWN_DEPTH puts its items beside itself
    stack: list[tuple[Tree, Message | BranchView]] = [(root, b) for b in reversed(view.roots)]
    while stack:
        parent, item = stack.pop()
        if not isinstance(item, BranchView):
            parent.add(_rich_message(item))
            continue
        node = parent.add(_rich_label(item), guide_style="dim")
        target = parent if item.depth >= MAX_DRAWN_DEPTH else node
        stack.extend((target if isinstance(i, BranchView) else node, i) for i in reversed(ordered(item)))
    return root


def _rich_label(b: BranchView) -> Text:
    from rich.text import Text

    text = Text()
    text.append(one_line(b.title), style="bold cyan")
    text.append(f" ({one_line(b.id)})", style="dim")
    if b.branch.is_main:
        text.append(f" {MAIN_MARKER}", style="bold yellow")
    text.append(f" · {len(b.messages)} messages", style="green")
    if b.fork_point_id:
        text.append(f" · {_fork_text(b)}", style="magenta")
    if b.depth > MAX_DRAWN_DEPTH:
        text.append(f" · depth {b.depth}", style="dim")
    return text


def _rich_message(m: Message) -> Text:
    from rich.text import Text

    line = Text()
    line.append(f"{one_line(m.role)}: ", style="blue" if m.role == "user" else "green")
    line.append(one_line(preview(shown(m))), style="bold" if m.role == "user" else "")
    line.append(f"  ({one_line(m.id)})", style="dim")
    return line


# --- mermaid --------------------------------------------------------------------------------------------

_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def mermaid_id(raw: str, prefix: str) -> str:
    """A node id mermaid accepts whatever the server's ids look like (and never the keyword `end`)."""
    return f"{prefix}_{_MERMAID_UNSAFE.sub('_', raw)}"


MERMAID_LINE_CHARS = 32


# Mermaid entity codes for what would end a quoted label, open a tag, a directive (``%%{init...}%%``) or a
# markdown string; ``#`` first, so the codes themselves are kept as written.
_MERMAID_CODES = {
    "#": "#35;",
    "&": "#amp;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "%": "#37;",
    "`": "#96;",
}
_MERMAID_SPECIAL = re.compile('[#&"<>%`]')


def _mermaid_text(text: str) -> str:
    return _MERMAID_SPECIAL.sub(lambda m: _MERMAID_CODES[m.group()], one_line(text))


def _mermaid_label(text: str, width: int | None = None) -> str:
    """A quoted mermaid label; with `width`, wrapped onto lines of about that many characters (``<br/>``)."""
    if width is None:
        lines = [text]
    else:
        lines = textwrap.wrap(one_line(text), width, break_long_words=True, break_on_hyphens=False) or [""]
    return '"' + "<br/>".join(_mermaid_text(line) for line in lines) + '"'


def _mermaid_comment(text: str) -> str:
    """A ``%%`` comment on one line, escaped as a label is (``%%{...}%%`` anywhere is a mermaid directive)."""
    return "%% " + _mermaid_text(text)


def render_mermaid(view: TreeView) -> str:
    """A mermaid `flowchart TD`: one subgraph per branch, one node per message, dashed edges at forks."""
    lines = ["flowchart TD", f"  {_mermaid_comment(_header(view))}"]
    edges: list[str] = []
    for b in view.walk():
        sub = mermaid_id(b.id, "b")
        main = f" {MAIN_MARKER}" if b.branch.is_main else ""
        title = _mermaid_label(f"{b.title}{main} · {len(b.messages)} messages", MERMAID_LINE_CHARS)
        lines.append(f"  subgraph {sub}[{title}]")
        lines.append("    direction TB")
        previous: str | None = None
        for m in b.messages:
            node = mermaid_id(m.id, "m")
            lines.append(f"    {node}[{_mermaid_label(f'{m.role}: {preview(shown(m), 40)}')}]")
            if previous:
                edges.append(f"  {previous} --> {node}")
            previous = node
        lines.append("  end")
        if b.fork_point_id:
            target = mermaid_id(b.messages[0].id, "m") if b.messages else sub
            edges.append(f"  {mermaid_id(b.fork_point_id, 'm')} -. fork .-> {target}")
    return "\n".join(lines + edges) + "\n"


# --- html -----------------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;background:#fafbfc}
h1{font-size:1.3rem} details{margin:.4rem 0 .4rem 1.1rem;border-left:2px solid #c9d3e0;padding-left:.8rem}
summary{cursor:pointer;font-weight:600} .id{color:#7a8699;font:12px ui-monospace,monospace}
.main>summary{color:#9a6700} .fork{color:#8250df;font-weight:400;font-size:.9em}
ol{list-style:none;padding-left:0;margin:.3rem 0}
li.msg{margin:.25rem 0;padding:.35rem .6rem;border-radius:6px}
li.user{background:#e8f0fe} li.assistant{background:#eaf7ee} li.system{background:#f4f4f4}
.role{font-weight:600;margin-right:.4rem} .content{white-space:pre-wrap}
"""


def render_html(view: TreeView) -> str:
    """One self-contained page (inline CSS, no scripts or external assets); branches are `<details>`.

    Nested `<details>` stop at ``MAX_DRAWN_DEPTH``: the forks of a deeper branch follow it in the same list.
    """
    title = _esc(view.title or view.conversation_id)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title} · ChatRoutes tree</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<h1 data-conversation-id="{_esc(view.conversation_id)}">{html.escape(_header(view))}</h1>',
    ]
    # A branch (and whether it sits in a fork-point <li>), a message, or closing tags.
    stack: list[tuple[BranchView, bool] | Message | str] = [(root, False) for root in reversed(view.roots)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, tuple):
            b, wrapped = item
            out.extend(_html_branch_open(b, wrapped))
            items = ordered(b)
            deep = b.depth >= MAX_DRAWN_DEPTH
            inside = [
                i if not isinstance(i, BranchView) else (i, True)
                for i in items
                if not deep or not isinstance(i, BranchView)
            ]
            after = [(i, True) for i in items if deep and isinstance(i, BranchView)]
            closing = "</ol>\n</details>" + ("\n</li>" if wrapped else "")
            sequence: list[tuple[BranchView, bool] | Message | str] = [*inside, closing, *after]
            stack.extend(reversed(sequence))
        else:
            out.append(
                f'<li class="msg {_esc(item.role)}" id="{_esc(item.id)}" data-message-id="{_esc(item.id)}">'
                f'<span class="role">{_esc(item.role)}</span><span class="id">{_esc(item.id)}</span>'
                f'<div class="content">{html.escape(multi_line(shown(item)))}</div></li>'
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _esc(text: str) -> str:
    return html.escape(one_line(text))


def _html_branch_open(b: BranchView, wrapped: bool) -> list[str]:
    classes = "branch main" if b.branch.is_main else "branch"
    attrs = f'class="{classes}" id="{_esc(b.id)}" data-branch-id="{_esc(b.id)}" data-depth="{b.depth}" open'
    if b.parent_id:
        attrs += f' data-parent-branch-id="{_esc(b.parent_id)}"'
    if b.fork_point_id:
        attrs += f' data-fork-point-message-id="{_esc(b.fork_point_id)}"'
    summary = f'{_esc(b.title)} <span class="id">{_esc(b.id)}</span>'
    if b.branch.is_main:
        summary += f" {html.escape(MAIN_MARKER)}"
    summary += f" · {len(b.messages)} messages"
    if b.fork_point_id:
        fork = _esc(b.fork_point_id)
        summary += f' <span class="fork">forks at <a href="#{fork}">{fork}</a></span>'
    if b.depth > MAX_DRAWN_DEPTH:
        summary += f" · depth {b.depth}"
    opening = ['<li class="fork-point">'] if wrapped else []  # a fork, right after the message it forks at
    return [*opening, f"<details {attrs}>", f"<summary>{summary}</summary>", "<ol>"]


# --- json -----------------------------------------------------------------------------------------------


def to_dict(view: TreeView) -> dict[str, Any]:
    """Machine-readable form: the conversation and a flat, depth-first list of branches (wire names)."""
    branches = []
    for b in view.walk():
        data = b.branch.model_dump(mode="json", by_alias=True, exclude_none=True)
        data.update(
            id=b.id,
            parentBranchId=b.parent_id,
            forkPointMessageId=b.fork_point_id,
            isMain=b.branch.is_main,
            messageCount=len(b.messages),
            childBranchIds=[c.id for c in b.children],
            messages=[m.model_dump(mode="json", by_alias=True, exclude_none=True) for m in b.messages],
        )
        data.pop("_count", None)
        branches.append(data)
    return {
        "conversation": {**view.conversation, "id": view.conversation_id, "title": view.title},
        "branchCount": len(branches),
        "messageCount": view.message_count,
        "branches": branches,
    }


def render_json(view: TreeView) -> str:
    """``to_dict`` as JSON; characters a terminal would act on are ``\\u`` escapes (the text round-trips)."""
    return json_safe(json.dumps(to_dict(view), indent=2, ensure_ascii=False)) + "\n"


def render(view: TreeView, fmt: Format) -> str:
    """Render as one of `FORMATS` (plain text for `"text"`)."""
    renderers = {"text": render_text, "mermaid": render_mermaid, "html": render_html, "json": render_json}
    if fmt not in renderers:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](view)
