"""``branches.get_history``: a branch's full history, whether or not the server sends the inherited part."""

from __future__ import annotations

from typing import Any

import httpx
from _core_mock import Recorder, async_client, ok, sync_client

MAIN = {"id": "main", "isMain": True}
ALT = {"id": "alt", "parentBranchId": "main", "forkPointMessageId": "m2"}
DEEP = {"id": "deep", "parentBranchId": "alt", "forkPointMessageId": "a2"}


def msg(mid: str, branch: str) -> dict[str, Any]:
    return {"id": mid, "role": "user", "content": mid, "branchId": branch}


MAIN_MSGS = [msg("m1", "main"), msg("m2", "main"), msg("m3", "main"), msg("m4", "main")]
ALT_OWN = [msg("a1", "alt"), msg("a2", "alt"), msg("a3", "alt")]
DEEP_OWN = [msg("d1", "deep")]


def by_path(messages: dict[str, list[dict[str, Any]]], branches: list[dict[str, Any]]) -> Recorder:
    def reply(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/branches"):
            return ok({"branches": branches})
        branch_id = path.split("/")[-2]
        return ok({"messages": messages[branch_id]})

    return Recorder(reply)


def test_server_without_inheritance_prefix_is_assembled_from_ancestors() -> None:
    recorder = by_path({"main": MAIN_MSGS, "alt": ALT_OWN, "deep": DEEP_OWN}, [MAIN, ALT, DEEP])
    with sync_client(recorder) as client:
        history = client.branches.get_history("c", "deep")
    assert [m.id for m in history] == ["m1", "m2", "a1", "a2", "d1"]
    assert {m.branch_id for m in history} == {"deep"}
    # the branch first (a server that includes the inherited part answers everything here), then the
    # branch list, since these messages do not start at the root, then the ancestors
    assert [r.url.path.rsplit("/", 2)[-2] for r in recorder.requests] == ["deep", "c", "alt", "main"]


def test_server_with_inheritance_needs_one_request_and_deduplicates() -> None:
    alt_full = [*MAIN_MSGS[:2], *ALT_OWN, msg("a3", "alt")]  # inherited prefix and a duplicate
    recorder = by_path({"alt": alt_full}, [MAIN, ALT])
    with sync_client(recorder) as client:
        history = client.branches.get_history("c", "alt", branches=[])
        assert len(recorder.requests) == 1  # branches given, fork point already present: no more GETs
    assert [m.id for m in history] == ["m1", "m2", "a1", "a2", "a3"]
    assert all(m.branch_id == "alt" for m in history)


def test_known_branches_skip_the_branch_list_and_the_main_branch_is_its_own_history() -> None:
    from chatroutes_core import Branch

    recorder = by_path({"main": MAIN_MSGS, "alt": ALT_OWN}, [])
    with sync_client(recorder) as client:
        history = client.branches.get_history(
            "c", "alt", branches=[Branch(id="main"), Branch.model_validate(ALT)]
        )
        main = client.branches.get_history("c", "main", branches=[Branch(id="main")])
    assert [m.id for m in history] == ["m1", "m2", "a1", "a2", "a3"]
    assert [m.id for m in main] == ["m1", "m2", "m3", "m4"]
    assert not any(r.url.path.endswith("/branches") for r in recorder.requests)


def test_a_fork_point_missing_from_the_parent_adds_no_guessed_prefix() -> None:
    recorder = by_path({"main": MAIN_MSGS[2:], "alt": ALT_OWN}, [MAIN, ALT])
    with sync_client(recorder) as client:
        assert [m.id for m in client.branches.get_history("c", "alt")] == ["a1", "a2", "a3"]


def test_a_parent_cycle_terminates() -> None:
    a = {"id": "x", "parentBranchId": "y", "forkPointMessageId": "y1"}
    b = {"id": "y", "parentBranchId": "x", "forkPointMessageId": "x1"}
    recorder = by_path({"x": [msg("x1", "x")], "y": [msg("y1", "y")]}, [a, b])
    with sync_client(recorder) as client:
        assert [m.id for m in client.branches.get_history("c", "x")] == ["y1", "x1"]


async def test_async_get_history_matches() -> None:
    recorder = by_path({"main": MAIN_MSGS, "alt": ALT_OWN, "deep": DEEP_OWN}, [MAIN, ALT, DEEP])
    async with async_client(recorder) as client:
        history = await client.branches.get_history("c", "deep")
    assert [m.id for m in history] == ["m1", "m2", "a1", "a2", "d1"]
    assert {m.branch_id for m in history} == {"deep"}


def test_a_server_that_includes_the_inherited_part_costs_one_request() -> None:
    def full(mid: str, parent: str | None) -> dict[str, Any]:
        return {**msg(mid, "alt"), "parentMessageId": parent}

    alt_full = [full("m1", None), full("m2", "m1"), full("a1", "m2")]
    recorder = by_path({"alt": alt_full}, [MAIN, ALT])
    with sync_client(recorder) as client:
        history = client.branches.get_history("c", "alt")
    assert len(recorder.requests) == 1  # starts at the root and reports parents: nothing to assemble
    assert [m.id for m in history] == ["m1", "m2", "a1"]
