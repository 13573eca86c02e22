"""Push from an API in another process: relay its change feed (``GET <base>/_changes``) when it has one.

The local server (``chatroutes serve``) publishes its writes at ``/api/v1/_changes`` (see
:mod:`chatroutes_core.server.changes`). ``chatroutes explore`` pointed at such a server reads that stream
once, through the core client's transport (same key, same base URL, same error mapping), and republishes
each change into a feed of its own, so its pages get pushed changes as the mounted explorer's do. An API
without the route (the hosted one answers 404) is polled instead; the check is made once, on first use.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import httpx

from .._request import Call
from ..server.changes import ChangeFeed

if TYPE_CHECKING:
    from .context import ExplorerContext

__all__ = ["UPSTREAM_OWNER", "ensure_live"]

UPSTREAM_OWNER = "upstream"  # the one owner of the relayed feed: the explorer acts with one key
RECONNECT_SECONDS = 1.0
_log = logging.getLogger("chatroutes_core.explorer")


def _raw(payload: Any) -> Any:
    return payload


async def _open(ctx: ExplorerContext, since: int) -> httpx.Response:
    call = Call.make("GET", "/_changes", _raw, query={"since": since}, stream=True)
    return await ctx.client()._transport.open(call)


async def ensure_live(ctx: ExplorerContext) -> None:
    """Decide push or poll once: push when the API serves ``/_changes`` (then relay it), else poll."""
    if ctx.feed is not None or ctx.upstream_checked:
        return
    async with ctx.upstream_lock():
        if ctx.feed is not None or ctx.upstream_checked:
            return
        try:
            response = await _open(ctx, 0)
        except Exception as exc:  # 404 from an API without a change feed, or unreachable: poll
            _log.debug("explorer: no change feed at the API (%s): polling", type(exc).__name__)
            ctx.upstream_checked = True
            return
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            await response.aclose()
            ctx.upstream_checked = True
            return
        feed = ChangeFeed()
        ctx.relay = asyncio.get_running_loop().create_task(_relay(ctx, feed, response))
        ctx.feed, ctx.owner, ctx.upstream_checked = feed, UPSTREAM_OWNER, True


async def _relay(ctx: ExplorerContext, feed: ChangeFeed, response: httpx.Response | None) -> None:
    """Read the upstream stream into ``feed``; reconnect (from the last version seen) when it drops."""
    last = 0
    while True:
        try:
            if response is None:
                response = await _open(ctx, last)
            event, data = "message", ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
                elif line.startswith("id:") and line[3:].strip().isdigit():
                    last = int(line[3:].strip())
                elif not line:
                    if event == "change" and data:
                        _republish(feed, json.loads(data))
                    event, data = "message", ""
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a dropped stream: try again shortly, from the last version seen
            _log.warning("explorer: the API's change feed dropped (%s); reconnecting", type(exc).__name__)
        finally:
            if response is not None:
                await response.aclose()
            response = None
        await asyncio.sleep(RECONNECT_SECONDS)


def _republish(feed: ChangeFeed, change: Any) -> None:
    if not isinstance(change, dict) or change.get("kind") not in (
        "message",
        "branch",
        "conversation",
        "checkpoint",
    ):
        return
    text = {k: v if isinstance(v, str) else None for k, v in change.items()}
    feed.publish(
        UPSTREAM_OWNER, change["kind"], text.get("conversationId"), text.get("branchId"), text.get("id")
    )
