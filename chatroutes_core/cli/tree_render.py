"""Render a conversation tree as terminal text, a rich tree, mermaid, a self-contained html page or json.

Pure: the input is a `ConversationTree` plus each branch's full history (what
`client.branches.get_history` returns); nothing here does I/O. `build_view` turns them into a `TreeView`
(each branch with its *own* messages, its parent and the message it forks at); the `render_*` functions
only format that view.

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from chatroutes_core.errors import UsageError
from chatroutes_core.tools import CALL_OPEN, find_tools_declaration, parse_reply, parse_tool_results

if TYPE_CHECKING:
    from rich.tree import Tree

    from chatroutes_core.models import Branch, ConversationTree, Message

Format = Literal["text", "mermaid", "html", "json"]
FORMATS: tuple[Format, ...] = ("text", "mermaid", "html", "json")
PREVIEW_CHARS = 60
MAIN_MARKER = "★ main"


@dataclass
class BranchView:
    """One branch as rendered: its own messages (not the inherited prefix) and where it forks off."""

    branch: Branch
    messages: list[Message]
    parent_id: str | None = None
    fork_point: Message | None = None
    fork_point_id: str | None = None
    children: list[BranchView] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.branch.id

    @property
    def title(self) -> str:
        return self.branch.title or ("main" if self.branch.is_main else self.branch.id)


@dataclass
class TreeView:
    """A conversation ready to render: its root branches (usually just main), depth-first."""

    conversation_id: str
    title: str | None
    roots: list[BranchView]
    conversation: dict[str, Any] = field(default_factory=dict)
    """The conversation's own fields in wire names (model, createdAt, ...), without messages or branches."""

    def walk(self) -> Iterator[BranchView]:
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @property
    def message_count(self) -> int:
        return sum(len(b.messages) for b in self.walk())


def build_view(tree: ConversationTree, histories: Mapping[str, Sequence[Message]]) -> TreeView:
    """Join a tree and per-branch full histories into a `TreeView`.

    A branch's own messages are those of its history that its parent's history does not hold, so this works
    whether or not a server includes the inherited prefix in a branch's history.
    """
    conversation = tree.conversation
    main_id = tree.main_branch.id if tree.main_branch else None

    def visit(node: Any, parent: BranchView | None) -> BranchView:
        branch: Branch = node.branch
        history = list(histories.get(branch.id, []))
        inherited: set[str] = set()
        parent_history: dict[str, Message] = {}
        if parent is not None:
            parent_history = {m.id: m for m in histories.get(parent.id, [])}
            inherited = set(parent_history)
        if main_id is not None and branch.id == main_id and not branch.is_main:
            branch = branch.model_copy(update={"is_main": True})
        fork_id = branch.fork_point_message_id
        fork_point = parent_history.get(fork_id) if fork_id else None
        if fork_point is None and fork_id:
            fork_point = next((m for m in history if m.id == fork_id), None)
        view = BranchView(
            branch=branch,
            messages=[m for m in history if m.id not in inherited],
            parent_id=parent.id if parent else branch.parent_branch_id,
            fork_point=fork_point,
            fork_point_id=fork_id,
        )
        view.children = [visit(child, view) for child in node.children]
        return view

    roots = [visit(node, None) for node in tree.branches]
    fields = (
        conversation.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"messages", "branches"}
        )
        if conversation
        else {}
    )
    return TreeView(
        conversation_id=conversation.id if conversation else "",
        title=conversation.title if conversation else None,
        roots=roots,
        conversation=fields,
    )


def _arguments(arguments: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in arguments.items())


def shown(message: Message) -> str:
    """A message as a reader wants it: tool calls, results and declarations summarised, not raw tags.

    A reply's ``<tool_call>`` blocks become ``→ name(arg=value)``; a turn of ``<tool_response>`` blocks
    becomes ``← name: result``; a ``<tools>`` declaration (system text sent with a turn) becomes
    ``[tools: a, b]`` before the user's words.
    """
    content = message.content
    if message.role == "assistant" and CALL_OPEN in content:
        parsed = parse_reply(content, message.id)
        calls = [f"→ {c.name}({_arguments(c.arguments)})" for c in parsed.tool_calls]
        calls += [f"→ invalid call ({c.error})" for c in parsed.invalid_tool_calls]
        return "\n".join(part for part in [parsed.text, *calls] if part)
    results = parse_tool_results(content)
    if results:
        return "\n".join(f"← {r.name}{' (error)' if r.is_error else ''}: {r.content}" for r in results)
    declaration = find_tools_declaration(content)
    if declaration is not None:
        start = content.rfind("[system]", 0, declaration.start)
        head = content[: start if start >= 0 else declaration.start].strip()
        rest = content[declaration.end :].strip()
        names = ", ".join(spec.name for spec in declaration.tools)
        return "\n".join(part for part in [head, f"[tools: {names}]", rest] if part)
    return content


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """One line of at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _header(view: TreeView) -> str:
    branches = sum(1 for _ in view.walk())
    title = f' "{view.title}"' if view.title else ""
    return f"Conversation {view.conversation_id}{title}: {branches} branches, {view.message_count} messages"


def _branch_label(b: BranchView) -> str:
    parts = [f"{b.title} ({b.id})"]
    if b.branch.is_main:
        parts.append(f"[{MAIN_MARKER}]")
    parts.append(f"{len(b.messages)} messages")
    if b.fork_point_id:
        where = f"forks at {b.fork_point_id}"
        if b.fork_point is not None:
            where += f' ("{preview(shown(b.fork_point), 30)}")'
        parts.append(where)
    return " · ".join(parts)


def ordered(b: BranchView) -> list[Message | BranchView]:
    """The branch's messages with each child branch drawn right after its fork point message.

    A child forked before the first message (an empty fork point) comes first; one whose fork point is not
    among these messages comes last.
    """
    own = {m.id for m in b.messages}
    at: dict[str | None, list[BranchView]] = {}
    for child in b.children:
        key = child.fork_point_id if child.fork_point_id in own else ("" if not child.fork_point_id else None)
        at.setdefault(key, []).append(child)
    items: list[Message | BranchView] = [*at.get("", [])]
    for m in b.messages:
        items.append(m)
        items.extend(at.get(m.id, []))
    items.extend(at.get(None, []))
    return items


def _message_line(m: Message) -> str:
    return f"{m.role}: {preview(shown(m))}  ({m.id})"


# --- text -----------------------------------------------------------------------------------------------


def render_text(view: TreeView) -> str:
    """A plain terminal tree (ASCII guides, no colour): branch titles, counts, fork points, previews."""
    lines = [_header(view)]

    def emit(b: BranchView, prefix: str, last: bool, root: bool) -> None:
        joint = "" if root else ("└── " if last else "├── ")
        lines.append(prefix + joint + _branch_label(b))
        inner = prefix + ("" if root else ("    " if last else "│   "))
        items = ordered(b)
        for i, item in enumerate(items):
            is_last = i == len(items) - 1
            if isinstance(item, BranchView):
                emit(item, inner, is_last, False)
            else:
                lines.append(inner + ("└─ " if is_last else "├─ ") + _message_line(item))

    for i, root in enumerate(view.roots):
        emit(root, "", i == len(view.roots) - 1, True)
    return "\n".join(lines) + "\n"


def render_rich(view: TreeView) -> Tree:
    """The same tree as a `rich.tree.Tree` (needs `rich`, from the `[server]` extra)."""
    from rich.text import Text
    from rich.tree import Tree

    def label(b: BranchView) -> Text:
        text = Text()
        text.append(b.title, style="bold cyan")
        text.append(f" ({b.id})", style="dim")
        if b.branch.is_main:
            text.append(f" {MAIN_MARKER}", style="bold yellow")
        text.append(f" · {len(b.messages)} messages", style="green")
        if b.fork_point_id:
            text.append(f" · forks at {b.fork_point_id}", style="magenta")
            if b.fork_point is not None:
                text.append(f' ("{preview(shown(b.fork_point), 30)}")', style="magenta dim")
        return text

    def add(parent: Tree, b: BranchView) -> None:
        node = parent.add(label(b), guide_style="dim")
        fill(node, b)

    def fill(node: Tree, b: BranchView) -> None:
        for m in ordered(b):
            if isinstance(m, BranchView):
                add(node, m)
                continue
            style = "bold" if m.role == "user" else ""
            line = Text()
            line.append(f"{m.role}: ", style="blue" if m.role == "user" else "green")
            line.append(preview(shown(m)), style=style)
            line.append(f"  ({m.id})", style="dim")
            node.add(line)

    root = Tree(Text(_header(view), style="bold"))
    for b in view.roots:
        add(root, b)
    return root


# --- mermaid --------------------------------------------------------------------------------------------

_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def mermaid_id(raw: str, prefix: str) -> str:
    """A node id mermaid accepts whatever the server's ids look like (and never the keyword `end`)."""
    return f"{prefix}_{_MERMAID_UNSAFE.sub('_', raw)}"


MERMAID_LINE_CHARS = 32


def _mermaid_label(text: str, width: int | None = None) -> str:
    """A quoted mermaid label; with `width`, wrapped onto lines of about that many characters (``<br/>``)."""
    if width is None:
        lines = [text]
    else:
        lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    escaped = [
        line.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
        for line in lines
    ]
    return '"' + "<br/>".join(escaped) + '"'


def render_mermaid(view: TreeView) -> str:
    """A mermaid `flowchart TD`: one subgraph per branch, one node per message, dashed edges at forks."""
    lines = ["flowchart TD", f"  %% {_header(view)}"]
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
    """One self-contained page (inline CSS, no scripts or external assets); branches are `<details>`."""
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(view.title or view.conversation_id)} · ChatRoutes tree</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<h1 data-conversation-id="{esc(view.conversation_id)}">{esc(_header(view))}</h1>',
    ]

    def emit(b: BranchView) -> None:
        classes = "branch main" if b.branch.is_main else "branch"
        attrs = f'class="{classes}" id="{esc(b.id)}" data-branch-id="{esc(b.id)}" open'
        if b.parent_id:
            attrs += f' data-parent-branch-id="{esc(b.parent_id)}"'
        if b.fork_point_id:
            attrs += f' data-fork-point-message-id="{esc(b.fork_point_id)}"'
        out.append(f"<details {attrs}>")
        summary = f'{esc(b.title)} <span class="id">{esc(b.id)}</span>'
        if b.branch.is_main:
            summary += f" {esc(MAIN_MARKER)}"
        summary += f" · {len(b.messages)} messages"
        if b.fork_point_id:
            fork = esc(b.fork_point_id)
            summary += f' <span class="fork">forks at <a href="#{fork}">{fork}</a></span>'
        out.append(f"<summary>{summary}</summary>")
        out.append("<ol>")
        for m in ordered(b):
            if isinstance(m, BranchView):  # a fork, drawn right after the message it forks at
                out.append('<li class="fork-point">')
                emit(m)
                out.append("</li>")
                continue
            out.append(
                f'<li class="msg {esc(m.role)}" id="{esc(m.id)}" data-message-id="{esc(m.id)}">'
                f'<span class="role">{esc(m.role)}</span><span class="id">{esc(m.id)}</span>'
                f'<div class="content">{esc(shown(m))}</div></li>'
            )
        out.append("</ol>")
        out.append("</details>")

    for root in view.roots:
        emit(root)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


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
    return json.dumps(to_dict(view), indent=2, ensure_ascii=False) + "\n"


def render(view: TreeView, fmt: Format) -> str:
    """Render as one of `FORMATS` (plain text for `"text"`)."""
    renderers = {"text": render_text, "mermaid": render_mermaid, "html": render_html, "json": render_json}
    if fmt not in renderers:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](view)
