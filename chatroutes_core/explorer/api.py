"""The explorer's read routes: session, conversations, graph, history, compare (JSON)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

from .._client import AsyncChatRoutesClient
from .._exceptions import APIResponseValidationError, ServerError
from .._request import check_id
from ..models import Branch, Checkpoint, ConversationTree, Message
from .context import OwnCache, context, session_of
from .graph import BranchNode, layout
from .history import compare_columns, history_items, own_start
from .security import CSRF_HEADER, UNSAFE_METHODS
from .upstream import ensure_live

router = APIRouter()

UPSTREAM_PAGE = 100  # conversations per upstream request
MAX_SCAN_PAGES = 20  # upstream pages one search request reads at most (then it answers with a cursor)
PREVIEW = 160  # characters of a message shown in the graph
FETCH_CONCURRENCY = 8


async def require_session(request: Request) -> None:
    """401 without the session cookie; 403 on a state-changing request without the session's CSRF token."""
    ctx = context(request)
    session = session_of(request)
    if ctx.sessions.csrf(session) is None:
        raise HTTPException(401, "not signed in: open the link printed by chatroutes serve / explore")
    if request.method in UNSAFE_METHODS and not ctx.sessions.csrf_ok(
        session, request.headers.get(CSRF_HEADER)
    ):
        raise HTTPException(403, "missing or wrong X-CSRF-Token")


@router.get("/session")
async def session(request: Request) -> dict[str, Any]:
    ctx = context(request)
    await ensure_live(ctx)
    return {
        "csrf": ctx.sessions.csrf(session_of(request)),
        "live": ctx.live,
        "pollSeconds": ctx.poll_seconds,
        "models": ctx.models,
        "apiBase": ctx.api_base,
    }


def _cursor(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return 1, 0
    try:
        page, skip = (int(part) for part in cursor.split(".", 1))
    except ValueError:
        raise HTTPException(400, f"invalid cursor: {cursor!r}") from None
    if page < 1 or skip < 0:
        raise HTTPException(400, f"invalid cursor: {cursor!r}")
    return page, skip


@router.get("/conversations")
async def conversations(
    request: Request,
    q: str = "",
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    """Newest first; ``q`` filters by title (case-insensitive); ``nextCursor`` continues."""
    client = context(request).client()
    page, skip = _cursor(cursor)
    needle = q.casefold().strip()
    items: list[dict[str, Any]] = []
    for _ in range(MAX_SCAN_PAGES):
        result = await client.conversations.list(page=page, limit=UPSTREAM_PAGE)
        rows = result.conversations
        last = (
            not rows or (result.has_next is False) or (result.has_next is None and len(rows) < UPSTREAM_PAGE)
        )
        for index in range(skip, len(rows)):
            conv = rows[index]
            if needle and needle not in (conv.title or "").casefold():
                continue
            items.append(_conversation_item(conv))
            if len(items) == limit:
                more = index + 1 < len(rows) or not last
                nxt = (f"{page}.{index + 1}" if index + 1 < len(rows) else f"{page + 1}.0") if more else None
                return {"items": items, "nextCursor": nxt}
        if last:
            return {"items": items, "nextCursor": None}
        page, skip = page + 1, 0
    return {"items": items, "nextCursor": f"{page}.0"}


def _conversation_item(conv: Any) -> dict[str, Any]:
    return {
        "id": conv.id,
        "title": conv.title,
        "updatedAt": conv.updated_at,
        "messageCount": conv.message_count,
        "branchCount": conv.branch_count,
    }


def _merged(branch: Branch) -> bool:
    extra = branch.model_extra or {}
    if isinstance(extra.get("merged"), bool):
        return bool(extra["merged"])
    if extra.get("mergedAt") or extra.get("merged_at"):
        return True
    return not branch.is_main and not branch.is_active  # the API marks a merged branch inactive


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[:PREVIEW] + "…"


async def _own_messages(
    client: AsyncChatRoutesClient, cid: str, branches: list[Branch], cache: OwnCache | None = None
) -> dict[str, list[Message]]:
    """Each branch's own messages (the API may answer with the inherited prefix too: it is cut off).

    With ``cache``, a branch whose message count and ``updatedAt`` are unchanged since its last read is
    not read again: an update costs one request per branch that changed.
    """
    limit = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def one(branch: Branch) -> list[Message]:
        stamp = (branch.message_count, branch.updated_at)
        if cache is not None and (hit := cache.get(cid, branch.id, stamp)) is not None:
            return hit
        async with limit:
            messages = await client.branches.get_messages(cid, branch.id)
        if any(m.branch_id for m in messages):
            own = [m for m in messages if m.branch_id in (None, branch.id)]
        else:
            own = messages[own_start(messages, branch.fork_point_message_id) :]
        if cache is not None:
            cache.put(cid, branch.id, stamp, own)
        return own

    found = await asyncio.gather(*(one(b) for b in branches))
    return {b.id: msgs for b, msgs in zip(branches, found, strict=True)}


def graph_json(
    conv: Any, branches: list[Branch], own: dict[str, list[Message]], checkpoints: list[Checkpoint]
) -> dict[str, Any]:
    """The graph document of a conversation (pure)."""
    nodes = [BranchNode(b.id, b.parent_branch_id, b.fork_point_message_id, b.is_main) for b in branches]
    g = layout(nodes, {bid: [m.id for m in msgs] for bid, msgs in own.items()})
    per_branch: dict[str, list[dict[str, Any]]] = {}
    for cp in checkpoints:
        per_branch.setdefault(cp.branch_id or "", []).append(
            {"id": cp.id, "anchorMessageId": cp.anchor_message_id, "tokenCount": cp.token_count}
        )
    by_id = {b.id: b for b in branches}
    out_branches = [
        {
            "id": b.id,
            "title": b.title,
            "isMain": b.is_main,
            "isActive": b.is_active,
            "merged": _merged(b),
            "parentBranchId": b.parent_branch_id,
            "forkPointMessageId": b.fork_point_message_id,
            "lane": g.lanes[b.id],
            "depth": g.depths[b.id],
            "childCount": g.child_counts[b.id],
            "messageCount": sum(1 for m in own.get(b.id, ()) if g.message_branch.get(m.id) == b.id),
            "checkpoints": per_branch.get(b.id, []),
        }
        for b in (by_id[bid] for bid in g.order)
    ]
    messages: list[dict[str, Any]] = [
        {
            "id": m.id,
            "branchId": bid,
            "role": m.role,
            "preview": _preview(m.content),
            "createdAt": m.created_at,
            "row": g.rows[m.id],
            "lane": g.lanes[bid],
            "parentMessageId": g.parents[m.id],
            "model": m.model,
        }
        for bid in g.order
        for m in own.get(bid, ())
        if g.message_branch.get(m.id) == bid
    ]
    messages.sort(key=lambda item: item["row"])
    total = len(messages)
    version = f"{conv.updated_at or ''}|{len(branches)}|{total}"
    return {
        "conversation": {"id": conv.id, "title": conv.title, "updatedAt": conv.updated_at},
        "version": version,
        "branches": out_branches,
        "messages": messages,
    }


def messages_from_tree(tree: Any) -> dict[str, list[Message]] | None:
    """Each branch's own messages from the message tree of ``GET .../tree`` (None when it has none).

    The tree nests each message under the one before it and a branch's first message under its fork point,
    so a depth-first walk meets each branch's messages in order. Iterative: trees run deep.
    """
    if not isinstance(tree, dict):
        return None
    own: dict[str, list[Message]] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            return None
        if node.get("role") != "conversation":
            info = node.get("branchInfo")
            bid = info.get("branchId") if isinstance(info, dict) else None
            mid = node.get("id")
            if not isinstance(bid, str) or not isinstance(mid, str):
                return None
            fields = {"id": mid, "role": str(node.get("role")), "content": str(node.get("content") or ""),
                      "branchId": bid, "createdAt": node.get("createdAt"),
                      "model": node.get("model")}  # fmt: skip
            own.setdefault(bid, []).append(Message.model_validate(fields))
        children = node.get("children") or []
        stack.extend(reversed(children) if isinstance(children, list) else ())
    return own


@router.get("/conversations/{cid}/graph")
async def graph(cid: str, request: Request) -> dict[str, Any]:
    """The first read: one request for the tree when the API sends its message tree, else one per branch.
    Later reads: the conversation, then only the branches whose (message count, ``updatedAt``) moved."""
    check_id(cid, "conversation id")
    ctx = context(request)
    client = ctx.client()
    checkpoints = await client.checkpoints.list(cid)  # also the 404 of a missing conversation
    tree: ConversationTree | None = None
    if cid not in ctx.tree_read:
        # once, without retries: a 5xx here is a tree the server cannot encode, not a glitch
        with contextlib.suppress(ServerError, APIResponseValidationError):
            tree = await client.with_options(max_retries=0).conversations.get_tree(cid)
        ctx.tree_read.add(cid)  # from now on: per branch, from the cache (an update reads what changed)
    own = messages_from_tree((tree.model_extra or {}).get("tree")) if tree is not None else None
    if own is None or tree is None or tree.conversation is None:
        conv = await client.conversations.get(cid)
        branches = conv.branches if conv.branches is not None else await client.branches.list(cid)
        own = await _own_messages(client, cid, branches, ctx.own_cache)
        return graph_json(conv, branches, own, checkpoints)
    branches = list(tree.iter_branches())
    for branch in branches:
        ctx.own_cache.put(cid, branch.id, (branch.message_count, branch.updated_at), own.get(branch.id, []))
    return graph_json(tree.conversation, branches, own, checkpoints)


async def branch_items(
    client: Any, cid: str, bid: str, branches: list[Branch] | None = None
) -> list[dict[str, Any]]:
    """The full history of a branch as items (inherited prefix marked)."""
    if branches is None:
        branches = await client.branches.list(cid)
    branch = next((b for b in branches if b.id == bid), None)
    if branch is None:
        raise HTTPException(404, f"no branch {bid!r} in conversation {cid!r}")
    messages = await client.branches.get_history(cid, bid, branches=branches)
    return history_items(messages, bid, own_start(messages, branch.fork_point_message_id))


@router.get("/conversations/{cid}/branches/{bid}/history")
async def history(cid: str, bid: str, request: Request) -> dict[str, Any]:
    check_id(cid, "conversation id")
    check_id(bid, "branch id")
    return {"items": await branch_items(context(request).client(), cid, bid)}


@router.get("/compare")
async def compare(request: Request, cid: str, branches: str) -> dict[str, Any]:
    check_id(cid, "conversation id")
    ids = [b for b in branches.split(",") if b]
    if len(ids) < 2:
        raise HTTPException(400, "compare needs at least two branch ids: branches=b1,b2")
    for bid in ids:
        check_id(bid, "branch id")
    client = context(request).client()
    listed = await client.branches.list(cid)
    found = await asyncio.gather(*(branch_items(client, cid, bid, listed) for bid in ids))
    return compare_columns(list(zip(ids, found, strict=True)))
