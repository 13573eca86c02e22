"""API resources, one module each; every resource has a sync and an async class with the same methods,
both made from one spec per endpoint (``_endpoint.py``)."""

from .autobranch import AsyncAutoBranch, AutoBranch
from .branches import AsyncBranches, Branches
from .checkpoints import AsyncCheckpoints, Checkpoints
from .conversations import AsyncConversations, Conversations
from .messages import AsyncMessages, Messages

__all__ = [
    "AsyncAutoBranch",
    "AsyncBranches",
    "AsyncCheckpoints",
    "AsyncConversations",
    "AsyncMessages",
    "AutoBranch",
    "Branches",
    "Checkpoints",
    "Conversations",
    "Messages",
]
