"""Checkpoints (summary, context assembly, recreate) and the AutoBranch routes."""

from __future__ import annotations

from server_helpers import Api


def test_checkpoint_summarises_and_drives_context(api: Api) -> None:
    conv = api.conversation()
    for text in ("alpha", "beta", "gamma"):
        api.send(conv["id"], text)
    main = api.main_branch(conv["id"])
    history = api.history(conv["id"], main["id"])
    anchor = history[3]  # the second reply
    cp = api.ok(
        "POST",
        f"/conversations/{conv['id']}/checkpoints",
        json={"branchId": main["id"], "anchorMessageId": anchor["id"]},
    )["checkpoint"]
    assert set(cp) >= {
        "id",
        "conversationId",
        "branchId",
        "anchorMessageId",
        "summary",
        "tokenCount",
        "createdAt",
    }
    assert cp["summary"].startswith("Summary of 4 messages (2 user turns) on branch 'main'.")
    assert "user: alpha" in cp["summary"] and "gamma" not in cp["summary"]
    assert cp["tokenCount"] == (len(cp["summary"]) + 3) // 4
    reply = api.send(conv["id"], "delta")["message"]
    meta = reply["metadata"]
    assert meta["checkpoint_used"] is True
    assert meta["context_message_count"] == 2  # the two messages after the anchor
    assert meta["context_truncated"] is True
    assert "(checkpoint summary used)" in reply["content"] and "2 prior messages" in reply["content"]
    # recreate moves the anchor to the tip and re-summarises
    again = api.ok("POST", f"/checkpoints/{cp['id']}/recreate")["checkpoint"]
    assert again["id"] == cp["id"] and again["anchorMessageId"] == reply["id"]
    assert again["summary"].startswith("Summary of 8 messages (4 user turns)")
    assert api.send(conv["id"], "epsilon")["message"]["metadata"]["context_message_count"] == 0
    # deleting it restores the full context
    assert api.http.delete(f"/checkpoints/{cp['id']}").json() == {"success": True}
    meta = api.send(conv["id"], "zeta")["message"]["metadata"]
    assert meta["checkpoint_used"] is False and meta["context_message_count"] == 10


def test_checkpoint_anchor_must_be_in_branch_history(api: Api) -> None:
    conv = api.conversation()
    api.send(conv["id"], "one")
    main = api.main_branch(conv["id"])
    path = f"/conversations/{conv['id']}/checkpoints"
    response = api.http.post(path, json={"branchId": main["id"], "anchorMessageId": "msg_nope"})
    assert response.status_code == 400 and "anchorMessageId" in response.json()["error"]
    assert api.http.post(path, json={"branchId": "br_nope", "anchorMessageId": "x"}).status_code == 404
    assert api.http.post(path, json={"branchId": main["id"]}).status_code == 400
    # snake_case is accepted as well
    tip = api.history(conv["id"], main["id"])[-1]["id"]
    assert api.http.post(path, json={"branch_id": main["id"], "anchor_message_id": tip}).status_code == 201


def test_checkpoints_are_per_branch(api: Api) -> None:
    conv = api.conversation()
    reply = api.send(conv["id"], "one")["message"]
    main = api.main_branch(conv["id"])
    branch = api.fork(conv["id"], reply["id"])
    path = f"/conversations/{conv['id']}/checkpoints"
    api.ok("POST", path, json={"branchId": main["id"], "anchorMessageId": reply["id"]})
    on_branch = api.ok("POST", path, json={"branchId": branch["id"], "anchorMessageId": reply["id"]})[
        "checkpoint"
    ]
    listed = api.ok("GET", path, params={"branchId": branch["id"]})["checkpoints"]
    assert [c["id"] for c in listed] == [on_branch["id"]]
    assert len(api.ok("GET", path)["checkpoints"]) == 2


def test_autobranch_routes(api: Api) -> None:
    text = "Should I use Flask or FastAPI for my API?"
    data = api.ok(
        "POST", "/autobranch/suggest-branches", json={"text": text, "suggestionsCount": 2, "threshold": 0}
    )
    assert len(data["suggestions"]) <= 2
    for s in data["suggestions"]:
        assert text[s["branchPoint"]["start"] : s["branchPoint"]["end"]] == s["triggerText"]
    assert api.ok("GET", "/autobranch/health")["status"] == "healthy"
    for bad in (
        {"text": ""},
        {"text": "   "},
        {"text": "x", "suggestionsCount": 0},
        {"text": "x", "suggestionsCount": 11},
        {"text": "x", "threshold": 1.5},
        {"text": "x", "threshold": -0.1},
        {},
    ):
        response = api.http.post("/autobranch/suggest-branches", json=bad)
        assert response.status_code == 400, bad
        assert response.json()["success"] is False and response.json()["error"]
