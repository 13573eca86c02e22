"""`chatroutes demo`: a guided tour of ChatRoutes from LangChain and LlamaIndex, offline by default.

Without `--live` (or without an API key) it starts the local server in-process on a temporary SQLite file;
with `--live` and `CHATROUTES_API_KEY` the same tour runs against the API (or `--base-url`). The steps live in
`chatroutes_core.cli.demo.steps`, one short function each; this module only narrates them.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from chatroutes_core._catalog import DEFAULT_MODEL
from chatroutes_core.cli.console import add_command, console_on
from chatroutes_core.cli.tree_render import TreeView, preview, render_rich, render_text, shown
from chatroutes_core.models import Message

if TYPE_CHECKING:
    from rich.console import Console

    from chatroutes_core.cli.demo.steps import Connection

STEPS = 9
OFFLINE_NOTE = (
    "Replies come from the local server's offline responder. It is deterministic and NOT a language model: "
    "each reply only reports the context it received, so you can watch forks and checkpoints work."
)
REAL_REPLIES = (
    "For real replies: set CHATROUTES_API_KEY and run `chatroutes demo --live`; or serve a local model "
    "through Ollama with `chatroutes serve --responder openai --upstream-url http://localhost:11434/v1 "
    "--upstream-model llama3.2` and run `chatroutes demo --live --base-url http://127.0.0.1:8787/api/v1 "
    "--api-key <the key it prints>`."
)


@dataclass
class TourResult:
    conversation_id: str
    view: TreeView
    seconds: float


class Narrator:
    """Prints the tour: rich panels, tables and a tree with colour, plain text without."""

    def __init__(self, out: IO[str], console: Console | None, width: int = 100) -> None:
        self.out, self.console, self.width = out, console, width

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.console is not None:
            self.console.print(text, style=style, markup=False, highlight=False)
        else:
            self.out.write(text + "\n")

    def wrapped(self, text: str, indent: str = "", style: str | None = None) -> None:
        if self.console is not None:  # rich wraps to the terminal's width
            from rich.padding import Padding
            from rich.text import Text

            self.console.print(Padding(Text(text, style=style or ""), (0, 0, 0, len(indent))))
            return
        width = self.width - len(indent)
        for chunk in textwrap.wrap(text, width=width) or [""]:
            self.line(indent + chunk, style)

    def step(self, n: int, title: str, function: str, what: str) -> None:
        if self.console is not None:
            self.console.print()
            self.console.rule(f"[bold]Step {n}/{STEPS}: {title}")
        else:
            self.out.write(f"\n== Step {n}/{STEPS}: {title} ==\n")
        self.wrapped(what, style="italic")
        self.line(f"code: chatroutes_core/cli/demo/steps.py::{function}", style="dim")

    def reply(self, label: str, text: str, limit: int = 700) -> None:
        if len(text) > limit:
            text = text[:limit].rstrip() + f" … [{len(text) - limit} more characters]"
        if self.console is not None:
            from rich.panel import Panel
            from rich.text import Text

            panel = Panel(Text(text.strip()), title=Text(label), title_align="left", border_style="green")
            self.console.print(panel)
        else:
            self.line(f"{label}:")
            for paragraph in text.strip().splitlines():
                self.wrapped(paragraph, indent="  | ")

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        for key, value in rows:
            self.line(f"  {key:<22} {value}", style="cyan")

    def side_by_side(self, titles: tuple[str, str], columns: tuple[list[str], list[str]]) -> None:
        left, right = columns
        if self.console is not None:
            from rich.table import Table
            from rich.text import Text

            table = Table(*titles, show_lines=True, expand=True)
            for i in range(max(len(left), len(right))):
                table.add_row(
                    Text(left[i] if i < len(left) else ""), Text(right[i] if i < len(right) else "")
                )
            self.console.print(table)
            return
        half = (self.width - 3) // 2
        self.line(f"{titles[0]:<{half}} | {titles[1]}")
        self.line("-" * half + "-+-" + "-" * half)
        for i in range(max(len(left), len(right))):
            a = textwrap.wrap(left[i], half) if i < len(left) else []
            b = textwrap.wrap(right[i], half) if i < len(right) else []
            for j in range(max(len(a), len(b), 1)):
                self.line(f"{(a[j] if j < len(a) else ''):<{half}} | {b[j] if j < len(b) else ''}".rstrip())

    def tree(self, view: TreeView) -> None:
        if self.console is not None:
            self.console.print(render_rich(view))
        else:
            self.out.write(render_text(view))


_ROLES = {"human": "user", "ai": "assistant"}


def _msg_line(m: Any) -> str:
    """`role: content` for a ChatRoutes `Message` or a LangChain message (tool calls and results shown)."""
    role = getattr(m, "role", None) or _ROLES.get(m.type, m.type)
    text = shown(m) if isinstance(m, Message) else str(m.content)
    if getattr(m, "tool_calls", None):
        calls = ", ".join(
            f"→ {c['name']}({', '.join(f'{k}={v!r}' for k, v in c['args'].items())})" for c in m.tool_calls
        )
        text = f"{text} {calls}".strip()
    elif getattr(m, "type", None) == "tool":
        text = f"← {m.name}: {text}"
    return f"{role}: {preview(text, 160)}"


def run_tour(conn: Connection, say: Narrator) -> TourResult:
    """All eight steps against `conn`; returns the tour conversation and its final tree."""
    from chatroutes_core.cli.demo import steps

    started = time.perf_counter()

    say.step(
        1, "an LCEL chain", "lcel_chain", "prompt | ChatChatRoutes | StrOutputParser, like any chat model."
    )
    say.reply("chain.invoke({'city': 'Lisbon'})", steps.lcel_chain(conn))

    say.step(
        2,
        "a multi-turn conversation",
        "multi_turn",
        "Each reply carries its place in the tree and goes back into the message list, so every turn "
        "is one request that continues the same branch; the history is never re-uploaded.",
    )
    conversation_id, history = steps.multi_turn(conn)
    for message in history:
        say.wrapped(_msg_line(message), indent="  ")
    main = steps.where(history[-1])
    say.facts(
        [
            ("conversation", conversation_id),
            ("main branch", main["branch_id"]),
            ("messages on main", str(len(history))),
        ]
    )

    say.step(
        3,
        "edit an earlier turn: a fork",
        "edit_earlier_turn",
        "We keep the first exchange and change the second question. The list now leaves the main branch "
        "before its tip, so ChatRoutes forks at the first reply; both histories live on.",
    )
    edited = steps.edit_earlier_turn(conn, conversation_id, history)
    fork = steps.where(edited[-1])
    say.facts([("new branch", fork["branch_id"]), ("forked at", steps.where(history[1])["message_id"])])
    main_history = steps.branch_history(conn, conversation_id, main["branch_id"])
    fork_history = steps.branch_history(conn, conversation_id, fork["branch_id"])
    say.side_by_side(
        (f"main ({main['branch_id']})", f"edit ({fork['branch_id']})"),
        ([_msg_line(m) for m in main_history], [_msg_line(m) for m in fork_history]),
    )

    say.step(
        4,
        "AutoBranchRouter: one request, two intents, two branches",
        "fan_out",
        f"Input: {steps.TWO_INTENTS!r}. The offline AutoBranch detector finds two intents; each goes "
        "to its route, concurrently, on its own branch forked from the conversation's tip.",
    )
    for route, output in steps.fan_out(conn, conversation_id).items():
        content = getattr(output, "content", output)
        ids = steps.where(output) if hasattr(output, "response_metadata") else {}
        say.reply(f"route {route!r} on branch {ids.get('branch_id', '?')}", str(content))

    say.step(
        5,
        "LlamaIndex: a query engine with the ChatRoutes LLM",
        "llama_index_query",
        "A VectorStoreIndex over three bundled documents (offline keyword-hash embeddings, not a real "
        "embedding model) answers with `ChatRoutes` as its LLM.",
    )
    answer, sources = steps.llama_index_query(conn)
    say.facts([("question", steps.QUESTION), ("retrieved", ", ".join(sources))])
    say.reply("query_engine.query(...)", answer)

    say.step(
        6,
        "a checkpoint on the long branch",
        "checkpoint_long_branch",
        "A checkpoint summarises the main branch up to its tip; the next turn uses the summary plus what "
        "came after it, and says so in its metadata.",
    )
    checkpoint, reply = steps.checkpoint_long_branch(conn, conversation_id, history)
    stored = steps.branch_history(conn, conversation_id, main["branch_id"])[-1].metadata
    say.facts(
        [
            ("checkpoint", checkpoint.id),
            ("summary tokens", str(checkpoint.token_count)),
            ("summary", preview(checkpoint.summary or "", 70)),
        ]
    )
    say.facts(
        [
            (key.replace("_", " "), str(stored[key]))
            for key in ("checkpoint_used", "context_message_count", "prompt_tokens")
            if key in stored
        ]
    )
    say.reply("next turn on main", str(reply.content))

    say.step(
        7,
        "CompareModels: one turn, two models, sibling branches",
        "compare_models",
        f"Input: {steps.COMPARE_TURN!r}. Each model answers on its own branch, both forked at the main "
        "branch's tip; continuing either reply is an ordinary turn on its branch. "
        f'Also: chatroutes compare "..." --models {" ".join(steps.COMPARE_MODELS)}',
    )
    (left, a), (right, b) = steps.compare_models(conn, conversation_id).items()
    say.side_by_side(
        (f"{left} ({steps.where(a)['branch_id']})", f"{right} ({steps.where(b)['branch_id']})"),
        ([str(a.content)], [str(b.content)]),
    )

    say.step(
        8,
        "an agent with two tools, and a time-travel fork of its run",
        "agent_run",
        f"Input: {steps.AGENT_TASK!r}. LangChain's create_agent with ChatChatRoutes: tools are declared in "
        "system text (the <tools> protocol), every agent step is one message on one branch. Then LangGraph "
        "time travel changes a tool result and resumes: ChatRoutes forks the run at the tool call.",
    )
    run = steps.agent_run(conn)
    first_branch = steps.where(run.first[-1])["branch_id"]
    fork_branch = steps.where(run.forked[-1])["branch_id"]
    say.side_by_side(
        (f"the run ({first_branch})", f"time travel ({fork_branch})"),
        ([_msg_line(m) for m in run.first], [_msg_line(m) for m in run.forked]),
    )
    say.tree(steps.conversation_tree(conn, run.conversation_id))

    say.step(
        9,
        "the conversation tree",
        "conversation_tree",
        f"Also: chatroutes tree {conversation_id} --format text|mermaid|html|json",
    )
    view = steps.conversation_tree(conn, conversation_id)
    say.tree(view)
    return TourResult(conversation_id, view, time.perf_counter() - started)


@contextmanager
def _target(args: argparse.Namespace, say: Narrator) -> Iterator[tuple[Connection, bool]]:
    """The connection the tour runs on, and whether it is the offline local server."""
    from chatroutes_core.cli.demo.steps import Connection

    key = args.api_key or os.environ.get("CHATROUTES_API_KEY")
    if args.live and key:
        from chatroutes_core import DEFAULT_BASE_URL

        base_url = args.base_url or os.environ.get("CHATROUTES_BASE_URL") or DEFAULT_BASE_URL
        conn = Connection(base_url=base_url, api_key=key, model=args.model)
        try:
            yield conn, False
        finally:
            conn.close()
        return
    if args.live:
        say.line(
            "--live needs an API key (CHATROUTES_API_KEY or --api-key); using the local server.", "yellow"
        )
    try:
        from chatroutes_core.testing import LocalServer, new_api_key
    except ModuleNotFoundError as exc:
        raise SystemExit(
            f"the demo's local server needs: pip install 'chatroutes-integrations[server]' ({exc.name})"
        ) from exc
    from chatroutes_core.cli.serve import choose_keys

    db = demo_db()  # kept after the tour, so `chatroutes serve --db <it>` opens its conversations
    key = choose_keys(None, str(db), 0, new_api_key).keys[0]  # the key saved beside it (as serve does)
    with LocalServer(db_path=db, api_key=key) as server:
        conn = Connection(base_url=server.base_url, api_key=server.api_key, model=args.model)
        try:
            yield conn, True
        finally:
            conn.close()


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
        run,
        help="a guided tour: LangChain, forks, AutoBranch routing, LlamaIndex, checkpoints, the tree",
        description="Runs a guided tour against an in-process local server (no key, no network), or "
        "against the ChatRoutes API with --live and CHATROUTES_API_KEY.",
    )
    parser.add_argument("--live", action="store_true", help="use the API (needs CHATROUTES_API_KEY)")
    parser.add_argument("--base-url", default=None, help="with --live: any ChatRoutes-compatible base URL")
    parser.add_argument(
        "--api-key", default=None, help="with --live: the API key (default $CHATROUTES_API_KEY)"
    )
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model alias (default {DEFAULT_MODEL})")
    parser.add_argument("--no-color", action="store_true", help="plain text output")


def run(args: argparse.Namespace, stream: IO[str] | None = None) -> int:
    from chatroutes_core import ChatRoutesError
    from chatroutes_core.cli.demo.steps import MissingExtraError

    out = stream if stream is not None else sys.stdout
    say = Narrator(out, console_on(out, args.no_color))
    try:
        with _target(args, say) as (conn, offline):
            where = "the local server (in-process, temporary SQLite)" if offline else "a live server"
            say.line(f"ChatRoutes demo against {where} at {conn.base_url}", "bold")
            if offline:
                say.wrapped(OFFLINE_NOTE, style="yellow")
                say.wrapped(REAL_REPLIES, style="yellow")
            result = run_tour(conn, say)
    except MissingExtraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ChatRoutesError as exc:
        print(f"error: the demo stopped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    branches = sum(1 for _ in result.view.walk())
    say.line()
    say.line(
        f"Done in {result.seconds:.1f} s: conversation {result.conversation_id} has {branches} branches and "
        f"{result.view.message_count} messages.",
        "bold green",
    )
    if offline:
        say.wrapped("Remember: those replies were the offline responder's, not a model's. " + REAL_REPLIES)
    say.line()
    say.line(explorer_command(offline, conn.base_url), "bold")
    return 0


def demo_db() -> Path:
    """Where the offline tour keeps its database: a folder of this user's in the temporary directory."""
    folder = Path(tempfile.gettempdir()) / f"chatroutes-demo-{getattr(os, 'getuid', lambda: 'user')()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / "demo.sqlite3"


def explorer_command(offline: bool, base_url: str) -> str:
    """The sentence that says how to open the tour's conversations in the branch explorer."""
    if offline:
        command = f"chatroutes serve --db {shlex.quote(str(demo_db()))}"
        return f"Explore these conversations in your browser: {command} (then open the link it prints)"
    command = f"chatroutes explore --base-url {shlex.quote(base_url)}"
    return f"Explore these conversations in your browser: {command} (with CHATROUTES_API_KEY set)"
