"""The tree route on long branches and deep forks: a 200 every time, parseable JSON, in linear time.

Rows go in through the store directly (10,000 sends over HTTP would take most of a minute); the route
reads them exactly as it reads sent ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from chatroutes import ChatRoutes
from server_helpers import Api

from chatroutes_core.server.store import Store
from chatroutes_core.server.tree import MAX_BRANCH_DEPTH
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


def _turns(store: Store, conversation_id: str, branch_id: str, pairs: int, after: str | None) -> str | None:
    """``pairs`` (user, assistant) messages at the end of a branch; returns the last message id."""
    with store.atomic():
        for i in range(pairs):
            for role in ("user", "assistant"):
                after = store.add_message(
                    conversation_id, branch_id, role=role, content=f"{role} {i}", token_count=2,
                    parent_message_id=after,
                ).id  # fmt: skip
    return after


def _tree(srv: LocalServer, conversation_id: str) -> dict[str, Any]:
    api = Api(srv)
    try:
        response = api.http.get(f"/conversations/{conversation_id}/tree")
    finally:
        api.close()
    assert response.status_code == 200, response.text[:300]
    data: dict[str, Any] = response.json()["data"]
    return data


def _depth(node: dict[str, Any] | None) -> int:
    depth, level = 0, [node] if node else []
    while level:
        depth += 1
        level = [child for n in level for child in n["children"]]
    return depth


@pytest.mark.parametrize("sends", [64, 100])
def test_a_branch_of_64_to_100_sends_has_its_whole_message_tree(server: LocalServer, sends: int) -> None:
    api = Api(server)
    conv = api.conversation()
    main = api.main_branch(conv["id"])
    api.close()
    _turns(server.state.store, conv["id"], main["id"], sends, None)
    tree = _tree(server, conv["id"])
    assert tree["metadata"] == {"totalNodes": 2 * sends, "totalBranches": 1, "maxDepth": 2 * sends}
    assert _depth(tree["tree"]) == 2 * sends
    assert tree["branches"][0]["branch"]["_count"] == {"messages": 2 * sends}


def test_ten_thousand_messages_on_one_branch(server: LocalServer) -> None:
    api = Api(server)
    conv = api.conversation()
    main = api.main_branch(conv["id"])
    api.close()
    _turns(server.state.store, conv["id"], main["id"], 5_000, None)
    started = time.perf_counter()
    tree = _tree(server, conv["id"])
    elapsed = time.perf_counter() - started
    assert tree["metadata"] == {"totalNodes": 10_000, "totalBranches": 1, "maxDepth": 10_000}
    assert tree["tree"] is None  # 20,000 levels of JSON: no common parser reads that (see tree.py)
    assert tree["branches"][0]["branch"]["_count"] == {"messages": 10_000}
    assert tree["branchLayout"] == "nested"
    assert elapsed < 5, elapsed
    sdk = ChatRoutes(api_key=server.api_key, base_url=server.base_url, retry_attempts=0, timeout=10)
    assert sdk.conversations.get_tree(conv["id"])["metadata"]["totalNodes"] == 10_000


def _nested_forks(srv: LocalServer, forks: int) -> tuple[str, list[str]]:
    api = Api(srv)
    conv = api.conversation()
    parent = api.main_branch(conv["id"])["id"]
    api.close()
    store = srv.state.store
    tip = _turns(store, conv["id"], parent, 1, None)
    ids = [parent]
    with store.atomic():
        for i in range(forks):
            branch = store.create_branch(
                conv["id"], title=f"fork {i}", parent_branch_id=parent, fork_point_message_id=tip
            )
            tip = _turns(store, conv["id"], branch.id, 1, tip)
            parent = branch.id
            ids.append(branch.id)
    return conv["id"], ids


@pytest.mark.parametrize("forks", [MAX_BRANCH_DEPTH - 1, 130])
def test_nested_forks_past_the_old_recursion_limit(server: LocalServer, forks: int) -> None:
    cid, ids = _nested_forks(server, forks)
    tree = _tree(server, cid)
    assert tree["metadata"]["totalBranches"] == forks + 1
    if tree["branchLayout"] == "nested":
        node, seen = tree["branches"][0], []
        while True:
            seen.append(node["branch"]["id"])
            if not node["children"]:
                break
            (node,) = node["children"]
        assert seen == ids
    else:
        assert [b["id"] for b in tree["branches"]] == ids
        assert [b["parentBranchId"] for b in tree["branches"]] == [None, *ids[:-1]]


def test_a_thousand_nested_forks(server: LocalServer) -> None:
    cid, ids = _nested_forks(server, 1_000)
    started = time.perf_counter()
    tree = _tree(server, cid)
    elapsed = time.perf_counter() - started
    assert tree["branchLayout"] == "flat"  # 1,000 levels of {branch, children} would be 2,000 of JSON
    assert [b["id"] for b in tree["branches"]] == ids
    assert [b["parentBranchId"] for b in tree["branches"]] == [None, *ids[:-1]]
    assert all(b["_count"] == {"messages": 2} for b in tree["branches"])
    assert tree["mainBranch"]["id"] == ids[0]
    assert tree["metadata"] == {"totalNodes": 2_002, "totalBranches": 1_001, "maxDepth": 2_002}
    assert tree["tree"] is None
    assert elapsed < 5, elapsed
    sdk = ChatRoutes(api_key=server.api_key, base_url=server.base_url, retry_attempts=0, timeout=10)
    assert len(sdk.conversations.get_tree(cid)["branches"]) == 1_001
