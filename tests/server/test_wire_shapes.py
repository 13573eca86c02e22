"""Wire shapes the official SDKs document: checkpoint spellings, both tree shapes, error ``message``, auth."""

from __future__ import annotations

import httpx
from server_helpers import Api

from chatroutes_core import ChatRoutesClient
from chatroutes_core.server.tree import MAX_TREE_DEPTH
from chatroutes_core.testing import LocalServer


def test_checkpoints_carry_camel_and_snake_case_keys(api: Api) -> None:
    conv = api.conversation()
    sent = api.send(conv["id"], "Plan a trip to Lisbon")
    main = api.main_branch(conv["id"])
    body = {"branchId": main["id"], "anchorMessageId": sent["message"]["id"]}
    cp = api.ok("POST", f"/conversations/{conv['id']}/checkpoints", json=body)["checkpoint"]
    pairs = [
        ("conversationId", "conversation_id"),
        ("branchId", "branch_id"),
        ("anchorMessageId", "anchor_message_id"),
        ("tokenCount", "token_count"),
        ("createdAt", "created_at"),
        ("updatedAt", "updated_at"),
    ]
    for camel, snake in pairs:
        assert cp[camel] == cp[snake], camel
    assert cp["token_count"] > 0 and cp["anchor_message_id"] == sent["message"]["id"]
    listed = api.ok("GET", f"/conversations/{conv['id']}/checkpoints")["checkpoints"]
    assert listed[0]["token_count"] == cp["tokenCount"]
    again = api.ok("POST", f"/checkpoints/{cp['id']}/recreate")["checkpoint"]
    assert again["anchor_message_id"] == again["anchorMessageId"]


def _three_branch_conversation(api: Api) -> tuple[dict[str, object], list[str], dict[str, str]]:
    conv = api.conversation("three branches")
    cid = str(conv["id"])
    first = api.send(cid, "one")["message"]
    second = api.send(cid, "two")["message"]
    a = api.fork(cid, first["id"], title="a")
    api.send(cid, "on a", branchId=a["id"])
    b = api.fork(cid, second["id"], title="b")
    return conv, [first["id"], second["id"]], {"a": a["id"], "b": b["id"]}


def test_tree_serves_both_shapes_in_one_payload(api: Api) -> None:
    conv, (first, second), forks = _three_branch_conversation(api)
    tree = api.ok("GET", f"/conversations/{conv['id']}/tree")
    # shape 1: {conversation, branches (root nodes), mainBranch}
    assert tree["conversation"]["id"] == conv["id"] and tree["mainBranch"]["isMain"] is True
    (root,) = tree["branches"]
    assert root["branch"]["id"] == tree["mainBranch"]["id"]
    assert {n["branch"]["id"] for n in root["children"]} == set(forks.values())
    # shape 2: {tree (message tree), metadata}
    assert tree["metadata"] == {"totalNodes": 6, "totalBranches": 3, "maxDepth": 4}
    top = tree["tree"]
    assert (top["role"], top["content"]) == ("user", "one")
    assert top["branchInfo"] == {"branchId": tree["mainBranch"]["id"], "branchName": "main"}
    (reply1,) = top["children"]
    # the fork at the first reply is drawn at the first reply: its next message is on branch a
    kids = {(c["content"], c["branchInfo"]["branchName"]) for c in reply1["children"]}
    assert kids == {("two", "main"), ("on a", "a")}
    (two,) = [c for c in reply1["children"] if c["content"] == "two"]
    assert two["children"][0]["id"] == second and two["children"][0]["children"] == []
    assert reply1["id"] == first  # the reply fork a starts from


def test_tree_of_an_empty_conversation_and_of_a_very_deep_one(fresh_api: Api) -> None:
    conv = fresh_api.conversation()
    tree = fresh_api.ok("GET", f"/conversations/{conv['id']}/tree")
    assert tree["tree"] is None
    assert tree["metadata"] == {"totalNodes": 0, "totalBranches": 1, "maxDepth": 0}
    for i in range(MAX_TREE_DEPTH // 2 + 1):  # two messages per send: one past the limit
        fresh_api.send(conv["id"], f"turn {i}")
    deep = fresh_api.ok("GET", f"/conversations/{conv['id']}/tree")
    assert deep["tree"] is None and deep["metadata"]["maxDepth"] == MAX_TREE_DEPTH + 2
    assert deep["branches"][0]["branch"]["_count"]["messages"] == MAX_TREE_DEPTH + 2


def test_the_core_client_reads_the_combined_tree(local_server: LocalServer) -> None:
    api = Api(local_server)
    try:
        conv, _, forks = _three_branch_conversation(api)
    finally:
        api.close()
    with ChatRoutesClient(api_key=local_server.api_key, base_url=local_server.base_url) as client:
        tree = client.conversations.get_tree(str(conv["id"]))
    assert {b.id for b in tree.iter_branches()} >= set(forks.values())
    assert len(list(tree.iter_branches())) == 3
    assert tree.model_extra is not None and tree.model_extra["metadata"]["totalBranches"] == 3


def test_error_bodies_carry_message_beside_error_and_code(api: Api, local_server: LocalServer) -> None:
    missing = api.http.get("/conversations/conv_missing")
    assert missing.status_code == 404
    body = missing.json()
    assert body["message"] == body["error"] == "Conversation not found" and body["code"] == "NOT_FOUND"
    invalid = api.http.post("/conversations", json={"title": 5})
    assert invalid.status_code == 400 and invalid.json()["message"] == invalid.json()["error"]
    no_key = httpx.get(f"{local_server.base_url}/conversations")
    assert no_key.status_code == 401 and no_key.json()["message"].startswith("Missing API key")


def test_injected_faults_carry_message_too(fresh_server: LocalServer) -> None:
    fresh_server.inject(503, path=r"/conversations$")
    api = Api(fresh_server)
    try:
        response = api.http.get("/conversations")
    finally:
        api.close()
    assert response.status_code == 503
    assert response.json()["message"] == response.json()["error"] == "Injected fault (503)"


def test_auth_me_answers_for_the_key_without_revealing_it(local_server: LocalServer) -> None:
    api = Api(local_server)
    other = Api(local_server, api_key=local_server.new_api_key())
    try:
        me = api.ok("GET", "/auth/me")
        them = other.ok("GET", "/auth/me")
        conv = api.conversation()
    finally:
        api.close()
        other.close()
    assert me["id"] == conv["userId"] and me["id"] != them["id"]
    assert me["email"].endswith("@localhost")
    assert local_server.api_key not in str(me)
    assert httpx.get(f"{local_server.base_url}/auth/me").status_code == 401


def test_account_routes_say_the_local_server_has_no_accounts(local_server: LocalServer) -> None:
    for route in ("register", "login", "refresh"):
        response = httpx.post(f"{local_server.base_url}/auth/{route}", json={"email": "a@b.c"})
        assert response.status_code == 404, route
        assert response.json()["code"] == "NOT_SUPPORTED_LOCALLY"
        assert "API keys, not accounts" in response.json()["message"]
    logout = httpx.post(
        f"{local_server.base_url}/auth/logout", headers={"Authorization": f"ApiKey {local_server.api_key}"}
    )
    assert logout.status_code == 404 and logout.json()["code"] == "NOT_SUPPORTED_LOCALLY"
    assert httpx.post(f"{local_server.base_url}/auth/logout").status_code == 401
