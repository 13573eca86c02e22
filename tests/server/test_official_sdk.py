"""The official ``chatroutes`` 0.2.6 SDK, unchanged, drives every method of its client against the server."""

from __future__ import annotations

import importlib.metadata
import re
from typing import Any

import pytest
from chatroutes import ChatRoutes
from chatroutes.exceptions import AuthenticationError, NotFoundError, ValidationError

from chatroutes_core.testing import LocalServer


@pytest.fixture
def sdk(local_server: LocalServer) -> ChatRoutes:
    return ChatRoutes(
        api_key=local_server.api_key, base_url=local_server.base_url, retry_attempts=0, timeout=10
    )


def test_every_method_of_the_official_sdk(sdk: ChatRoutes, local_server: LocalServer) -> None:
    # conversations
    conv = sdk.conversations.create({"title": "SDK run", "model": "gpt-5"})
    cid = conv["id"]
    assert conv["title"] == "SDK run" and conv["model"] == "gpt-5"
    page = sdk.conversations.list({"page": 1, "limit": 100})
    assert cid in {c["id"] for c in page["data"]} and page["total"] >= 1
    assert sdk.conversations.get(cid)["id"] == cid
    assert sdk.conversations.update(cid, {"title": "renamed"})["title"] == "renamed"

    # messages
    sent = sdk.messages.send(cid, {"content": "Hello", "model": "gpt-5"})
    assert sent["message"]["role"] == "assistant" and "You said: Hello" in sent["message"]["content"]
    assert sent["model"] == "gpt-5-2025-08-07" and sent["usage"]["totalTokens"] > 0
    chunks: list[dict[str, Any]] = []
    completed: list[dict[str, Any]] = []
    sdk.messages.stream(
        cid, {"content": "Stream please"}, on_chunk=chunks.append, on_complete=completed.append
    )
    content = "".join(c["content"] for c in chunks if c["type"] == "content")
    assert chunks[-1]["type"] == "complete"
    assert completed[0]["content"] == content and "You said: Stream please" in content
    listed = sdk.messages.list(cid)
    assert [m["role"] for m in listed] == ["user", "assistant", "user", "assistant"]
    edited = sdk.messages.update(listed[0]["id"], "Hello (edited)")
    assert edited["content"] == "Hello (edited)"

    # branches
    main = next(b for b in sdk.branches.list(cid) if b["isMain"])
    created = sdk.branches.create(
        cid, {"title": "alt", "baseNodeId": sent["message"]["id"], "contextMode": "FULL"}
    )
    assert created["forkPointMessageId"] == sent["message"]["id"] and created["parentBranchId"] == main["id"]
    forked = sdk.branches.fork(cid, {"forkPointMessageId": listed[0]["id"], "title": "fork"})
    assert forked["forkPointMessageId"] == listed[0]["id"]
    assert sdk.branches.update(cid, forked["id"], {"title": "fork 2"})["title"] == "fork 2"
    history = sdk.branches.get_messages(cid, created["id"])
    assert [m["id"] for m in history] == [listed[0]["id"], listed[1]["id"]]
    legacy = sdk.branches.send_message(cid, created["id"], {"content": "On the branch"})
    assert legacy["assistantMessage"]["id"] == legacy["message"]["id"]
    assert legacy["userMessage"]["content"] == "On the branch"
    assert "turn 2 on branch 'alt', 2 prior messages" in legacy["assistantMessage"]["content"]
    assert sdk.messages.list(cid, branch_id=created["id"])[-1]["id"] == legacy["message"]["id"]
    merged = sdk.branches.merge(cid, created["id"])
    assert merged["id"] == created["id"] and merged["isActive"] is False
    sdk.branches.delete(cid, forked["id"])
    assert forked["id"] not in {b["id"] for b in sdk.branches.list(cid)}

    # tree
    tree = sdk.conversations.get_tree(cid)
    assert tree["mainBranch"]["id"] == main["id"]
    assert tree["branches"][0]["branch"]["id"] == main["id"]
    assert tree["branches"][0]["children"][0]["branch"]["id"] == created["id"]

    # checkpoints
    cp = sdk.checkpoints.create(cid, main["id"], sent["message"]["id"])
    assert cp["anchorMessageId"] == sent["message"]["id"] and cp["tokenCount"] > 0
    assert [c["id"] for c in sdk.checkpoints.list(cid)] == [cp["id"]]
    assert [c["id"] for c in sdk.checkpoints.list(cid, branch_id=main["id"])] == [cp["id"]]
    again = sdk.checkpoints.recreate(cp["id"])
    assert again["id"] == cp["id"] and again["anchorMessageId"] != cp["anchorMessageId"]
    sdk.checkpoints.delete(cp["id"])
    assert sdk.checkpoints.list(cid) == []

    # autobranch
    health = sdk.autobranch.health()
    assert health == {"status": "healthy", "version": "1.0.0", "service": "autobranch"}
    text = "I need help with billing and also have a technical question about the API."
    result = sdk.autobranch.suggest_branches(text, suggestions_count=3, threshold=0.1)
    assert result["metadata"]["detectionMethod"] == "pattern"
    assert 1 <= len(result["suggestions"]) <= 3
    for s in result["suggestions"]:
        start, end = s["branchPoint"]["start"], s["branchPoint"]["end"]
        assert text[start:end] == s["triggerText"] and s["confidence"] >= 0.1
    assert sdk.autobranch.analyze_text(text)["metadata"] == sdk.autobranch.suggest_branches(text)["metadata"]

    # message delete, conversation delete
    sdk.messages.delete(listed[0]["id"])
    assert listed[0]["id"] not in {m["id"] for m in sdk.messages.list(cid)}
    sdk.conversations.delete(cid)
    with pytest.raises(NotFoundError):
        sdk.conversations.get(cid)


def test_official_sdk_error_mapping(sdk: ChatRoutes, local_server: LocalServer) -> None:
    conv = sdk.conversations.create({"title": "errors"})
    with pytest.raises(ValidationError, match="Unsupported model: gpt-4"):
        sdk.messages.send(conv["id"], {"content": "hi", "model": "gpt-4"})
    with pytest.raises(NotFoundError):
        sdk.branches.get_messages(conv["id"], "br_missing")
    bad = ChatRoutes(api_key="nope", base_url=local_server.base_url, retry_attempts=0)
    with pytest.raises(AuthenticationError):
        bad.conversations.list()


def _readme_blocks() -> list[str]:
    """The ```python blocks of the official SDK's README, as installed with it (its package description)."""
    readme = importlib.metadata.metadata("chatroutes").get_payload()
    assert isinstance(readme, str)
    return re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)


def test_the_official_python_sdks_readme_runs_unchanged(
    local_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every README block, in order, in one namespace. Only the key, the URL and the placeholder ids
    (``conv_123``, ``msg_456``) are filled in; the error-handling block keeps ``conv_123`` (a 404)."""
    blocks = _readme_blocks()
    assert len(blocks) == 10
    namespace: dict[str, Any] = {}
    for block in blocks:
        code = block.replace(
            'ChatRoutes(api_key="your-api-key")',
            f"ChatRoutes(api_key={local_server.api_key!r}, base_url={local_server.base_url!r})",
        ).replace('"https://api.chatroutes.com/api/v1"', repr(local_server.base_url))
        if "except NotFoundError" not in code:
            code = code.replace("'conv_123'", "conversation['id']").replace(
                "'msg_456'", "response['message']['id']"
            )
        exec(compile(code, "chatroutes-README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "You said: Hello, how are you?" in out
    assert "Tokens used: " in out and "Message ID: msg_" in out
    assert "Product Discussion - " in out  # the list block prints titles and createdAt
    assert "Status: healthy" in out and "Branch: " in out
    assert re.search(r"Token count: [1-9]\d*", out)  # checkpoint['token_count'], the snake_case spelling
    assert "Checkpoint was used for this response" in out
    assert "Conversation not found" in out
    assert namespace["fork"]["forkPointMessageId"].startswith("msg_")
    assert namespace["branch"]["parentBranchId"] == namespace["main_branch"]["id"]


def test_sends_also_answer_in_the_shape_the_official_examples_read(sdk: ChatRoutes) -> None:
    """The SDK's examples/branching_example.py and checkpoint_example.py read ``assistantMessage``."""
    conv = sdk.conversations.create({"title": "examples"})
    response1 = sdk.messages.send(conv["id"], {"content": "What is a branch?"})
    assert response1["assistantMessage"]["content"] == response1["message"]["content"]
    assert response1["assistantMessage"]["id"] == response1["message"]["id"]
    assert response1["userMessage"]["content"] == "What is a branch?"
    assert response1["userMessage"]["role"] == "user"
