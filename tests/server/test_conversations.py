"""Conversations, messages and the envelope, over plain HTTP."""

from __future__ import annotations

from server_helpers import Api

from chatroutes_core.server import MODEL_ALIASES


def test_create_conversation_makes_a_main_branch(api: Api) -> None:
    conv = api.conversation("hello", model="claude-sonnet-4-5")
    assert conv["id"].startswith("conv_")
    assert conv["title"] == "hello"
    assert conv["model"] == "claude-sonnet-4-5"
    [main] = conv["branches"]
    assert main["isMain"] is True and main["isActive"] is True and main["title"] == "main"
    assert conv["messages"] == []


def test_send_stores_user_and_reply_and_returns_the_reply(api: Api) -> None:
    conv = api.conversation()
    before = api.server.count_messages(conv["id"])
    data = api.send(conv["id"], "hello there")
    assert api.server.count_messages(conv["id"]) == before + 2
    message = data["message"]
    assert message["role"] == "assistant"
    assert message["content"] == (
        "[gpt-5 · offline echo] turn 1 on branch 'main', 0 prior messages in context. You said: hello there"
    )
    assert data["model"] == "gpt-5-2025-08-07"
    usage = data["usage"]
    assert usage["totalTokens"] == usage["promptTokens"] + usage["completionTokens"]
    assert usage["completionTokens"] == message["tokenCount"] > 0
    stored = api.ok("GET", f"/conversations/{conv['id']}/messages")["messages"]
    assert [m["role"] for m in stored] == ["user", "assistant"]
    assert stored[0]["content"] == "hello there"
    assert stored[1]["id"] == message["id"]
    assert stored[1]["parentMessageId"] == stored[0]["id"]


def test_reply_reports_turn_and_context(api: Api) -> None:
    conv = api.conversation()
    api.send(conv["id"], "one")
    second = api.send(conv["id"], "two")["message"]
    assert "turn 2 on branch 'main', 2 prior messages in context. You said: two" in second["content"]
    meta = second["metadata"]
    assert meta["context_message_count"] == 2
    assert meta["checkpoint_used"] is False
    assert meta["context_truncated"] is False
    assert meta["prompt_tokens"] > 0
    assert meta["model"] == "gpt-5-2025-08-07"


def test_every_alias_resolves_and_others_are_rejected(api: Api) -> None:
    conv = api.conversation()
    for alias, resolved in MODEL_ALIASES.items():
        assert api.send(conv["id"], "hi", model=alias)["model"] == resolved
    response = api.http.post(
        f"/conversations/{conv['id']}/messages", json={"content": "hi", "model": "gpt-4"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Unsupported model: gpt-4",
        "message": "Unsupported model: gpt-4",
        "code": "VALIDATION_ERROR",
    }
    response = api.http.post("/conversations", json={"title": "x", "model": "gpt-4o"})
    assert response.status_code == 400
    assert response.json()["error"] == "Unsupported model: gpt-4o"


def test_list_is_paginated_and_unwrapped_and_wrapped(fresh_api: Api) -> None:
    ids = [fresh_api.conversation(f"c{i}")["id"] for i in range(3)]
    body = fresh_api.http.get("/conversations", params={"page": 1, "limit": 2}).json()
    assert body["total"] == 3 and body["page"] == 1 and body["limit"] == 2 and body["hasNext"] is True
    assert len(body["conversations"]) == 2
    assert body["data"]["conversations"] == body["conversations"]
    second = fresh_api.http.get("/conversations", params={"page": 2, "limit": 2}).json()
    assert second["hasNext"] is False
    seen = {c["id"] for c in body["conversations"] + second["conversations"]}
    assert seen == set(ids)


def test_get_update_delete_conversation(api: Api) -> None:
    conv = api.conversation("before")
    api.send(conv["id"], "hi")
    got = api.ok("GET", f"/conversations/{conv['id']}")["conversation"]
    assert got["messageCount"] == 2 and got["branchCount"] == 1
    assert [m["role"] for m in got["messages"]] == ["user", "assistant"]
    updated = api.ok("PATCH", f"/conversations/{conv['id']}", json={"title": "after"})["conversation"]
    assert updated["title"] == "after"
    response = api.http.delete(f"/conversations/{conv['id']}")
    assert response.status_code == 200 and response.json() == {"success": True}
    assert api.http.get(f"/conversations/{conv['id']}").status_code == 404
    assert api.server.count_messages(conv["id"]) == 0


def test_edit_and_delete_message(api: Api) -> None:
    conv = api.conversation()
    reply = api.send(conv["id"], "hi")["message"]
    edited = api.ok("PATCH", f"/messages/{reply['id']}", json={"content": "edited"})["message"]
    assert edited["content"] == "edited" and edited["id"] == reply["id"]
    assert edited["contentHash"] != reply["contentHash"]
    assert api.http.delete(f"/messages/{reply['id']}").json() == {"success": True}
    stored = api.ok("GET", f"/conversations/{conv['id']}/messages")["messages"]
    assert [m["role"] for m in stored] == ["user"]
    assert api.http.patch(f"/messages/{reply['id']}", json={"content": "x"}).status_code == 404
