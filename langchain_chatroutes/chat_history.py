"""``ChatRoutesChatMessageHistory``: a LangChain chat history stored as one branch of a ChatRoutes tree.

ChatRoutes stores every conversation on its server, as a tree of branches. This history reads a branch's full
history (the prefix inherited from its parent up to the fork point, then its own messages) and writes new user
turns to it. Branches are alternate histories: :meth:`~ChatRoutesChatMessageHistory.fork` starts one,
:meth:`~ChatRoutesChatMessageHistory.switch` moves to another, :meth:`~ChatRoutesChatMessageHistory.branches`
lists them.

Who owns the state: the ChatRoutes server. Every read asks it (one request when the server includes a fork's
inherited part), so a history always reflects every write to its branch, by any object or process.
``ChatChatRoutes`` already stores each turn it sends together with its reply, so when the history is paired
with that model (``RunnableWithMessageHistory``, LangGraph), the history only reads: ``add_messages``
recognises what the server holds and writes nothing twice. Under ``RunnableWithMessageHistory``, name the
``history_factory_config`` keys ``chatroutes_conversation_id`` and ``chatroutes_branch_id``: the model reads
those same keys from the run config (and no generic one), so it writes to the history's branch. See
``docs/memory.md`` for the full story.

Every operation is written once, as a flow of requests (``chatroutes_core.flows``), and run by the sync
methods on a ``ChatRoutesClient`` and by their async twins on an ``AsyncChatRoutesClient``.

Writing rules of :meth:`~ChatRoutesChatMessageHistory.add_messages` (the whole batch is checked first; a bad
batch raises :class:`ForeignMessageError`, :class:`~chatroutes_core.EmptyTurnError` or
:class:`~chatroutes_core.UnsupportedMessageError` before any write, and before any request unless only
the branch can decide: a message with an id but no ChatRoutes ref may be one the server holds, which
costs one read):

* messages that carry a ChatRoutes ref (``ChatChatRoutes`` replies, messages read from a history) or whose id
  the history holds are skipped, and so are the new user messages directly before such a reply (the model sent
  them in the turn that produced it);
* new user/system messages at the end of the batch are sent as one turn; ChatRoutes stores it and generates
  the reply, which is then the last message of :attr:`~ChatRoutesChatMessageHistory.messages` (and
  :attr:`~ChatRoutesChatMessageHistory.last_reply`);
* an assistant message ChatRoutes did not generate, or a tool message, cannot be stored: error.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import SecretStr

from chatroutes_core import DEFAULT_MODEL, AsyncChatRoutesClient
from chatroutes_core.errors import UsageError
from chatroutes_core.flows import Flow, arun, call, run
from chatroutes_core.integration import ClientSettings, read_branch, turn_flows
from chatroutes_core.mapper import Binding, TipCache, TreeRef, check_binding, history_turns
from langchain_chatroutes._branches import (
    BranchCache,
    BranchInfo,
    BranchInUseError,
    check_clear,
    fork_target,
    fork_title,
    own_messages,
)
from langchain_chatroutes._history_plan import (
    Done,
    ForeignMessageError,
    Place,
    check_unread,
    message_ref,
    plan_add,
    stored_to_message,
    turn_to_message,
    validate_id,
)

if TYPE_CHECKING:
    from chatroutes_core import ChatRoutesClient
    from chatroutes_core.models import Branch, Checkpoint

__all__ = [
    "BranchCache",
    "BranchInUseError",
    "BranchInfo",
    "ChatRoutesChatMessageHistory",
    "ForeignMessageError",
]


T = TypeVar("T")


class ChatRoutesChatMessageHistory(BaseChatMessageHistory):
    """Chat history stored as one branch of a ChatRoutes conversation; branches are alternate histories.

    Args:
        conversation_id: the conversation; None creates one (titled ``title``) on the first write.
        branch_id: the branch; None or ``""`` means the main branch.
        client: a ``ChatRoutesClient`` for the sync methods.
        async_client: an ``AsyncChatRoutesClient`` for the async methods (``aget_messages`` ...).
        api_key: used to build the clients that were not given (default: ``CHATROUTES_API_KEY``).
        base_url: used to build the clients that were not given (default: ``CHATROUTES_BASE_URL``).
        timeout: request timeout in seconds of the clients that were not given (None: the default).
        max_retries: retries of the clients that were not given (None: the default).
        model: the model ChatRoutes replies with when the history itself sends a user turn.
        title: the title of a conversation this history creates.
        branch_cache: a :class:`BranchCache` shared with other histories (opt-in; see there).

    Example:
        >>> history = ChatRoutesChatMessageHistory(client=client)
        >>> history.add_user_message("Plan a trip to Kyoto")  # ChatRoutes replies
        >>> [m.type for m in history.messages]
        ['human', 'ai']
        >>> other = history.fork(history.messages[0].id, title="Osaka instead")
        >>> other.branch_id != history.branch_id, [m.type for m in other.messages]
        (True, ['human'])
    """

    def __init__(
        self,
        conversation_id: str | None = None,
        branch_id: str | None = None,
        *,
        client: ChatRoutesClient | None = None,
        async_client: AsyncChatRoutesClient | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        title: str | None = None,
        branch_cache: BranchCache | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        super().__init__()
        conversation_id = validate_id(conversation_id, "conversation_id")
        branch_id = validate_id(branch_id, "branch_id", allow_empty=True)
        check_binding(conversation_id, branch_id)  # a branch needs its conversation: MappingError
        self._place = Place(conversation_id, branch_id)
        self._lock = threading.Lock()  # guards _place and last_reply (a history may be shared)
        if not isinstance(model, str) or not model:
            raise UsageError("model must be a non-empty string")
        self.model = model
        self.title = title
        self.branch_cache = branch_cache if branch_cache is not None else BranchCache(maxsize=4)
        self._client = client
        self._async_client = async_client
        # handed to a client only; a SecretStr so it stays out of repr, vars() dumps and tracebacks' locals
        self._api_key = SecretStr(api_key) if api_key else None
        self._base_url = base_url
        self._timeout = timeout
        self._max_retries = max_retries
        self.last_reply: AIMessage | None = None
        """The reply ChatRoutes generated for the last user turn this history sent itself."""

    # -- identity ---------------------------------------------------------------------------------------

    @property
    def conversation_id(self) -> str | None:
        """The conversation id (None until the first write when the history creates the conversation)."""
        return self._place.conversation_id

    @property
    def branch_id(self) -> str | None:
        """The branch id; None means "the main branch" until its id is known (after a read or a write)."""
        return self._place.branch_id

    def __repr__(self) -> str:
        at = self._place
        return (
            f"{type(self).__name__}(conversation_id={at.conversation_id!r}, "
            f"branch_id={at.branch_id!r}, model={self.model!r})"
        )

    __str__ = __repr__  # never a request (the base class would read the whole branch to print it)

    def switch(self, branch_id: str) -> ChatRoutesChatMessageHistory:
        """The history of another branch of the same conversation (same clients; no request)."""
        conversation_id = self._place.conversation_id
        if conversation_id is None:
            raise UsageError("this history has no conversation yet, so it has no other branch to switch to")
        return self._sibling(conversation_id, validate_id(branch_id, "branch_id"))

    def _sibling(self, conversation_id: str, branch_id: str | None) -> ChatRoutesChatMessageHistory:
        # the same clients, options, model, title and branch cache; its own place, lock and last reply
        sibling = copy.copy(self)
        sibling._place = Place(conversation_id, branch_id)
        sibling._lock = threading.Lock()
        sibling.last_reply = None
        return sibling

    # -- clients ----------------------------------------------------------------------------------------

    def _settings(self) -> ClientSettings:
        # A client for the other mode talks to the same server with the same key and options as a given one.
        return ClientSettings.given_or(self._client, self._async_client, self._api_key, self._base_url,
                                       self._timeout, self._max_retries)  # fmt: skip

    def _sync(self) -> ChatRoutesClient:
        """The client given, else the process-wide shared one for these options (not ours to close)."""
        return self._settings().sync()

    def _async(self) -> AsyncChatRoutesClient:
        """The async client given, else the shared one of the running event loop."""
        return self._settings().async_()

    def close(self) -> None:
        """Nothing to close: a history uses the clients it was given, or the shared ones."""

    async def aclose(self) -> None:
        """Async :meth:`close`."""

    # -- the flows (each operation written once; the public methods run them on a client) --------------
    #
    # A flow starts from a snapshot of where the history stands (`Place`) and returns where it stands
    # after (`Done`); `_moved` applies that in one place, under the lock. Nothing is reassigned mid-flow,
    # so tasks or threads sharing one history each work on the place they started from.

    def _structure(self, at: Place) -> list[Branch] | None:
        assert at.conversation_id is not None
        branches = self.branch_cache.get(at.conversation_id)
        if branches is None:
            return None
        if at.branch_id is None:
            return branches if any(b.is_main for b in branches) else None
        return branches if any(b.id == at.branch_id for b in branches) else None

    def _branches_flow(self, at: Place, *, fresh: bool = False) -> Flow[list[Branch]]:
        assert at.conversation_id is not None
        branches = None if fresh else self._structure(at)
        if branches is None:
            branches = yield from call(lambda c: c.branches.list, at.conversation_id)
            self.branch_cache.put(at.conversation_id, branches)
        return branches

    def _read(self, at: Place) -> Flow[tuple[list[BaseMessage], Place]]:
        """The branch's messages, and the place with the main branch's id once it is known."""
        if at.conversation_id is None:
            return [], at
        read = yield from read_branch(at.conversation_id, at.branch_id, self._structure(at))
        if read.branch_id is None:
            return [], at  # a conversation with no messages on its main branch yet
        turns = history_turns(read.messages, at.conversation_id, read.branch_id)
        return [turn_to_message(turn) for turn in turns], Place(at.conversation_id, read.branch_id)

    def _read_flow(self, at: Place) -> Flow[Done[list[BaseMessage]]]:
        messages, place = yield from self._read(at)
        return Done(messages, place)

    def _add_flow(self, at: Place, messages: Sequence[BaseMessage]) -> Flow[Done[AIMessage | None]]:
        check_unread(messages, conversation_id=at.conversation_id)  # what needs no read fails before it
        known: dict[str, TreeRef] = {}
        if at.conversation_id is not None and any(
            m.id is not None and message_ref(m) is None for m in messages
        ):  # a message with an id but no ref might be one the server holds: read to find out
            held_messages, at = yield from self._read(at)
            for held in held_messages:
                ref = message_ref(held)
                if held.id is not None and ref is not None:
                    known[held.id] = ref
        plan = plan_add(messages, known=known, conversation_id=at.conversation_id)
        if plan.send:
            options = turn_flows.TurnOptions(self.model, TipCache(maxsize=1), self.title)
            binding = Binding(at.conversation_id, at.branch_id)
            target, response = yield from turn_flows.send(options, plan.send, binding, {})
            ref = turn_flows.reply_ref(options, target, response.message)
            reply = stored_to_message(response.message, ref)
            last = reply if isinstance(reply, AIMessage) else None
            return Done(last, Place(ref.conversation_id, ref.branch_id), wrote=True, replied=True)
        if plan.reply is not None:
            # The model wrote this turn; where it landed is where this history now stands.
            moved = Place(at.conversation_id or plan.reply.conversation_id, plan.reply.branch_id)
            return Done(None, moved, wrote=True)
        return Done(None, at)

    def _clear_flow(self, at: Place) -> Flow[Done[None]]:
        if at.conversation_id is None:
            return Done(None, at)
        branches = yield from self._branches_flow(at, fresh=True)
        history, at = yield from self._read(at)
        branch = next((b for b in branches if b.id == at.branch_id), None)
        own = own_messages(history, branch)
        check_clear(branches, own, at.branch_id)
        for message in reversed(own):
            assert message.id is not None
            yield from call(lambda c: c.messages.delete, message.id)
        return Done(None, at)

    def _fork_flow(
        self, at: Place, at_message_id: str | None, title: str | None
    ) -> Flow[Done[ChatRoutesChatMessageHistory]]:
        history, at = yield from self._read(at)
        index = fork_target(history, at_message_id)
        fork_point = history[index].id
        assert at.conversation_id is not None and fork_point is not None
        branch = yield from call(
            lambda c: c.branches.fork, at.conversation_id,
            fork_point_message_id=fork_point, title=title or fork_title(history[index]),
        )  # fmt: skip
        self.branch_cache.add(at.conversation_id, branch)
        return Done(self._sibling(at.conversation_id, branch.id), at)

    def _checkpoint_flow(self, at: Place) -> Flow[Done[Checkpoint]]:
        history, at = yield from self._read(at)
        if not history or history[-1].id is None:
            raise UsageError("this branch has no messages yet, so there is nothing to checkpoint")
        assert at.conversation_id is not None and at.branch_id is not None
        checkpoint = yield from call(
            lambda c: c.checkpoints.create, at.conversation_id,
            branch_id=at.branch_id, anchor_message_id=history[-1].id,
        )  # fmt: skip
        return Done(checkpoint, at)

    def _tree_flow(self, at: Place) -> Flow[Done[list[BranchInfo]]]:
        if at.conversation_id is None:
            return Done([], at)
        tree = yield from call(lambda c: c.conversations.get_tree, at.conversation_id)
        branches = list(tree.iter_branches())
        self.branch_cache.put(at.conversation_id, branches)
        infos = [
            BranchInfo(b.id, b.title, b.is_main, b.parent_branch_id, b.fork_point_message_id, b.message_count)
            for b in branches
        ]
        return Done(infos, at)

    # -- running a flow: a snapshot in, its outcome applied in one place ---------------------------------

    def _run(self, flow: Callable[[Place], Flow[Done[T]]]) -> T:
        at = self._place
        done = run(flow(at), self._sync())
        self._moved(at, done)
        return done.value

    async def _arun(self, flow: Callable[[Place], Flow[Done[T]]]) -> T:
        at = self._place
        done = await arun(flow(at), self._async())
        self._moved(at, done)
        return done.value

    def _moved(self, before: Place, done: Done[Any]) -> None:
        with self._lock:
            # A write always moves the history (it stands where its last write landed); what a read learnt
            # (the main branch's id) applies only if no other task moved the history meanwhile.
            if done.at != before and (done.wrote or self._place == before):
                self._place = done.at
            if done.replied:
                self.last_reply = done.value

    # -- reading ----------------------------------------------------------------------------------------

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """The branch's full history (inherited prefix, then its own), each message with its ChatRoutes ref.

        Read from the server on every access (one request when it includes a fork's inherited part), so
        writes by other objects and processes are always seen. Replies carry read-time digests: passed
        back to ``ChatChatRoutes`` in a list, they prove the prefix with no further request.
        """
        return self._run(self._read_flow)

    async def aget_messages(self) -> list[BaseMessage]:
        """Async :attr:`messages` on the async client."""
        return await self._arun(self._read_flow)

    # -- writing ----------------------------------------------------------------------------------------

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Store ``messages``: skip what the server holds, send a trailing new user turn (see module doc).

        Raises:
            ForeignMessageError: an assistant reply ChatRoutes did not generate, a tool message, or a message
                of another conversation; raised before any write.
            EmptyTurnError: the new turn has nothing to send (blank, or system text only).
            UnsupportedMessageError: a non-text block or an unknown role.
        """
        self._run(partial(self._add_flow, messages=messages))

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async :meth:`add_messages` on the async client."""
        await self._arun(partial(self._add_flow, messages=messages))

    def add_user_message(self, message: HumanMessage | str) -> None:
        """Send a user turn; ChatRoutes stores it and replies (the reply is in :attr:`last_reply`)."""
        self.add_messages([HumanMessage(content=message) if isinstance(message, str) else message])

    # -- clearing ---------------------------------------------------------------------------------------

    def clear(self) -> None:
        """Delete the messages this branch stored itself: everything after its fork point (all of main).

        One DELETE per message, newest first. Kept: the branch itself, the prefix it inherited from its
        parent (that belongs to the parent branch), every other branch, and the conversation. If another
        branch was forked at one of the messages to delete, raises :class:`BranchInUseError` and deletes
        nothing. To delete everything, use ``client.conversations.delete(conversation_id)``.
        """
        self._run(self._clear_flow)

    async def aclear(self) -> None:
        """Async :meth:`clear` on the async client (same rules)."""
        await self._arun(self._clear_flow)

    # -- branches ---------------------------------------------------------------------------------------

    def branches(self) -> list[BranchInfo]:
        """Every branch of the conversation (one request); empty before the conversation exists."""
        return self._run(self._tree_flow)

    async def abranches(self) -> list[BranchInfo]:
        """Async :meth:`branches`."""
        return await self._arun(self._tree_flow)

    def fork(
        self, at_message_id: str | None = None, title: str | None = None
    ) -> ChatRoutesChatMessageHistory:
        """Fork a new branch at ``at_message_id`` (default: the tip, as it is now) and return its history.

        The new branch's history is this branch's history up to and including that message; this history
        is unchanged. Two requests: a read of the branch, then the fork.
        """
        return self._run(partial(self._fork_flow, at_message_id=at_message_id, title=title))

    async def afork(
        self, at_message_id: str | None = None, title: str | None = None
    ) -> ChatRoutesChatMessageHistory:
        """Async :meth:`fork`."""
        return await self._arun(partial(self._fork_flow, at_message_id=at_message_id, title=title))

    def checkpoint(self) -> Checkpoint:
        """Create a ChatRoutes checkpoint (a summary of the branch) anchored at its tip as it is now."""
        return self._run(self._checkpoint_flow)

    async def acheckpoint(self) -> Checkpoint:
        """Async :meth:`checkpoint`."""
        return await self._arun(self._checkpoint_flow)
