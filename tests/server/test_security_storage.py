"""Auth and key isolation, limits and error bodies, idempotency, durability, concurrency, OpenAPI."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from server_helpers import Api

from chatroutes_core.testing import LocalServer


def test_missing_or_bad_key_is_401(local_server: LocalServer) -> None:
    for headers in (
        {},
        {"Authorization": "ApiKey wrong"},
        {"Authorization": "ApiKey"},
        {"X-API-Key": "bad"},
    ):
        r = httpx.get(local_server.base_url + "/conversations", headers=headers)
        assert r.status_code == 401 and r.json()["success"] is False and r.json()["error"]
    r = httpx.get(local_server.base_url + "/conversations", headers={"X-API-Key": local_server.api_key})
    assert r.status_code == 200


def test_keys_are_isolated(api: Api, local_server: LocalServer) -> None:
    conv = api.conversation()
    reply = api.send(conv["id"], "secret")["message"]
    main = api.main_branch(conv["id"])
    cp = api.ok(
        "POST",
        f"/conversations/{conv['id']}/checkpoints",
        json={"branchId": main["id"], "anchorMessageId": reply["id"]},
    )["checkpoint"]
    other = Api(local_server, local_server.new_api_key())
    c = f"/conversations/{conv['id']}"
    for method, path, body in [
        ("GET", c, None),
        ("PATCH", c, {"title": "x"}),
        ("GET", c + "/tree", None),
        ("GET", c + "/messages", None),
        ("POST", c + "/messages", {"content": "x"}),
        ("POST", c + "/messages/stream", {"content": "x"}),
        ("GET", c + "/branches", None),
        ("GET", c + f"/branches/{main['id']}/messages", None),
        ("POST", c + "/fork", {"forkPointMessageId": reply["id"]}),
        ("PATCH", f"/messages/{reply['id']}", {"content": "x"}),
        ("DELETE", f"/messages/{reply['id']}", None),
        ("POST", f"/checkpoints/{cp['id']}/recreate", None),
        ("DELETE", f"/checkpoints/{cp['id']}", None),
        ("DELETE", c, None),
    ]:
        r = other.http.request(method, path, json=body)
        assert r.status_code == 404, (method, path)
    assert conv["id"] not in {c["id"] for c in other.http.get("/conversations").json()["conversations"]}
    assert api.ok("GET", c)["conversation"]["messageCount"] == 2
    other.close()


def test_opaque_ids_and_not_found_bodies(api: Api) -> None:
    for path in (
        "/conversations/..%2Fx",
        "/conversations/%2E%2E",
        "/conversations/../x",
        "/nope",
        "/messages/..%2F",
    ):
        r = api.http.get(path)
        assert r.status_code in (404, 405), path
        assert r.json()["success"] is False


def test_body_limit_malformed_json_and_invalid_fields(fresh_server: LocalServer) -> None:
    fresh_server.state.max_body_bytes = 1000
    api = Api(fresh_server)
    conv = api.conversation()
    path = f"/conversations/{conv['id']}/messages"
    r = api.http.post(path, json={"content": "x" * 2000})
    assert r.status_code == 413 and r.json()["code"] == "PAYLOAD_TOO_LARGE"
    r = api.http.post(path, content=b'{"content": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "Invalid JSON in request body"
    r = api.http.post(path, json=["content"])
    assert r.status_code == 400 and r.json()["error"] == "Request body must be a JSON object"
    for bad in (
        {},
        {"content": ""},
        {"content": 5},
        {"content": "x", "temperature": 3},
        {"content": "x", "maxTokens": 0},
    ):
        r = api.http.post(path, json=bad)
        assert r.status_code == 400, bad
        assert r.json()["success"] is False and r.json()["error"].startswith("Invalid request")
        assert "Traceback" not in r.text
    r = api.http.post(path, content=b'{"content": "\\ud800"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = api.http.get("/conversations", params={"limit": 0})
    assert r.status_code == 400
    # an empty body with a JSON content type is {} (the official SDK does this on merge and recreate)
    r = api.http.post("/conversations", content=b"", headers={"Content-Type": "application/json"})
    assert r.status_code == 201
    api.close()


def test_unexpected_errors_are_a_bare_500(fresh_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    api = Api(fresh_server)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(fresh_server.state.store, "list_conversations", boom)
    r = api.http.get("/conversations")
    assert r.status_code == 500
    message = "Internal server error"
    assert r.json() == {"success": False, "error": message, "message": message}
    api.close()


def test_idempotency_key_replays_without_storing(api: Api, local_server: LocalServer) -> None:
    conv = api.conversation()
    path = f"/conversations/{conv['id']}/messages"
    headers = {"Idempotency-Key": "key-1"}
    first = api.http.post(path, json={"content": "once"}, headers=headers)
    count = local_server.count_messages(conv["id"])
    second = api.http.post(path, json={"content": "once"}, headers=headers)
    assert second.status_code == 200 and second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert local_server.count_messages(conv["id"]) == count == 2
    # the same key with another body is a conflict; another API key has its own key space
    assert api.http.post(path, json={"content": "other"}, headers=headers).status_code == 409
    # streams replay too
    stream_headers = {"Idempotency-Key": "key-2"}
    with api.http.stream("POST", path + "/stream", json={"content": "s"}, headers=stream_headers) as r:
        one = [line for line in r.iter_lines() if line.startswith("data: ")]
    with api.http.stream("POST", path + "/stream", json={"content": "s"}, headers=stream_headers) as r:
        two = [line for line in r.iter_lines() if line.startswith("data: ")]
    assert one[-2] == two[-2] and two[-1] == "data: [DONE]"
    assert local_server.count_messages(conv["id"]) == 4
    # forks too
    fork = {"forkPointMessageId": first.json()["data"]["message"]["id"]}
    a = api.http.post(f"/conversations/{conv['id']}/fork", json=fork, headers={"Idempotency-Key": "f"})
    b = api.http.post(f"/conversations/{conv['id']}/fork", json=fork, headers={"Idempotency-Key": "f"})
    assert a.json() == b.json()
    assert len(api.ok("GET", f"/conversations/{conv['id']}/branches")["branches"]) == 2


@pytest.mark.integration
def test_data_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "chatroutes.sqlite3"
    with LocalServer(db_path=db) as srv:
        key = srv.api_key
        api = Api(srv)
        conv = api.conversation("durable")
        reply = api.send(conv["id"], "remember me")["message"]
        second_key = srv.new_api_key()
        api.close()
    with LocalServer(db_path=db, api_key=key) as srv:
        api = Api(srv)
        got = api.ok("GET", f"/conversations/{conv['id']}")["conversation"]
        assert got["title"] == "durable"
        assert [m["id"] for m in got["messages"]][-1] == reply["id"]
        assert "turn 2 on branch 'main', 2 prior" in api.send(conv["id"], "again")["message"]["content"]
        other = Api(srv, second_key)  # keys registered before the restart still work
        assert other.http.get("/conversations").status_code == 200
        other.close()
        api.close()


def test_concurrent_sends_are_serialised(api: Api, local_server: LocalServer) -> None:
    conv = api.conversation()
    n = 12
    errors: list[BaseException] = []

    def send(i: int) -> None:
        try:
            with httpx.Client(base_url=api.server.base_url, headers=dict(api.http.headers)) as client:
                r = client.post(f"/conversations/{conv['id']}/messages", json={"content": f"m{i}"})
                assert r.status_code == 200
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    history = api.ok("GET", f"/conversations/{conv['id']}/messages")["messages"]
    assert len(history) == 2 * n == local_server.count_messages(conv["id"])
    assert [m["role"] for m in history] == ["user", "assistant"] * n
    for k in range(n):
        user, reply = history[2 * k], history[2 * k + 1]
        assert reply["parentMessageId"] == user["id"]
        assert reply["content"].endswith(f"You said: {user['content']}")
        assert f"turn {k + 1} on branch 'main', {2 * k} prior" in reply["content"]
    assert sorted(m["content"] for m in history[::2]) == sorted(f"m{i}" for i in range(n))


def test_openapi_document(api: Api) -> None:
    doc = httpx.get(api.server.url + "/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}/messages/stream",
        "/api/v1/conversations/{conversation_id}/branches/{branch_id}/merge",
        "/api/v1/checkpoints/{checkpoint_id}/recreate",
        "/api/v1/autobranch/suggest-branches",
    ):
        assert path in paths
    assert "SendMessageBody" in doc["components"]["schemas"]
    assert "maxTokens" in doc["components"]["schemas"]["SendMessageBody"]["properties"]
