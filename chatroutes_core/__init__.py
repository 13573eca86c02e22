"""chatroutes_core: the typed sync + async ChatRoutes client, and the parts both framework adapters share.

Example:
    >>> from chatroutes_core import ChatRoutesClient
    >>> client = ChatRoutesClient()  # the key from $CHATROUTES_API_KEY, the URL from $CHATROUTES_BASE_URL
    >>> conv = client.conversations.create(title="Trip")
    >>> reply = client.messages.send(conv.id, content="Hi")
    >>> reply.message.role, reply.message.id, reply.message.conversation_id == conv.id
    ('assistant', 'msg_...', True)
"""

from ._catalog import DEFAULT_MODEL, EXTRA_MODELS_ENV, SUPPORTED_MODELS, check_model, is_known_model
from ._client import DEFAULT_BASE_URL, AsyncChatRoutesClient, ChatRoutesClient
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
    UnsupportedModelError,
    UsageError,
    ValidationError,
)
from ._http.streaming import AsyncMessageStream, MessageStream
from ._http.transport import ServerInfo
from ._provider import ClientProvider, default_provider, shared_async_client, shared_client
from ._settings import ClientSettings
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
    "EXTRA_MODELS_ENV",
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
    "ClientSettings",
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
    "check_model",
    "default_provider",
    "is_known_model",
    "shared_async_client",
    "shared_client",
]
