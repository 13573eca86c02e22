"""Issue 24 item 6: text crafted to break `chatroutes tree` output, in every format.

The server's titles, ids, roles and contents are whatever someone stored. None of it may reach the output as
an escape sequence, a control character or a line of its own; html escapes it; json gives it back exactly.
A hypothesis property over arbitrary text (lone surrogates and controls included) for text, rich,
mermaid, html and json, plus the attacks the issue reported.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from io import StringIO

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatroutes_core.cli.tree_render import render, render_rich
from chatroutes_core.models import ConversationTree, Message
from chatroutes_core.treeview import TreeView, build_view

# What no output may hold (a line feed is the renderers' own line break, so it is checked by counting lines):
# C0 but \n, DEL, C1, line/paragraph separators, bidi overrides and isolates, lone surrogates.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the only escape sequence output is allowed to hold: rich's colours

HOSTILE = [
    "\n", "\r", "\r\n", "\t", "\x1b", "\x07", "\x9b", "\x9d", "\x85", "\u2028", "\u202e", "\x00", "\x7f",
    "\ud800", "%%{init: {'securityLevel': 'loose'}}%%", "%%", '"', "<script>", "</div>", "&amp;", "#quot;",
    "`", "click m_1 href \"javascript:alert(1)\"", "\x1b]0;pwned\x07", "\x1b]8;;http://evil\x1b\\", "\x1b[2J",
    "]", "[", "end", "-->", "Conversation conv_x: 9 branches, 9 messages",
]  # fmt: skip
hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8), st.characters(codec=None)), max_size=6
).map("".join)


def _view(title: str, branch_title: str, role: str, content: str, ident: str) -> TreeView:
    """Main (two messages) and one fork at its first message (one message); every text is given."""
    tree = ConversationTree.model_validate(
        {
            "conversation": {"id": "conv_" + ident, "title": title},
            "branches": [
                {
                    "branch": {"id": "br_main" + ident, "title": branch_title, "isMain": True},
                    "children": [
                        {
                            "branch": {
                                "id": "br_fork" + ident,
                                "title": branch_title + title,
                                "parentBranchId": "br_main" + ident,
                                "forkPointMessageId": "m1" + ident,
                            }
                        }
                    ],
                }
            ],
        }
    )
    main = [
        Message(id="m1" + ident, role=role, content=content),
        Message(id="m2" + ident, role="assistant", content=title + content),
    ]
    fork = [Message(id="m3" + ident, role="user", content=content + branch_title)]
    return build_view(tree, {"br_main" + ident: main, "br_fork" + ident: fork})


LINES = 6  # header, main, its 2 messages, the fork, its message


def _rich(view: TreeView) -> str:
    from rich.console import Console

    buf = StringIO()
    Console(file=buf, force_terminal=True, width=100_000, color_system="truecolor").print(render_rich(view))
    return buf.getvalue()


def _check_terminal(out: str) -> None:
    plain = SGR.sub("", out)
    assert not FORBIDDEN.search(plain), repr(FORBIDDEN.search(plain))
    assert "\x1b" not in plain
    assert plain.count("\n") == LINES, plain  # no forged lines
    assert plain.splitlines()[0].startswith("Conversation conv_")
    out.encode("utf-8")


_MERMAID_LINE = re.compile(
    r'flowchart TD|  %% [^%]*|  subgraph b_\w+\["[^"`%]*"\]|    direction TB|    m_\w+\["[^"`%]*"\]|  end'
    r"|  m_\w+ --> m_\w+|  m_\w+ -\. fork \.-> (m|b)_\w+"
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.contents: list[str] = []
        self._in_content = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag == "a":
            self.hrefs.append(found.get("href") or "")
        self._in_content = tag == "div" and found.get("class") == "content"
        if self._in_content:
            self.contents.append("")

    def handle_data(self, data: str) -> None:
        if self._in_content:
            self.contents[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._in_content = False


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "details", "summary", "span", "a"}
ALLOWED_TAGS |= {"ol", "li", "div"}
FORBIDDEN_IN_HTML = re.compile(FORBIDDEN.pattern.replace("\x00-\x09", "\x00-\x08"))  # a tab is only a tab


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text, hostile_text, hostile_text, hostile_text, hostile_text)
def test_no_format_lets_server_text_act(
    title: str, branch_title: str, role: str, content: str, ident: str
) -> None:
    view = _view(title, branch_title, role, content, ident)

    _check_terminal(render(view, "text"))
    _check_terminal(_rich(view))

    mermaid = render(view, "mermaid")
    assert not FORBIDDEN.search(mermaid)
    lines = mermaid.splitlines()
    assert len(lines) == 2 + 2 * 3 + 3 + 2  # flowchart, comment; 2 subgraphs; 3 nodes; 1 edge + 1 fork
    for line in lines:
        assert _MERMAID_LINE.fullmatch(line), line
    assert "%%{" not in mermaid and "<script" not in mermaid.lower()

    page = render(view, "html")
    assert not FORBIDDEN_IN_HTML.search(page)
    parser = _Tags()
    parser.feed(page)
    assert set(parser.tags) <= ALLOWED_TAGS
    assert all(href.startswith("#") for href in parser.hrefs)
    shown = [content, title + content, content + branch_title]
    drawn = [shown[0], shown[2], shown[1]]  # the fork is drawn right after the message it forks at
    for got, want in zip(parser.contents, drawn, strict=True):
        if not FORBIDDEN.search(want) and "\r" not in want:
            assert got == want  # ordinary text is shown exactly
    assert html.escape(title) in page or FORBIDDEN.search(title) or "\r" in title or "\n" in title

    data = render(view, "json")
    assert not FORBIDDEN.search(data)
    data.encode("utf-8")
    parsed = json.loads(data)
    assert parsed["conversation"]["title"] == title
    assert [b["title"] for b in parsed["branches"]] == [branch_title, branch_title + title]
    messages = [m for b in parsed["branches"] for m in b["messages"]]
    assert [m["content"] for m in messages] == shown
    assert messages[0]["role"] == role and messages[0]["id"] == "m1" + ident


def test_the_reported_mermaid_breakout_stays_in_its_comment() -> None:
    title = 'x\nclick m_m1 href "javascript:alert(1)"\n<script>alert(1)</script>\n'
    title += '%%{init: {"securityLevel": "loose"}}%%'
    out = render(_view(title, title, "user", title, ""), "mermaid")
    lines = out.splitlines()
    assert not any(line.lstrip().startswith(("click", "<script", "%%{")) for line in lines)
    assert "<script" not in out and "%%{" not in out and "javascript:alert(1)" in lines[1]


def test_terminal_escapes_and_forged_header_lines_are_shown_not_obeyed() -> None:
    attacks = "\x1b]0;owned\x07\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\x1b[2J\x9b2J"
    title = "fine\nConversation conv_forged: 1 branches, 0 messages"
    view = _view(title, attacks, "user\x1b[31m", attacks, "")
    for out in (render(view, "text"), _rich(view)):
        plain = SGR.sub("", out)
        assert "\x1b" not in plain and "\x9b" not in plain and "\x07" not in plain
        assert sum(line.startswith("Conversation ") for line in plain.splitlines()) == 1
        assert "\\x1b]0;owned\\x07" in plain  # shown, visibly


def test_the_conversation_list_shows_titles_inertly() -> None:
    from chatroutes_core.cli.conversations import render as render_list
    from chatroutes_core.models import Conversation

    out = render_list([Conversation(id="conv_\x1b[2J", title="a\x1b]0;owned\x07\x9b2J\u202eb")], None)
    assert not FORBIDDEN.search(out) and "\x1b" not in out
    assert "\\x1b]0;owned\\x07" in out
