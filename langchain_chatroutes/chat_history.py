"""``ChatRoutesChatMessageHistory``: a LangChain chat history stored as one branch of a ChatRoutes tree.

ChatRoutes stores every conversation on its server, as a tree of branches. This history reads a branch's full
history (the prefix inherited from its parent up to the fork point, then its own messages) and writes new user
turns to it. Branches are alternate histories: :meth:`~ChatRoutesChatMessageHistory.fork` starts one,
:meth:`~ChatRoutesChatMessageHistory.switch` moves to another, :meth:`~ChatRoutesChatMessageHistory.branches`
lists them.

Who owns the state: the ChatRoutes server. ``ChatChatRoutes`` already stores each turn it sends together with
its reply, so when the history is paired with that model (``RunnableWithMessageHistory``, LangGraph), the
history only reads: ``add_messages`` recognises what the server holds and writes nothing twice. See
``docs/memory.md`` for the full story, including why LangGraph is the recommended path in langchain-core 1.x.

Writing rules of :meth:`~ChatRoutesChatMessageHistory.add_messages` (the whole batch is checked first; a bad
batch raises :class:`ForeignMessageError` before any request):

* messages that carry a ChatRoutes ref (``ChatChatRoutes`` replies, messages read from a history) or whose id
  the history holds are skipped, and so are the new user messages directly before such a reply (the model sent
  them in the turn that produced it);
* new user/system messages at the end of the batch are sent as one turn; ChatRoutes stores it and generates
  the reply, which is then the last message of :attr:`~ChatRoutesChatMessageHistory.messages` (and
  :attr:`~ChatRoutesChatMessageHistory.last_reply`);
* an assistant message ChatRoutes did not generate, or a tool message, cannot be stored: error.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import SecretStr

from chatroutes_core import AsyncChatRoutesClient
from chatroutes_core.mapper import (
    AsyncConversationMapper,
    Binding,
    ConversationMapper,
    TreeRef,
    Turn,
    render_transcript,
)
from langchain_chatroutes._convert import METADATA_KEY, TURN_KEY, reply_metadata
from langchain_chatroutes._history_plan import (
    ForeignMessageError,
    message_ref,
    plan_add,
    relabel,
    stored_to_message,
    validate_id,
)

if TYPE_CHECKING:
    from chatroutes_core import ChatRoutesClient
    from chatroutes_core.models import Branch, Checkpoint, Message, SendMessageResponse

__all__ = [
    "BranchCache",
    "BranchInUseError",
    "BranchInfo",
    "ChatRoutesChatMessageHistory",
    "ForeignMessageError",
]

# Branch structure (parent, fork point, main or not) never changes once a branch exists, so it is shared by
# every history on the same client: a history made per turn (RunnableWithMessageHistory) reads its branch
# with one GET instead of two. Keyed weakly by client, then by conversation id.
_STRUCTURE: weakref.WeakKeyDictionary[Any, dict[str, list[Branch]]] = weakref.WeakKeyDictionary()


class BranchCache:
    """Branch histories shared by the histories made with it (opt-in), e.g. one per turn by a factory.

    ``RunnableWithMessageHistory`` makes a new history every turn, and a new history reads the whole branch
    (one GET whose size grows with the conversation). Histories given the same ``BranchCache`` start from
    what the last of them saw instead. An entry changes only with what a history proves: a read; its own
    send, when the server says the stored user message follows the cached tip; or a ``ChatChatRoutes`` reply
    whose turn the server accepted right after the cached tip (``parentMessageId``). Anything unproven drops
    the entry, and fork-at-tip, checkpoint and clear always read afresh.

    Use it when the branches are written only through these histories and the ``ChatChatRoutes`` models
    paired with them (the usual chat-app loop): a write made elsewhere (another process, a direct client
    call) is not seen until a history reads again. Even then nothing is written after someone else's turn:
    ``ChatChatRoutes`` sends with ``parentMessageId``, the server refuses a moved tip, and the model forks.

    Example:
        >>> cache = BranchCache()
        >>> factory = lambda conversation_id, branch_id: ChatRoutesChatMessageHistory(  # doctest: +SKIP
        ...     conversation_id, branch_id or None, client=client, branch_cache=cache)
    """

    def __init__(self, maxsize: int = 64) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[str, str], list[BaseMessage]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str, branch_id: str) -> list[BaseMessage] | None:
        """A copy of the branch's cached history, or None."""
        with self._lock:
            entry = self._entries.get((conversation_id, branch_id))
            if entry is None:
                return None
            self._entries.move_to_end((conversation_id, branch_id))
            return list(entry)

    def put(self, conversation_id: str, branch_id: str, messages: Sequence[BaseMessage] | None) -> None:
        """Remember the branch's history (None forgets it)."""
        key = (conversation_id, branch_id)
        with self._lock:
            if messages is None:
                self._entries.pop(key, None)
                return
            self._entries[key] = list(messages)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"BranchCache(maxsize={self.maxsize}, size={len(self)})"


class _RefsOf(Mapping[str, TreeRef]):
    """``message id -> ref`` of held messages, looked up newest first (no per-call dict of the branch).

    Every message a history holds was made by it with ``id`` equal to its ref's ``message_id``.
    """

    def __init__(self, messages: Sequence[BaseMessage]) -> None:
        self._messages = messages

    def __getitem__(self, message_id: str) -> TreeRef:
        for message in reversed(self._messages):
            if message.id == message_id:
                ref = message_ref(message)
                if ref is not None and ref.message_id == message_id:
                    return ref
        raise KeyError(message_id)

    def __iter__(self) -> Iterator[str]:
        for message in self._messages:
            ref = message_ref(message)
            if ref is not None:
                yield ref.message_id

    def __len__(self) -> int:
        return sum(1 for _ in self)


class BranchInUseError(ValueError):
    """``clear()`` would delete a message another branch was forked at (nothing was deleted)."""


@dataclass(frozen=True)
class BranchInfo:
    """One alternate history of a conversation.

    Attributes:
        id: the branch id (pass it to :meth:`ChatRoutesChatMessageHistory.switch`).
        title: the branch title.
        is_main: whether this is the conversation's main branch.
        parent_branch_id: the branch it was forked from (None for the main branch).
        fork_point_message_id: the message it was forked at; its history inherits everything up to it.
        message_count: the messages the server reports for the branch (as the server counts them).
    """

    id: str
    title: str | None
    is_main: bool
    parent_branch_id: str | None
    fork_point_message_id: str | None
    message_count: int | None


class ChatRoutesChatMessageHistory(BaseChatMessageHistory):
    """Chat history stored as one branch of a ChatRoutes conversation; branches are alternate histories.

    Args:
        conversation_id: the conversation; None creates one (titled ``title``) on the first write.
        branch_id: the branch; None or ``""`` means the main branch.
        client: a ``ChatRoutesClient`` for the sync methods.
        async_client: an ``AsyncChatRoutesClient`` for the async methods (``aget_messages`` ...).
        api_key: used to build the clients that were not given (default: ``CHATROUTES_API_KEY``).
        base_url: used to build the clients that were not given (default: ``CHATROUTES_BASE_URL``).
        model: the model ChatRoutes replies with when the history itself sends a user turn.
        title: the title of a conversation this history creates.
        branch_cache: a :class:`BranchCache` shared with other histories (opt-in; see there).

    Example:
        >>> history = ChatRoutesChatMessageHistory(client=client)  # doctest: +SKIP
        >>> history.add_user_message("Plan a trip to Kyoto")  # ChatRoutes replies  # doctest: +SKIP
        >>> [m.type for m in history.messages]  # doctest: +SKIP
        ['human', 'ai']
        >>> other = history.fork(history.messages[0].id, title="Osaka instead")  # doctest: +SKIP
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
        model: str = "gpt-5",
        title: str | None = None,
        branch_cache: BranchCache | None = None,
    ) -> None:
        super().__init__()
        self.branch_cache = branch_cache
        self._conversation_id = validate_id(conversation_id, "conversation_id")
        self._branch_id = validate_id(branch_id, "branch_id", allow_empty=True)
        if self._branch_id is not None and self._conversation_id is None:
            raise ValueError("branch_id needs its conversation_id too (a branch belongs to one conversation)")
        if not isinstance(model, str) or not model:
            raise ValueError("model must be a non-empty string")
        self.model = model
        self.title = title
        self._client = client
        self._async_client = async_client
        # handed to a client only; a SecretStr so it stays out of repr, vars() dumps and tracebacks' locals
        self._api_key = SecretStr(api_key) if api_key else None
        self._base_url = base_url
        self._held: list[BaseMessage] | None = None
        self._owned: list[ChatRoutesClient | AsyncChatRoutesClient] = []
        self.last_reply: AIMessage | None = None
        """The reply ChatRoutes generated for the last user turn this history sent itself."""

    # -- identity ---------------------------------------------------------------------------------------

    @property
    def conversation_id(self) -> str | None:
        """The conversation id (None until the first write when the history creates the conversation)."""
        return self._conversation_id

    @property
    def branch_id(self) -> str | None:
        """The branch id; None means "the main branch" until its id is known (after a read or a write)."""
        return self._branch_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(conversation_id={self._conversation_id!r}, "
            f"branch_id={self._branch_id!r}, model={self.model!r})"
        )

    __str__ = __repr__  # never a request (the base class would read the whole branch to print it)

    def switch(self, branch_id: str) -> ChatRoutesChatMessageHistory:
        """The history of another branch of the same conversation (same clients; no request)."""
        if self._conversation_id is None:
            raise ValueError("this history has no conversation yet, so it has no other branch to switch to")
        target = validate_id(branch_id, "branch_id")
        return self._sibling(target)

    def _sibling(self, branch_id: str | None) -> ChatRoutesChatMessageHistory:
        return type(self)(
            self._conversation_id,
            branch_id,
            client=self._client,
            async_client=self._async_client,
            api_key=self._api_key.get_secret_value() if self._api_key else None,
            base_url=self._base_url,
            model=self.model,
            title=self.title,
            branch_cache=self.branch_cache,
        )

    # -- clients ----------------------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        # A client built for the other mode talks to the same server with the same key and options.
        given = self._client or self._async_client
        if given is None:
            key = self._api_key.get_secret_value() if self._api_key else None
            return {"api_key": key, "base_url": self._base_url}
        return {
            "api_key": given.api_key,
            "base_url": given.base_url,
            "timeout": given.timeout,
            "max_retries": given.max_retries,
            "allow_insecure_http": given.allow_insecure_http,
        }

    def _sync(self) -> ChatRoutesClient:
        if self._client is None:
            from chatroutes_core import ChatRoutesClient

            self._client = ChatRoutesClient(**self._options())
            self._owned.append(self._client)
        return self._client

    def _async(self) -> AsyncChatRoutesClient:
        if self._async_client is None:
            self._async_client = AsyncChatRoutesClient(**self._options())
            self._owned.append(self._async_client)
        return self._async_client

    def close(self) -> None:
        """Close the sync client this history built itself (not one you passed in)."""
        for client in self._owned:
            if not isinstance(client, AsyncChatRoutesClient):
                client.close()

    async def aclose(self) -> None:
        """Close every client this history built itself (not one you passed in)."""
        for client in self._owned:
            if isinstance(client, AsyncChatRoutesClient):
                await client.close()
            else:
                client.close()

    # -- the cached branch (this object's, shared with the other histories on the same client) ----------

    @property
    def _cache(self) -> list[BaseMessage] | None:
        return self._held

    @_cache.setter
    def _cache(self, messages: list[BaseMessage] | None) -> None:
        self._held = messages
        if self.branch_cache is not None and self._conversation_id and self._branch_id:
            self.branch_cache.put(self._conversation_id, self._branch_id, messages)

    def _shared(self, branch_id: str) -> list[BaseMessage] | None:
        assert self._conversation_id is not None
        if self.branch_cache is None:
            return None
        known = self.branch_cache.get(self._conversation_id, branch_id)
        if known is not None:
            self._held = known
            return list(known)
        return None

    # -- pure helpers shared by the sync and async twins ------------------------------------------------

    def _known_structure(self, client: Any) -> list[Branch] | None:
        assert self._conversation_id is not None
        branches = _STRUCTURE.get(client, {}).get(self._conversation_id)
        if branches is None:
            return None
        if self._branch_id is None:
            return branches if any(b.is_main for b in branches) else None
        return branches if any(b.id == self._branch_id for b in branches) else None

    def _remember_structure(self, client: Any, branches: Sequence[Branch]) -> None:
        assert self._conversation_id is not None
        _STRUCTURE.setdefault(client, {})[self._conversation_id] = list(branches)

    def _add_branch(self, client: Any, branch: Branch) -> None:
        assert self._conversation_id is not None
        known = _STRUCTURE.setdefault(client, {}).setdefault(self._conversation_id, [])
        known.append(branch)

    def _resolve_branch(self, branches: Sequence[Branch]) -> str:
        if self._branch_id is None:
            main = next((b for b in branches if b.is_main), None)
            if main is None:
                raise ValueError(f"conversation {self._conversation_id!r} has no main branch")
            self._branch_id = main.id
        return self._branch_id

    def _fill_cache(self, stored: Sequence[Message], branch_id: str) -> list[BaseMessage]:
        assert self._conversation_id is not None
        self._cache = [stored_to_message(m, TreeRef(self._conversation_id, branch_id, m.id)) for m in stored]
        return list(self._cache)

    def _known_refs(self) -> Mapping[str, TreeRef]:
        return _RefsOf(self._cache or ())

    def _needs_read(self, messages: Sequence[BaseMessage]) -> bool:
        # Only a message with an id but no ref might be one the server holds: read to find out.
        return (
            self._cache is None
            and self._conversation_id is not None
            and any(m.id is not None and message_ref(m) is None for m in messages)
        )

    def _after_send(self, ref: TreeRef, response: SendMessageResponse, content: str) -> None:
        fresh = self._conversation_id is None
        self._conversation_id, self._branch_id = ref.conversation_id, ref.branch_id
        reply = stored_to_message(response.message, ref)
        self.last_reply = reply if isinstance(reply, AIMessage) else None
        user = response.user_message
        tip = self._cache[-1].id if self._cache else None
        if fresh or self._cache is None or user is None or user.parent_message_id != tip:
            self._cache = None  # not provably the next turn after what we hold: read again when asked
            return
        # The server says it stored the turn right after the tip we hold: extend the cache, no GET.
        user_ref = TreeRef(ref.conversation_id, ref.branch_id, user.id)
        user_message = HumanMessage(
            content=content, id=user.id, additional_kwargs={METADATA_KEY: user_ref.as_dict()}
        )
        self._cache = [*self._cache, user_message, reply]

    def _after_reply(self, ref: TreeRef, messages: Sequence[BaseMessage], turns: Sequence[Turn]) -> None:
        if self._conversation_id is None:
            self._conversation_id = ref.conversation_id
        if ref.branch_id != self._branch_id:
            # The model wrote elsewhere (e.g. it forked because the branch had moved on): follow the reply.
            self._cache = None  # what we held of the old branch is not its tip any more
            self._branch_id = ref.branch_id
            self._cache = None
        elif ref.message_id not in self._known_refs():
            # The branch moved on: by exactly this turn if the server proved it, else read it again next time.
            self._cache = self._extended_by(ref, messages, turns)

    def _extended_by(
        self, ref: TreeRef, messages: Sequence[BaseMessage], turns: Sequence[Turn]
    ) -> list[BaseMessage] | None:
        """The cache plus the model's turn, when the reply proves that turn came right after our tip."""
        reply = next((m for m in reversed(messages) if m.id == ref.message_id), None)
        proof = reply.response_metadata.get(TURN_KEY) if isinstance(reply, AIMessage) else None
        if not self._cache or not turns or not isinstance(proof, dict) or not isinstance(reply, AIMessage):
            return None
        content = render_transcript(turns)
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        user_id = proof.get("user_message_id")
        if proof.get("follows") != self._cache[-1].id or proof.get("user_content_sha256") != digest:
            return None  # not the turn right after our tip, or not the text these messages render to
        if not isinstance(user_id, str) or not isinstance(reply.content, str):
            return None
        user_ref = TreeRef(ref.conversation_id, ref.branch_id, user_id)
        user = HumanMessage(content=content, id=user_id, additional_kwargs={METADATA_KEY: user_ref.as_dict()})
        model = reply.response_metadata.get("model_name") or None
        stored = AIMessage(
            content=reply.content, id=reply.id, response_metadata=reply_metadata(ref, model, "stop")
        )
        return [*self._cache, user, stored]

    def _own_messages(self, history: Sequence[BaseMessage], branch: Branch | None) -> list[BaseMessage]:
        fork_point = branch.fork_point_message_id if branch is not None else None
        if fork_point is None:
            return list(history)
        ids = [m.id for m in history]
        return list(history[ids.index(fork_point) + 1 :]) if fork_point in ids else list(history)

    def _check_clear(self, branches: Sequence[Branch], own: Sequence[BaseMessage]) -> None:
        own_ids = {m.id for m in own}
        blocking = [b for b in branches if b.id != self._branch_id and b.fork_point_message_id in own_ids]
        if blocking:
            names = ", ".join(f"{b.id} ({b.title or 'untitled'})" for b in blocking)
            raise BranchInUseError(
                f"clear() would delete messages that other branches were forked at: {names}. "
                "Nothing was deleted; clear or delete those branches first."
            )

    def _fork_target(self, history: Sequence[BaseMessage], at_message_id: str | None) -> int:
        if not history:
            raise ValueError("this branch has no messages yet, so there is nothing to fork at")
        if at_message_id is None:
            return len(history) - 1
        target = validate_id(at_message_id, "at_message_id")
        for index, message in enumerate(history):
            if message.id == target:
                return index
        raise ValueError(f"message {target!r} is not in this branch's history, so it cannot be a fork point")

    def _forked(self, branch: Branch, prefix: Sequence[BaseMessage]) -> ChatRoutesChatMessageHistory:
        forked = self._sibling(branch.id)
        forked._cache = [relabel(m, branch.id) for m in prefix]  # a fork's history is this prefix
        return forked

    def _tip(self, history: Sequence[BaseMessage]) -> str:
        if not history or history[-1].id is None:
            raise ValueError("this branch has no messages yet, so there is nothing to checkpoint")
        return history[-1].id

    @staticmethod
    def _infos(branches: Sequence[Branch]) -> list[BranchInfo]:
        return [
            BranchInfo(b.id, b.title, b.is_main, b.parent_branch_id, b.fork_point_message_id, b.message_count)
            for b in branches
        ]

    # -- reading ----------------------------------------------------------------------------------------

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """The branch's full history (inherited prefix, then its own), each message with its ChatRoutes ref.

        Read once and cached while the branch tip is unchanged (as far as this history can see).
        """
        if self._cache is not None:
            return list(self._cache)
        if self._conversation_id is None:
            return []
        client = self._sync()
        branches = self._known_structure(client)
        if branches is None:
            branches = client.branches.list(self._conversation_id)
            self._remember_structure(client, branches)
        branch_id = self._resolve_branch(branches)
        shared = self._shared(branch_id)
        if shared is not None:
            return shared
        stored = client.branches.get_history(self._conversation_id, branch_id, branches=branches)
        return self._fill_cache(stored, branch_id)

    async def aget_messages(self) -> list[BaseMessage]:
        """Async :attr:`messages` on the async client."""
        if self._cache is not None:
            return list(self._cache)
        if self._conversation_id is None:
            return []
        client = self._async()
        branches = self._known_structure(client)
        if branches is None:
            branches = await client.branches.list(self._conversation_id)
            self._remember_structure(client, branches)
        branch_id = self._resolve_branch(branches)
        shared = self._shared(branch_id)
        if shared is not None:
            return shared
        stored = await client.branches.get_history(self._conversation_id, branch_id, branches=branches)
        return self._fill_cache(stored, branch_id)

    # -- writing ----------------------------------------------------------------------------------------

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Store ``messages``: skip what the server holds, send a trailing new user turn (see module doc).

        Raises:
            ForeignMessageError: an assistant reply ChatRoutes did not generate, a tool message, or a message
                of another conversation; raised before any write.
        """
        if self._needs_read(messages):
            _ = self.messages
        plan = plan_add(messages, known=self._known_refs(), conversation_id=self._conversation_id)
        if plan.send:
            content = render_transcript(plan.send)
            if self._conversation_id is not None and self._branch_id is not None:
                # The branch-scoped route also returns the stored user message, which proves where it went.
                response = self._sync().branches.send_message(
                    self._conversation_id, self._branch_id, content=content, model=self.model
                )
                ref = TreeRef(self._conversation_id, self._branch_id, response.message.id)
            else:  # create the conversation, or send to a main branch whose id is not known yet
                mapper = ConversationMapper(self._sync(), model=self.model, title=self.title)
                reply = mapper.send(plan.send, Binding(self._conversation_id))
                ref, response = reply.ref, reply.response
            self._after_send(ref, response, content)
        elif plan.reply is not None:
            self._after_reply(plan.reply, messages, plan.reply_turns)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async :meth:`add_messages` on the async client."""
        client = self._async()
        if self._needs_read(messages):
            await self.aget_messages()
        plan = plan_add(messages, known=self._known_refs(), conversation_id=self._conversation_id)
        if plan.send:
            content = render_transcript(plan.send)
            if self._conversation_id is not None and self._branch_id is not None:
                response = await client.branches.send_message(
                    self._conversation_id, self._branch_id, content=content, model=self.model
                )
                ref = TreeRef(self._conversation_id, self._branch_id, response.message.id)
            else:
                mapper = AsyncConversationMapper(client, model=self.model, title=self.title)
                reply = await mapper.send(plan.send, Binding(self._conversation_id))
                ref, response = reply.ref, reply.response
            self._after_send(ref, response, content)
        elif plan.reply is not None:
            self._after_reply(plan.reply, messages, plan.reply_turns)

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
        if self._conversation_id is None:
            self._cache = []
            return
        client = self._sync()
        branches = client.branches.list(self._conversation_id)
        self._remember_structure(client, branches)
        branch_id = self._resolve_branch(branches)
        self._cache = None  # decide what to delete from the branch as it is now, not from a cache
        history = self.messages
        own = self._own_messages(history, next((b for b in branches if b.id == branch_id), None))
        self._check_clear(branches, own)
        for message in reversed(own):
            assert message.id is not None
            client.messages.delete(message.id)
        self._cache = history[: len(history) - len(own)]

    async def aclear(self) -> None:
        """Async :meth:`clear` on the async client (same rules)."""
        client = self._async()
        if self._conversation_id is None:
            self._cache = []
            return
        branches = await client.branches.list(self._conversation_id)
        self._remember_structure(client, branches)
        branch_id = self._resolve_branch(branches)
        self._cache = None
        history = await self.aget_messages()
        own = self._own_messages(history, next((b for b in branches if b.id == branch_id), None))
        self._check_clear(branches, own)
        for message in reversed(own):
            assert message.id is not None
            await client.messages.delete(message.id)
        self._cache = history[: len(history) - len(own)]

    # -- branches ---------------------------------------------------------------------------------------

    def branches(self) -> list[BranchInfo]:
        """Every branch of the conversation (one request); empty before the conversation exists."""
        if self._conversation_id is None:
            return []
        client = self._sync()
        branches = list(client.conversations.get_tree(self._conversation_id).iter_branches())
        self._remember_structure(client, branches)
        return self._infos(branches)

    async def abranches(self) -> list[BranchInfo]:
        """Async :meth:`branches`."""
        client = self._async()
        if self._conversation_id is None:
            return []
        tree = await client.conversations.get_tree(self._conversation_id)
        branches = list(tree.iter_branches())
        self._remember_structure(client, branches)
        return self._infos(branches)

    def fork(
        self, at_message_id: str | None = None, title: str | None = None
    ) -> ChatRoutesChatMessageHistory:
        """Fork a new branch at ``at_message_id`` (default: the tip) and return its history.

        The new branch's history is this branch's history up to and including that message; this history
        is unchanged. One request to fork; forking at the tip first reads the branch (so "the tip" is
        current), forking at a given message reads only if this history has not been read yet.
        """
        if at_message_id is None:
            self._cache = None  # "the tip" means the branch's tip now, not a cached one
        history = self.messages
        index = self._fork_target(history, at_message_id)
        at = history[index].id
        assert self._conversation_id is not None and at is not None
        client = self._sync()
        branch = client.branches.fork(
            self._conversation_id, fork_point_message_id=at, title=title or f"Fork at {at}"
        )
        self._add_branch(client, branch)
        return self._forked(branch, history[: index + 1])

    async def afork(
        self, at_message_id: str | None = None, title: str | None = None
    ) -> ChatRoutesChatMessageHistory:
        """Async :meth:`fork`."""
        client = self._async()
        if at_message_id is None:
            self._cache = None
        history = await self.aget_messages()
        index = self._fork_target(history, at_message_id)
        at = history[index].id
        assert self._conversation_id is not None and at is not None
        branch = await client.branches.fork(
            self._conversation_id, fork_point_message_id=at, title=title or f"Fork at {at}"
        )
        self._add_branch(client, branch)
        return self._forked(branch, history[: index + 1])

    def checkpoint(self) -> Checkpoint:
        """Create a ChatRoutes checkpoint (a summary of the branch) anchored at the tip."""
        self._cache = None  # anchor at the branch's tip now, not a cached one
        tip = self._tip(self.messages)
        assert self._conversation_id is not None and self._branch_id is not None
        return self._sync().checkpoints.create(
            self._conversation_id, branch_id=self._branch_id, anchor_message_id=tip
        )

    async def acheckpoint(self) -> Checkpoint:
        """Async :meth:`checkpoint`."""
        client = self._async()
        self._cache = None
        tip = self._tip(await self.aget_messages())
        assert self._conversation_id is not None and self._branch_id is not None
        return await client.checkpoints.create(
            self._conversation_id, branch_id=self._branch_id, anchor_message_id=tip
        )
