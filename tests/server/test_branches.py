"""Trees: forks, inherited history, contextMode, merge, isActive, the tree shape."""

from __future__ import annotations

from typing import Any

from server_helpers import Api


def _three_turns(api: Api) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    conv = api.conversation()
    for text in ("one", "two", "three"):
        api.send(conv["id"], text)
    return conv, api.ok("GET", f"/conversations/{conv['id']}/messages")["messages"]


def test_fork_history_is_parent_prefix_plus_own(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    main = api.main_branch(conv["id"])
    fork_point = main_msgs[1]  # the first reply
    branch = api.fork(conv["id"], fork_point["id"], title="alt")
    assert branch["parentBranchId"] == main["id"] and branch["forkPointMessageId"] == fork_point["id"]
    assert branch["isMain"] is False and branch["isActive"] is True and branch["contextMode"] == "FULL"
    assert [m["id"] for m in api.history(conv["id"], branch["id"])] == [m["id"] for m in main_msgs[:2]]
    reply = api.send(conv["id"], "alt two", branchId=branch["id"])["message"]
    assert "turn 2 on branch 'alt', 2 prior messages in context. You said: alt two" in reply["content"]
    history = api.history(conv["id"], branch["id"])
    assert [m["content"] for m in history[:2]] == ["one", main_msgs[1]["content"]]
    assert [m["branchId"] for m in history] == [main["id"]] * 2 + [branch["id"]] * 2
    # the main branch is untouched, and its next reply reflects its own, longer history
    assert len(api.history(conv["id"], main["id"])) == 6
    main_reply = api.send(conv["id"], "four")["message"]["content"]
    assert "turn 4 on branch 'main', 6 prior messages" in main_reply


def test_fork_of_a_fork_inherits_through_both(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    first = api.fork(conv["id"], main_msgs[1]["id"], title="a")
    a_reply = api.send(conv["id"], "a1", branchId=first["id"])["message"]
    second = api.fork(conv["id"], a_reply["id"], title="b")
    assert second["parentBranchId"] == first["id"]
    history = api.history(conv["id"], second["id"])
    assert [m["content"] for m in history][:3] == ["one", main_msgs[1]["content"], "a1"]
    assert len(history) == 4
    # forking at an inherited message parents the new branch on the branch that stored it
    third = api.fork(conv["id"], main_msgs[0]["id"])
    assert third["parentBranchId"] == api.main_branch(conv["id"])["id"]


def test_create_branch_without_base_forks_at_main_tip(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    branch = api.ok("POST", f"/conversations/{conv['id']}/branches", json={"title": "x"})["branch"]
    assert branch["forkPointMessageId"] == main_msgs[-1]["id"]
    assert len(api.history(conv["id"], branch["id"])) == 6
    empty = api.conversation()
    bare = api.ok("POST", f"/conversations/{empty['id']}/branches", json={})["branch"]
    assert bare["forkPointMessageId"] is None and api.history(empty["id"], bare["id"]) == []


def test_context_modes(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    tip = main_msgs[-1]["id"]
    expected = {"FULL": 6, "PARTIAL": 4, "MINIMAL": 1}
    for mode, inherited in expected.items():
        branch = api.fork(conv["id"], tip, title=mode, contextMode=mode)
        assert branch["contextMode"] == mode
        reply = api.send(conv["id"], "next", branchId=branch["id"])["message"]
        assert reply["metadata"]["context_message_count"] == inherited
        assert reply["metadata"]["context_truncated"] is (mode != "FULL")
        assert f"turn 4 on branch '{mode}', {inherited} prior" in reply["content"]
        # the stored history is the same whatever the mode
        assert len(api.history(conv["id"], branch["id"])) == 8
        # own messages always stay in context
        again = api.send(conv["id"], "again", branchId=branch["id"])["message"]
        assert again["metadata"]["context_message_count"] == inherited + 2
    bad = api.http.post(
        f"/conversations/{conv['id']}/fork", json={"forkPointMessageId": tip, "contextMode": "SOME"}
    )
    assert bad.status_code == 400


def test_merge_copies_own_messages_and_deactivates(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    main = api.main_branch(conv["id"])
    branch = api.fork(conv["id"], main_msgs[1]["id"], title="idea")
    api.send(conv["id"], "branch idea", branchId=branch["id"])
    own = api.history(conv["id"], branch["id"])[2:]
    merged = api.ok("POST", f"/conversations/{conv['id']}/branches/{branch['id']}/merge")["branch"]
    assert merged["id"] == branch["id"] and merged["isActive"] is False
    main_history = api.history(conv["id"], main["id"])
    assert len(main_history) == 8
    copies = main_history[-2:]
    assert [m["content"] for m in copies] == [m["content"] for m in own]
    assert all(m["branchId"] == main["id"] and m["id"] not in {o["id"] for o in own} for m in copies)
    assert [m["metadata"]["original_message_id"] for m in copies] == [m["id"] for m in own]
    assert (
        copies[0]["parentMessageId"] == main_msgs[-1]["id"]
        and copies[1]["parentMessageId"] == copies[0]["id"]
    )
    assert {m["metadata"]["merged_from_branch_id"] for m in copies} == {branch["id"]}
    assert len({m["contentHash"] for m in [*copies, *own]}) == 4  # each copy is hashed as a new message
    # an inactive branch is read-only until reactivated; merging twice is a conflict
    path = f"/conversations/{conv['id']}/messages"
    assert api.http.post(path, json={"content": "x", "branchId": branch["id"]}).status_code == 409
    assert api.http.post(f"/conversations/{conv['id']}/branches/{branch['id']}/merge").status_code == 409
    api.ok("PATCH", f"/conversations/{conv['id']}/branches/{branch['id']}", json={"isActive": True})
    api.send(conv["id"], "back", branchId=branch["id"])
    # the main branch cannot be merged, deactivated or deleted
    main_path = f"/conversations/{conv['id']}/branches/{main['id']}"
    assert api.http.post(main_path + "/merge").status_code == 400
    assert api.http.patch(main_path, json={"isActive": False}).status_code == 400
    assert api.http.delete(main_path).status_code == 400


def test_delete_branch_rules(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    parent = api.fork(conv["id"], main_msgs[1]["id"])
    reply = api.send(conv["id"], "p", branchId=parent["id"])["message"]
    child = api.fork(conv["id"], reply["id"])
    before = api.server.count_messages(conv["id"])
    assert api.http.delete(f"/conversations/{conv['id']}/branches/{parent['id']}").status_code == 409
    assert api.http.delete(f"/conversations/{conv['id']}/branches/{child['id']}").json() == {"success": True}
    assert api.http.delete(f"/conversations/{conv['id']}/branches/{parent['id']}").status_code == 200
    assert api.server.count_messages(conv["id"]) == before - 2
    assert api.http.get(f"/conversations/{conv['id']}/branches/{parent['id']}/messages").status_code == 404


def test_tree_shape(api: Api) -> None:
    conv, main_msgs = _three_turns(api)
    a = api.fork(conv["id"], main_msgs[1]["id"], title="a")
    reply = api.send(conv["id"], "a1", branchId=a["id"])["message"]
    b = api.fork(conv["id"], reply["id"], title="b")
    c = api.fork(conv["id"], main_msgs[3]["id"], title="c")
    tree = api.ok("GET", f"/conversations/{conv['id']}/tree")
    assert tree["conversation"]["id"] == conv["id"]
    assert tree["mainBranch"]["isMain"] is True
    [root] = tree["branches"]
    assert root["branch"]["id"] == tree["mainBranch"]["id"]
    assert root["branch"]["_count"] == {"messages": 6}
    assert [n["branch"]["id"] for n in root["children"]] == [a["id"], c["id"]]
    a_node = root["children"][0]
    assert a_node["branch"]["_count"] == {"messages": 2}
    assert [n["branch"]["id"] for n in a_node["children"]] == [b["id"]]
    assert a_node["children"][0]["children"] == []


def test_fork_at_unknown_or_foreign_message_is_404(api: Api) -> None:
    conv, _ = _three_turns(api)
    _, other_msgs = _three_turns(api)
    path = f"/conversations/{conv['id']}/fork"
    assert api.http.post(path, json={"forkPointMessageId": "msg_nope"}).status_code == 404
    assert api.http.post(path, json={"forkPointMessageId": other_msgs[0]["id"]}).status_code == 404
    assert api.http.post(path, json={}).status_code == 400
