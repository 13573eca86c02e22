"""Message list <-> path in the conversation tree (shared by the LangChain and LlamaIndex adapters).

Agent frameworks call a chat model with the whole message list every time; ChatRoutes keeps the history on
its server and takes only the new user turn. This package joins the two, framework-neutrally: an adapter
converts its messages into :class:`Turn` objects, calls :meth:`ConversationMapper.send` (or ``stream``) and
converts the :class:`MappedReply` back, storing ``reply.seal(final_turn)`` (a :class:`TreeRef`) on the
assistant message it returns.

Public API::

    TreeRef(conversation_id, branch_id, message_id, digest, base, system_digest)
    Turn(role, content, ref=None, tool_calls=(), tool_call_id=None, name=None, is_error=False)
    Binding(conversation_id=None, branch_id=None)     the branch a model/history is bound to write to
    check_binding(conversation_id, branch_id)         what Binding refuses, without building one
    plan_turn(turns, binding, tips) -> Plan           pure decision (no I/O)
    prove(turns) -> Proof                             which replies of the list are proven (pure)
    history_turns(messages, conversation_id, branch_id)   a branch read back, with read-time digests
    TipCache(maxsize=1024)                            bounded, thread-safe LRU of branch tips we wrote to
    ConversationMapper(client, *, model, tips=None, title=None)
        .send(turns, binding=None, **generation) -> MappedReply   (.ref, .seal(turn), .response, .message)
        .stream(turns, binding=None, **generation) -> MappedStream
    AsyncConversationMapper                           the same with ``await`` / ``async with`` / ``async for``

**The fidelity rule.** Every message the caller passes is either proven equal to what the branch holds or
sent. Each reply's ref carries the *turns digest* of the list it ended (user, assistant and tool turns, never
system text) and the digest of the system text in force (see :mod:`chatroutes_core.mapper._digest`). On a
call, :func:`prove` recomputes the chain over the list:

* Every reply up to the anchor (the last reply with a ref) is proven -> the list continues that branch.
  Anchor at the known tip of the target branch -> send there: **1 request**. Anchor earlier (an edit, a
  replay, LangGraph time travel) -> fork at the anchor and send on the new branch: **2 requests**. Tip
  unknown -> a server that enforces ``parentMessageId`` is sent to directly (a moved tip answers 409 and
  the mapper forks: +2); otherwise one GET of the branch decides: **2 or 3 requests**.
* A reply before the anchor differs (an edited, inserted or removed earlier message) -> fork at the last
  proven reply and send the rest of the list as a labelled transcript: **2 requests**. Nothing proven ->
  a new conversation with the whole list as its transcript: **2 requests**.
* A trimmed list (its first reply's ``base`` chains the turns before it to its digest, or nothing precedes
  it) is a suffix of the branch: it continues, like an untrimmed one.
* System text is never part of the proof: when its digest differs from the one in force at the anchor, it
  travels at the head of the new turn (``[system] ...``); unchanged, it is not sent again.
* No anchor, bound -> the server already holds the history; send what follows the last assistant turn:
  **1 request**. No anchor, unbound -> a new conversation with the whole list as one transcript (system
  text first): **2 requests**.
* A ref without digests (an old one) -> one read of the branch gives read-time digests, then as above.

Rendering the new turn: consecutive user turns are joined by a blank line; when the segment holds assistant
turns (a few-shot transcript, another model's replies, a forked path) every turn is labelled (``[user]``,
``[assistant]``); tool results are ``<tool_response>`` blocks. Unknown roles raise
:class:`UnsupportedMessageError` before any request; an empty turn raises :class:`EmptyTurnError`.
"""

from __future__ import annotations

from ._digest import ROOT, Proof, canonical, chain, chain_all, prove, system_digest, system_text
from ._history import history_turns, stored_turns
from ._mapper import (
    AsyncConversationMapper,
    AsyncMappedStream,
    ConversationMapper,
    MappedReply,
    MappedStream,
    seal,
)
from ._plan import NO_SYSTEM, BranchState, Plan, TipCache, plan_turn, render_transcript
from ._types import (
    Binding,
    EmptyTurnError,
    MappingError,
    ToolCallTurn,
    TreeRef,
    Turn,
    UnsupportedMessageError,
    check_binding,
)

__all__ = [
    "NO_SYSTEM",
    "ROOT",
    "AsyncConversationMapper",
    "AsyncMappedStream",
    "Binding",
    "BranchState",
    "ConversationMapper",
    "EmptyTurnError",
    "MappedReply",
    "MappedStream",
    "MappingError",
    "Plan",
    "Proof",
    "TipCache",
    "ToolCallTurn",
    "TreeRef",
    "Turn",
    "UnsupportedMessageError",
    "canonical",
    "chain",
    "chain_all",
    "check_binding",
    "history_turns",
    "plan_turn",
    "prove",
    "render_transcript",
    "seal",
    "stored_turns",
    "system_digest",
    "system_text",
]
