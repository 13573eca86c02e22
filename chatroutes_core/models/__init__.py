"""Pydantic response models (camelCase on the wire, snake_case attributes, unknown fields kept)."""

from ._base import ChatRoutesModel
from .autobranch import (
    BranchPointSpan,
    BranchSuggestion,
    HealthStatus,
    SuggestBranchesResponse,
    SuggestionMetadata,
)
from .branch import Branch
from .checkpoint import Checkpoint
from .conversation import Conversation, ConversationList, ConversationTree, TreeNode
from .events import CompleteEvent, ContentEvent, StreamEvent
from .message import Message, SendMessageResponse, Usage

__all__ = [
    "Branch",
    "BranchPointSpan",
    "BranchSuggestion",
    "ChatRoutesModel",
    "Checkpoint",
    "CompleteEvent",
    "ContentEvent",
    "Conversation",
    "ConversationList",
    "ConversationTree",
    "HealthStatus",
    "Message",
    "SendMessageResponse",
    "StreamEvent",
    "SuggestBranchesResponse",
    "SuggestionMetadata",
    "TreeNode",
    "Usage",
]
