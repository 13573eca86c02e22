"""Every explorer endpoint against a LocalServer: reads, streamed writes, branch actions, compare, errors."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import httpx
import pytest
from explorer_helpers import ExplorerThread, seed, sse_events

from chatroutes_core import ChatRoutesClient
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

HOSTILE = (
    '<script>alert(1)</script> <a href="javascript:alert(2)" onclick="x()">x</a> \x1b[31mred\x1b[0m '
    "\u202eטקסט מימין לשמאל\u202c"
)


@pytest.fixture
def session(explorer: ExplorerThread) -> Any:
    http, csrf = explorer.signed_in()
    http.headers["X-CSRF-Token"] = csrf
    with closing(http):
        yield http


def _graph(http: httpx.Client, cid: str) -> dict[str, Any]:
    answer = http.get(f"/explorer/api/conversations/{cid}/graph")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_conversations_newest_first_with_search_and_paging(
    session: httpx.Client, api_server: LocalServer
) -> None:
    made = [seed(api_server, f"paging {n} {'needle' if n % 2 else 'hay'}")["cid"] for n in range(5)]
    page = session.get("/explorer/api/conversations", params={"limit": 2}).json()
    assert [i["id"] for i in page["items"]] == made[::-1][:2]
    assert page["nextCursor"]
    item = page["items"][0]
    assert set(item) == {"id", "title", "updatedAt", "messageCount", "branchCount"}
    assert item["messageCount"] == 6 and item["branchCount"] == 2
    following = session.get("/explorer/api/conversations", params={"limit": 2, "cursor": page["nextCursor"]})
    assert [i["id"] for i in following.json()["items"]] == made[::-1][2:4]
    found = session.get("/explorer/api/conversations", params={"q": "NEEDLE"}).json()
    assert [i["id"] for i in found["items"]] == [made[3], made[1]] and found["nextCursor"] is None


def test_graph_lanes_rows_and_fork_points(session: httpx.Client, api_server: LocalServer) -> None:
    ids = seed(api_server, "graph")
    graph = _graph(session, ids["cid"])
    branches = {b["id"]: b for b in graph["branches"]}
    assert branches[ids["main"]]["lane"] == 0 and branches[ids["main"]]["isMain"]
    fork = branches[ids["fork"]]
    assert fork["lane"] == 1 and fork["depth"] == 1 and fork["forkPointMessageId"] == ids["reply1"]
    assert branches[ids["main"]]["childCount"] == 1 and fork["messageCount"] == 2
    rows = {m["id"]: m for m in graph["messages"]}
    first_on_fork = min(
        (m for m in graph["messages"] if m["branchId"] == ids["fork"]), key=lambda m: m["row"]
    )
    assert first_on_fork["parentMessageId"] == ids["reply1"]
    assert rows[ids["reply1"]]["row"] < first_on_fork["row"]
    assert [m["row"] for m in graph["messages"]] == list(range(6))
    assert graph["conversation"]["id"] == ids["cid"] and graph["version"]


def test_history_marks_the_inherited_prefix_and_reads_tool_and_system_steps(
    session: httpx.Client, api_server: LocalServer
) -> None:
    ids = seed(api_server, "history")
    with ChatRoutesClient(api_key=api_server.api_key, base_url=api_server.base_url) as client:
        turn = (
            '<tool_response>\n{"name": "get_weather", "tool_call_id": "call_1", "content": "sunny"}\n'
            "</tool_response>\n\n[system] be brief\n\nand now?"
        )
        client.branches.send_message(ids["cid"], ids["fork"], content=turn)
    items = session.get(f"/explorer/api/conversations/{ids['cid']}/branches/{ids['fork']}/history").json()[
        "items"
    ]
    assert [i["inherited"] for i in items] == [True, True, False, False, False, False]
    steps = items[4]["steps"]
    assert [s["kind"] for s in steps] == ["tool_result", "system", "text"]
    assert steps[0]["name"] == "get_weather" and steps[0]["text"] == "sunny"
    assert steps[1]["text"] == "be brief" and steps[2]["text"] == "and now?"


def test_history_steps_of_a_reply_with_tool_calls() -> None:
    from chatroutes_core.explorer.history import message_steps
    from chatroutes_core.models import Message

    reply = Message(
        id="msg_1",
        role="assistant",
        content='Checking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n'
        "</tool_call>",
    )
    steps = message_steps(reply)
    assert steps[0] == {"kind": "text", "text": "Checking.", "name": None, "arguments": None}
    assert steps[1]["kind"] == "tool_call" and steps[1]["name"] == "get_weather"
    assert steps[1]["arguments"] == {"city": "Paris"}


def _stream(http: httpx.Client, path: str, body: dict[str, Any]) -> list[tuple[str, Any]]:
    answer = http.post(path, json=body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    return sse_events(answer.text)


def test_send_streams_deltas_then_the_stored_reply(session: httpx.Client, api_server: LocalServer) -> None:
    ids = seed(api_server, "send")
    events = _stream(
        session, f"/explorer/api/conversations/{ids['cid']}/send", {"branchId": ids["fork"], "content": "go"}
    )
    kinds = [e for e, _ in events]
    assert kinds.count("delta") > 1 and kinds[-1] == "done"
    done = events[-1][1]
    assert done["branchId"] == ids["fork"] and done["message"]["role"] == "assistant"
    assert "".join(d["text"] for e, d in events if e == "delta") == done["message"]["content"]


def test_fork_with_and_without_content_edit_and_regenerate(
    session: httpx.Client, api_server: LocalServer
) -> None:
    ids = seed(api_server, "grow")
    base = f"/explorer/api/conversations/{ids['cid']}"
    plain = session.post(f"{base}/fork", json={"messageId": ids["reply1"], "title": "empty"})
    assert plain.status_code == 200 and plain.json()["branchId"]
    events = _stream(session, f"{base}/fork", {"messageId": ids["reply1"], "content": "forked turn"})
    assert events[0][0] == "branch" and events[-1][0] == "done"
    forked = events[0][1]["branchId"]
    assert events[-1][1]["branchId"] == forked
    history = session.get(f"{base}/branches/{forked}/history").json()["items"]
    assert [i["id"] for i in history[:2]] == [ids["user1"], ids["reply1"]]
    assert history[2]["steps"][0]["text"] == "forked turn"
    # edit the second user message of main: a sibling at its parent (the first reply) with the new text
    main = session.get(f"{base}/branches/{ids['main']}/history").json()["items"]
    edited = _stream(session, f"{base}/edit", {"messageId": main[2]["id"], "content": "second, edited"})
    edited_branch = edited[0][1]["branchId"]
    items = session.get(f"{base}/branches/{edited_branch}/history").json()["items"]
    assert [i["id"] for i in items[:2]] == [ids["user1"], ids["reply1"]]
    assert items[2]["steps"][0]["text"] == "second, edited" and len(items) == 4
    # regenerate main's last reply: a sibling asking the same user turn again
    again = _stream(session, f"{base}/regenerate", {"messageId": main[3]["id"]})
    regenerated = session.get(f"{base}/branches/{again[0][1]['branchId']}/history").json()["items"]
    assert regenerated[2]["steps"][0]["text"] == "second" and regenerated[3]["id"] != main[3]["id"]
    assert len(_graph(session, ids["cid"])["branches"]) == 6


def test_rename_merge_checkpoint_delete(session: httpx.Client, api_server: LocalServer) -> None:
    ids = seed(api_server, "actions")
    base = f"/explorer/api/conversations/{ids['cid']}/branches/{ids['fork']}"
    assert session.patch(base, json={"title": "renamed"}).json()["title"] == "renamed"
    checkpoint = session.post(f"{base}/checkpoint").json()
    assert checkpoint["id"] and checkpoint["anchorMessageId"]
    graph = _graph(session, ids["cid"])
    fork = next(b for b in graph["branches"] if b["id"] == ids["fork"])
    assert fork["title"] == "renamed" and fork["checkpoints"][0]["id"] == checkpoint["id"]
    refused = session.post(f"{base}/merge", json={"targetBranchId": "br_elsewhere"})
    assert refused.status_code == 400
    assert session.post(f"{base}/merge", json={}).json()["isActive"] is False
    merged = next(b for b in _graph(session, ids["cid"])["branches"] if b["id"] == ids["fork"])
    assert merged["merged"] is True and merged["isActive"] is False
    other = session.post(f"/explorer/api/conversations/{ids['cid']}/fork", json={"messageId": ids["reply1"]})
    gone = other.json()["branchId"]
    assert session.delete(f"/explorer/api/conversations/{ids['cid']}/branches/{gone}").status_code == 200
    assert gone not in {b["id"] for b in _graph(session, ids["cid"])["branches"]}


def test_compare_branches_from_their_common_ancestor(session: httpx.Client, api_server: LocalServer) -> None:
    ids = seed(api_server, "compare")
    answer = session.get(
        "/explorer/api/compare", params={"cid": ids["cid"], "branches": f"{ids['main']},{ids['fork']}"}
    )
    body = answer.json()
    assert body["ancestorMessageId"] == ids["reply1"]
    main, fork = body["columns"]
    assert len(main["items"]) == 2 and len(fork["items"]) == 2
    assert main["diff"] == ["changed", "changed"] and fork["diff"] == ["changed", "changed"]
    assert (
        session.get("/explorer/api/compare", params={"cid": ids["cid"], "branches": ids["main"]}).status_code
        == 400
    )


def test_compare_models_one_sibling_branch_per_model(session: httpx.Client, api_server: LocalServer) -> None:
    ids = seed(api_server, "models")
    events = _stream(
        session,
        f"/explorer/api/conversations/{ids['cid']}/compare",
        {"messageId": ids["reply1"], "models": ["gpt-5", "claude-sonnet-4-5"], "content": "which?"},
    )
    branches = {d["model"]: d["branchId"] for e, d in events if e == "branch"}
    assert set(branches) == {"gpt-5", "claude-sonnet-4-5"}
    done = {d["branchId"]: d["message"] for e, d in events if e == "done"}
    assert set(done) == set(branches.values())
    assert all(m["role"] == "assistant" for m in done.values())
    bad = session.post(
        f"/explorer/api/conversations/{ids['cid']}/compare",
        json={"messageId": ids["reply1"], "models": ["no-such-model"], "content": "x"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "UnsupportedModelError"


def test_errors_keep_the_upstream_status_and_bad_ids_are_refused(session: httpx.Client) -> None:
    missing = session.get("/explorer/api/conversations/conv_missing/graph")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "message": missing.json()["error"]["message"],
        "status": 404,
        "type": "NotFoundError",
    }
    bad = session.get("/explorer/api/conversations/..%2Fadmin/graph")
    assert bad.status_code in (400, 404)
    assert (
        session.post("/explorer/api/conversations/conv_x/send", json={"content": "no branch"}).status_code
        == 400
    )
    failed = session.post(
        "/explorer/api/conversations/conv_missing/send", json={"branchId": "br_x", "content": "hi"}
    )
    events = sse_events(failed.text)
    assert events[-1][0] == "error" and events[-1][1]["status"] == 404


def test_hostile_content_comes_back_verbatim_as_json_data(
    session: httpx.Client, api_server: LocalServer
) -> None:
    big = "x" * 400_000  # the local server takes 500,000 characters at most
    with ChatRoutesClient(api_key=api_server.api_key, base_url=api_server.base_url) as client:
        conv = client.conversations.create(title=HOSTILE)
        client.messages.send(conv.id, content=HOSTILE)
        client.messages.send(conv.id, content=big)
    listed = session.get("/explorer/api/conversations", params={"q": "script"}).json()["items"]
    assert listed[0]["title"] == HOSTILE
    graph = _graph(session, conv.id)
    assert graph["conversation"]["title"] == HOSTILE
    assert graph["messages"][0]["preview"] == HOSTILE
    assert len(graph["messages"][2]["preview"]) <= 161  # previews are cut; the history has it all
    main = graph["branches"][0]["id"]
    items = session.get(f"/explorer/api/conversations/{conv.id}/branches/{main}/history").json()["items"]
    assert items[0]["steps"][0]["text"] == HOSTILE and items[2]["steps"][0]["text"] == big


async def test_the_graph_from_the_message_tree_equals_the_graph_read_branch_by_branch(
    api_server: LocalServer,
) -> None:
    from chatroutes_core import AsyncChatRoutesClient
    from chatroutes_core.explorer.api import _own_messages, graph_json, messages_from_tree

    ids = seed(api_server, "two ways")
    async with AsyncChatRoutesClient(api_key=api_server.api_key, base_url=api_server.base_url) as client:
        await client.branches.fork(ids["cid"], fork_point_message_id=ids["user1"], title="at the first turn")
        tree = await client.conversations.get_tree(ids["cid"])
        fast = messages_from_tree((tree.model_extra or {}).get("tree"))
        conv = await client.conversations.get(ids["cid"])
        assert fast is not None and conv.branches is not None
        slow = await _own_messages(client, ids["cid"], conv.branches)
    assert {b: [m.id for m in ms] for b, ms in fast.items()} == {
        b: [m.id for m in ms] for b, ms in slow.items() if ms
    }
    one = graph_json(conv, conv.branches, fast, [])
    other = graph_json(conv, conv.branches, slow, [])
    keep = ("id", "branchId", "role", "preview", "row", "lane", "parentMessageId")
    assert [{k: m[k] for k in keep} for m in one["messages"]] == [
        {k: m[k] for k in keep} for m in other["messages"]
    ]
    assert one["branches"] == other["branches"]


def test_a_path_too_deep_for_the_message_tree_is_read_branch_by_branch(
    session: httpx.Client, api_server: LocalServer
) -> None:
    from chatroutes_core.server.store import hash_key

    store = api_server.state.store
    conv, main = store.create_conversation(hash_key(api_server.api_key), "deep", "gpt-5")
    previous = None
    with store.atomic():
        for n in range(260):  # the server leaves its message tree out past 200 messages on one path
            previous = store.add_message(
                conv.id, main.id, role="user", content=f"m{n}", token_count=1, parent_message_id=previous
            ).id
    with store.atomic():
        for n in range(3):
            fork = store.create_branch(
                conv.id, title=f"f{n}", parent_branch_id=main.id, fork_point_message_id=previous
            )
            store.add_message(
                conv.id, fork.id, role="user", content=f"f{n}", token_count=1, parent_message_id=previous
            )
    graph = _graph(session, conv.id)
    assert len(graph["messages"]) == 263 and graph["messages"][259]["preview"] == "m259"
    assert graph["messages"][-1]["createdAt"]  # read from the branch, which has every field
    # an update reads again only the branch that changed (the others are unchanged: same count and stamp)
    store.add_message(conv.id, fork.id, role="assistant", content="new", token_count=1)
    api_server.state.reset_requests()
    graph = _graph(session, conv.id)
    assert graph["messages"][-1]["preview"] == "new"
    reads = [path for method, path in api_server.state.requests if path.endswith("/messages")]
    assert reads == [f"/api/v1/conversations/{conv.id}/branches/{fork.id}/messages"]


def test_a_tree_the_server_cannot_encode_falls_back_to_branch_reads(
    session: httpx.Client, api_server: LocalServer
) -> None:
    from chatroutes_core.server.store import hash_key

    store = api_server.state.store
    conv, main = store.create_conversation(hash_key(api_server.api_key), "150 deep", "gpt-5")
    previous = None
    with store.atomic():
        for n in range(150):  # its /tree answers 500 here (nesting too deep for the JSON encoder)
            previous = store.add_message(
                conv.id, main.id, role="user", content=f"m{n}", token_count=1, parent_message_id=previous
            ).id
    api_server.state.reset_requests()
    assert len(_graph(session, conv.id)["messages"]) == 150
    assert len(_graph(session, conv.id)["messages"]) == 150
    trees = [path for _, path in api_server.state.requests if path.endswith("/tree")]
    assert len(trees) <= 1  # tried once, without retries, then remembered


def test_after_the_first_read_an_update_reads_only_the_branch_that_changed(
    session: httpx.Client, api_server: LocalServer
) -> None:
    ids = seed(api_server, "incremental")
    first = _graph(session, ids["cid"])
    api_server.state.reset_requests()
    with ChatRoutesClient(api_key=api_server.api_key, base_url=api_server.base_url) as client:
        client.branches.send_message(ids["cid"], ids["fork"], content="one more")
    api_server.state.reset_requests()
    second = _graph(session, ids["cid"])
    assert len(second["messages"]) == len(first["messages"]) + 2
    assert second["messages"][-1]["branchId"] == ids["fork"]
    paths = [path for _, path in api_server.state.requests]
    assert not any(path.endswith("/tree") for path in paths)
    assert [p for p in paths if p.endswith("/messages")] == [
        f"/api/v1/conversations/{ids['cid']}/branches/{ids['fork']}/messages"
    ]
