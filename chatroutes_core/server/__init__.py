"""A local ChatRoutes-compatible server: FastAPI + SQLite, offline by default.

It speaks the ChatRoutes wire protocol under ``/api/v1`` (the ``{"success": true, "data": ...}`` envelope,
the unwrapped conversation list, SSE ``content``/``complete``/``[DONE]`` events, ``{"success": false,
"error": ..., "message": ...}`` error bodies), so the official ``chatroutes`` SDKs and this project's client
work against it unchanged. Run it with ``chatroutes serve`` or, in tests,
:class:`chatroutes_core.testing.LocalServer`.

Semantics the public sources leave open, as this server defines them:

Tree shape
    Every conversation is created with one main branch (``isMain: true``, title ``"main"``). Every other
    branch has a ``parentBranchId`` (the branch that stored its fork point message) and a
    ``forkPointMessageId``. ``GET /conversations/{id}/tree`` returns ``{conversation, branches, mainBranch}``
    where ``branches`` holds the root nodes (the main branch) as ``{"branch": {..., "_count": {"messages":
    n}}, "children": [...]}``, children nested by parent branch, and, in the same payload, the older
    ``tree`` (a message tree) and ``metadata: {totalNodes, totalBranches, maxDepth}`` (see ``tree.py``; past
    100 nested forks ``branches`` is the flat list of branches and ``branchLayout`` says ``"flat"``).
    ``messageCount`` and ``_count.messages`` count the messages a branch stores itself (not inherited ones).

History
    A branch's full history is its parent's full history up to and including the fork point, followed by
    its own messages. ``GET .../branches/{bid}/messages`` and ``GET .../messages?branchId=`` return that full
    history; every message keeps the ``branchId`` of the branch that stored it. ``POST .../branches`` with
    ``baseNodeId`` is the same as a fork at that message; without it the branch forks at the main
    branch's tip.

contextMode (what a send on a branch puts in the model context; the stored history is never changed)
    ``FULL`` (default): the whole inherited history plus the branch's own messages.
    ``PARTIAL``: only the last ``partial_context_messages`` (default 4) inherited messages, plus its own.
    ``MINIMAL``: only the fork point message, plus its own.

Sends and parentMessageId
    A send may carry ``parentMessageId``: the message the new turn follows. It is a precondition: when that
    message is not the tip of the target branch (its last own message, or the fork point of a branch with
    none), the answer is 409 ``TIP_MOVED`` and nothing is stored. The mapper sends it when it continues at a
    tip it remembers, and forks at that message when refused.

Checkpoints
    A checkpoint stores a deterministic summary (message counts and the first words of each message) of a
    branch's full history up to ``anchorMessageId``, and its size in tokens. A send on that branch uses the
    newest checkpoint whose anchor is still in the history: context = summary (a system message) + the
    messages after the anchor (``contextMode`` is not applied then). ``recreate`` re-summarises up to the
    branch's current tip and moves the anchor there. Checkpoint JSON carries every field in camelCase and
    in snake_case (``tokenCount`` and ``token_count``).

Reply metadata
    The assistant message's ``metadata`` carries ``model`` (resolved id), ``temperature``, ``maxTokens``,
    ``responseTime`` (ms), ``finishReason``, ``cost`` (0) and, in snake_case, ``checkpoint_used``,
    ``context_truncated``, ``context_message_count`` (stored messages in context, excluding the summary and
    the new user message) and ``prompt_tokens``. Usage is a deterministic estimate (``tokens.py``).

Merge and isActive
    ``POST .../branches/{bid}/merge`` copies the branch's own messages, in order, onto the end of its parent
    branch (new ids; ``metadata.merged_from_branch_id`` and ``metadata.original_message_id`` point back),
    marks the branch ``isActive: false`` and returns it. An inactive branch is read-only: a send to it is a
    409 until ``PATCH`` sets ``isActive: true`` again. The main branch cannot be merged, deactivated or
    deleted (400); a branch with child branches cannot be deleted (409). Deletes are soft and answer
    ``{"success": true}``.

Models
    The eight aliases of the hosted API are accepted and resolved to dated ids (``gpt-5`` →
    ``gpt-5-2025-08-07``); any other name is a 400 ``Unsupported model: <name>``.

Auth
    ``GET /auth/me`` answers with a user derived from the key (``routes/auth.py``); the JS SDK's account
    routes (register, login, refresh, logout) answer 404 ``NOT_SUPPORTED_LOCALLY``.

Everything else (auth, idempotency, limits, faults) is described in ``docs/local-server.md``.
"""

from __future__ import annotations

from .._catalog import MODEL_ALIASES
from .app import API_PREFIX, create_app
from .faults import Fault, FaultInjector
from .responders import EchoResponder, OpenAICompatibleResponder, Responder, ResponderRequest
from .state import ServerState
from .store import Store

__all__ = [
    "API_PREFIX",
    "MODEL_ALIASES",
    "EchoResponder",
    "Fault",
    "FaultInjector",
    "OpenAICompatibleResponder",
    "Responder",
    "ResponderRequest",
    "ServerState",
    "Store",
    "create_app",
]
