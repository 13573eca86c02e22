"""API resources, one module each: pure request specs, the async class written out, its generated sync twin.

The sync classes are generated from the async ones by ``_unasync.py`` (``make lint`` checks they are in sync).
"""

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
