"""chatroutes_core: the typed sync + async ChatRoutes client, and the parts both framework adapters share.

Example:
    >>> from chatroutes_core import ChatRoutesClient
    >>> client = ChatRoutesClient(api_key="...")  # doctest: +SKIP
    >>> conv = client.conversations.create(title="Trip")  # doctest: +SKIP
    >>> client.messages.send(conv.id, content="Hi").message.content  # doctest: +SKIP
"""

from ._catalog import DEFAULT_MODEL, SUPPORTED_MODELS
from ._client import DEFAULT_BASE_URL, AsyncChatRoutesClient, ChatRoutesClient
from ._compare import UnsupportedModelError
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ChatRoutesError,
    ConfigurationError,
    ConflictError,
    EmptyTurnError,
    ForeignMessageError,
    MappingError,
    NetworkError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
    UnsupportedMessageError,
    UsageError,
    ValidationError,
)
from ._provider import ClientProvider, default_provider, shared_async_client, shared_client
from ._streaming import AsyncMessageStream, MessageStream
from ._transport import ServerInfo
from ._types import DEFAULT_TIMEOUT, NOT_GIVEN, NotGiven, Timeout
from ._version import __version__
from .models import (
    Branch,
    BranchPointSpan,
    BranchSuggestion,
    ChatRoutesModel,
    Checkpoint,
    CompleteEvent,
    ContentEvent,
    Conversation,
    ConversationList,
    ConversationTree,
    HealthStatus,
    Message,
    SendMessageResponse,
    StreamEvent,
    SuggestBranchesResponse,
    SuggestionMetadata,
    TreeNode,
    Usage,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "SUPPORTED_MODELS",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatRoutesClient",
    "AsyncMessageStream",
    "AuthenticationError",
    "Branch",
    "BranchPointSpan",
    "BranchSuggestion",
    "ChatRoutesClient",
    "ChatRoutesError",
    "ChatRoutesModel",
    "Checkpoint",
    "ClientProvider",
    "CompleteEvent",
    "ConfigurationError",
    "ConflictError",
    "ContentEvent",
    "Conversation",
    "ConversationList",
    "ConversationTree",
    "EmptyTurnError",
    "ForeignMessageError",
    "HealthStatus",
    "MappingError",
    "Message",
    "MessageStream",
    "NetworkError",
    "NotFoundError",
    "NotGiven",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "SendMessageResponse",
    "ServerError",
    "ServerInfo",
    "StreamEvent",
    "StreamInterruptedError",
    "SuggestBranchesResponse",
    "SuggestionMetadata",
    "Timeout",
    "TreeNode",
    "UnsupportedMessageError",
    "UnsupportedModelError",
    "Usage",
    "UsageError",
    "ValidationError",
    "__version__",
    "default_provider",
    "shared_async_client",
    "shared_client",
]
