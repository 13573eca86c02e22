"""Response models accept every envelope and shape variant of the wire protocol, and keep unknown fields."""

from __future__ import annotations

import pytest
from _core_mock import Recorder, ok, sync_client
from pydantic import TypeAdapter

from chatroutes_core import (
    APIResponseValidationError,
    Branch,
    Checkpoint,
    ConversationList,
    ConversationTree,
    Message,
    SendMessageResponse,
    StreamEvent,
)


def test_message_token_count_accepts_tokens_and_token_count_and_keeps_unknown_fields() -> None:
    assert Message.model_validate({"id": "m", "role": "user", "tokens": 4}).token_count == 4
    assert Message.model_validate({"id": "m", "role": "user", "tokenCount": 5}).token_count == 5
    message = Message.model_validate(
        {"id": "m", "role": "tool", "content": "x", "contentHash": "ab", "deletedAt": None, "metadata": None}
    )
    assert message.role == "tool" and message.content_hash == "ab" and message.metadata == {}
    assert message.model_extra == {"deletedAt": None}
    assert message.model_dump(by_alias=True)["contentHash"] == "ab"


def test_message_metadata_keeps_snake_case_checkpoint_keys() -> None:
    meta = {"checkpoint_used": True, "context_message_count": 3, "prompt_tokens": 40, "finishReason": "stop"}
    assert Message.model_validate({"id": "m", "role": "assistant", "metadata": meta}).metadata == meta


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "cp", "conversationId": "c", "branchId": "b", "anchorMessageId": "m", "tokenCount": 7,
         "createdAt": "t"},
        {"id": "cp", "conversation_id": "c", "branch_id": "b", "anchor_message_id": "m", "token_count": 7,
         "created_at": "t"},
        {"id": "cp", "conversationId": "c", "branch_id": "b", "anchorMessageId": "m", "token_count": 7,
         "createdAt": "t"},
    ],
    ids=["camel", "snake", "mixed"],
)  # fmt: skip
def test_checkpoint_accepts_camel_snake_and_mixed(payload: dict[str, object]) -> None:
    checkpoint = Checkpoint.model_validate(payload)
    assert (checkpoint.branch_id, checkpoint.anchor_message_id, checkpoint.token_count) == ("b", "m", 7)
    assert checkpoint.conversation_id == "c" and checkpoint.created_at == "t"


def test_send_response_new_and_old_shapes() -> None:
    new = SendMessageResponse.model_validate(
        {
            "message": {"id": "a", "role": "assistant"},
            "usage": {"promptTokens": 1, "totalTokens": 3},
            "model": "m",
        }
    )
    assert new.usage.prompt_tokens == 1 and new.usage.completion_tokens == 0 and new.model == "m"
    old = SendMessageResponse.model_validate(
        {"userMessage": {"id": "u", "role": "user"}, "assistantMessage": {"id": "a", "role": "assistant"}}
    )
    assert old.message.id == "a" and old.user_message is not None and old.user_message.id == "u"
    assert old.usage.total_tokens == 0
    assert SendMessageResponse.model_validate({"message": {"id": "a", "role": "x"}, "usage": None}).usage


def test_branch_message_count_from_tree_count() -> None:
    branch = Branch.model_validate({"id": "b", "_count": {"messages": 6}, "isActive": False})
    assert branch.message_count == 6 and branch.is_active is False and branch.is_main is False


def test_tree_accepts_nodes_flat_branches_and_the_old_shape() -> None:
    nodes = ConversationTree.model_validate(
        {"branches": [{"branch": {"id": "a"}, "children": [{"branch": {"id": "b"}, "children": []}]}]}
    )
    flat = ConversationTree.model_validate(
        {
            "conversation": {"id": "c"},
            "branches": [
                {"id": "a", "isMain": True},
                {"id": "c2", "parentBranchId": "b"},
                {"id": "b", "parentBranchId": "a"},
                {"id": "orphan", "parentBranchId": "gone"},
            ],
            "mainBranch": {"id": "a", "isMain": True},
        }
    )
    old = ConversationTree.model_validate(
        {"conversation": {"id": "c"}, "tree": {"id": "root", "children": []}, "metadata": {"totalNodes": 1}}
    )
    assert [b.id for b in nodes.iter_branches()] == ["a", "b"]
    assert [b.id for b in flat.iter_branches()] == ["a", "b", "c2", "orphan"]
    assert flat.main_branch is not None and flat.main_branch.is_main
    assert old.branches == [] and old.model_extra == {
        "tree": {"id": "root", "children": []},
        "metadata": {"totalNodes": 1},
    }


def test_conversation_list_fields() -> None:
    page = ConversationList.model_validate(
        {"conversations": [{"id": "c", "messageCount": 2, "branchCount": 1}], "hasNext": True, "pages": 4}
    )
    assert (
        page.has_next is True
        and page.conversations[0].message_count == 2
        and page.model_extra == {"pages": 4}
    )


def test_stream_events_are_discriminated_on_type() -> None:
    adapter: TypeAdapter[StreamEvent] = TypeAdapter(StreamEvent)
    content = adapter.validate_python({"type": "content", "content": "x"})
    complete = adapter.validate_python({"type": "complete", "message": {"id": "m", "role": "assistant"}})
    assert content.type == "content" and complete.type == "complete"


@pytest.mark.parametrize(
    "reply",
    [
        ok({"messages": [{"id": "m", "role": "user"}]}),  # wrapped
        ok(None, messages=[{"id": "m", "role": "user"}]),  # top-level fallback
    ],
)
def test_message_list_envelopes(reply: object) -> None:
    with sync_client(Recorder(reply)) as client:  # type: ignore[arg-type]
        assert [m.id for m in client.messages.list("c")] == ["m"]


def test_a_list_where_a_list_is_expected_or_else_an_error() -> None:
    with (
        sync_client(Recorder(ok({"messages": {"id": "m"}}))) as client,
        pytest.raises(APIResponseValidationError),
    ):
        client.messages.list("c")


def test_conversation_list_wrapped_unwrapped_and_missing() -> None:
    both = ok(
        {"conversations": [{"id": "d"}], "total": 1}, conversations=[{"id": "t"}], total=1, hasNext=False
    )
    with sync_client(Recorder(both)) as client:
        page = client.conversations.list()
    assert [c.id for c in page.conversations] == ["t"]  # the top-level copy wins (the live API's shape)
    with sync_client(Recorder(ok({"conversations": [], "total": 0}))) as client:
        assert client.conversations.list().conversations == []
    with sync_client(Recorder(ok({"items": []}))) as client, pytest.raises(APIResponseValidationError):
        client.conversations.list()
