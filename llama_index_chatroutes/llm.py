"""``ChatRoutes``: a LlamaIndex ``FunctionCallingLLM`` whose chat calls become paths in a ChatRoutes tree.

Every ``chat``/``stream_chat``/``achat``/``astream_chat`` converts the **whole** message list to mapper turns
and lets ``chatroutes_core.mapper`` prove it against the branch (the fidelity rule, see there): a list that
continues a reply costs one request, a changed system prompt travels with the turn, an edit before the last
reply forks at the last proven reply, a list that shares nothing starts a conversation. Every reply's
``additional_kwargs["chatroutes"]`` is its :class:`~chatroutes_core.mapper.TreeRef` (ids and digests), sealed
over the message exactly as returned.

Which branch a call writes to (the side-call policy, also in ``docs/llama_index.md``):

* with a ChatRoutes reply in the list: that reply's branch (or a fork of it);
* no reply, bound (``conversation_id``/``branch_id``, :meth:`ChatRoutes.bind`, or the target a ChatRoutes
  chat store puts on the messages it has not sent yet): the bound branch;
* no reply, unbound: a new conversation holding the whole list as one transcript;
* side calls (``complete`` and its twins, ``predict``/``stream`` on helper templates, ``structured_predict``):
  a one-shot conversation of their own, deleted after the reply when ``delete_side_calls=True``
  (``_side_calls``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.generic_utils import (
    astream_chat_response_to_completion_response,
    chat_response_to_completion_response,
    stream_chat_response_to_completion_response,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from pydantic import AliasChoices, Field, PrivateAttr, SecretStr

from chatroutes_core import (
    DEFAULT_MODEL,
    AsyncChatRoutesClient,
    ChatRoutesClient,
    check_model,
    flows,
)
from chatroutes_core.flows import Flow, arun, run
from chatroutes_core.integration import ClientSettings, check_generation
from chatroutes_core.mapper import (
    AsyncConversationMapper,
    Binding,
    ConversationMapper,
    TipCache,
    TreeRef,
    Turn,
    check_binding,
)
from chatroutes_core.models import Message, Usage
from llama_index_chatroutes import _convert, _tools
from llama_index_chatroutes._limits import MODEL_LIMITS, limits
from llama_index_chatroutes._options import CheckedAssignment, refuse_unknown
from llama_index_chatroutes._replies import ReplyMemory, account_replies
from llama_index_chatroutes._side_calls import SideCallPolicy, in_side_call
from llama_index_chatroutes._stream import Call as _Call
from llama_index_chatroutes._stream import StreamShaper

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["MODEL_LIMITS", "ChatRoutes"]

_CALL_KWARGS = ("tools", "tool_choice", "parallel_tool_calls")
_SIDE_CALL = TreeRef("side-call", "side-call", "side-call")  # a side call's reply has no place in a branch


class ChatRoutes(CheckedAssignment, SideCallPolicy, FunctionCallingLLM):
    """The ChatRoutes API as a LlamaIndex LLM (chat-native, sync and async, streaming, tool calling).

    Args:
        model: a ChatRoutes model alias (default ``gpt-5``); ``model_name=`` is accepted too.
        api_key: defaults to ``CHATROUTES_API_KEY``; never shown in ``repr`` or serialised.
        base_url: defaults to ``CHATROUTES_BASE_URL`` or the public API.
        conversation_id / branch_id: bind the LLM to a branch (see the module docstring).
        delete_side_calls: delete the conversation a side call created once its reply is in.

    An option it does not know (``temprature=``) is a ``ConfigurationError``, not silently dropped.

    Example:
        >>> from llama_index.core import Settings
        >>> Settings.llm = ChatRoutes()
        >>> response = Settings.llm.complete("Say hi")  # a one-shot conversation of its own
        >>> type(response).__name__, response.additional_kwargs["total_tokens"] > 0
        ('CompletionResponse', True)
    """

    model: str = Field(
        default=DEFAULT_MODEL,
        validation_alias=AliasChoices("model", "model_name"),
        description="ChatRoutes model alias (``model_name=`` is accepted too).",
    )
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False, description="API key.")
    base_url: str | None = Field(default=None, description="API base URL (ends in /api/v1).")
    temperature: float | None = Field(default=None, description="Sampling temperature.")
    max_tokens: int | None = Field(default=None, gt=0, description="Maximum tokens in a reply.")
    timeout: float | None = Field(default=None, gt=0, description="Request timeout in seconds.")
    max_retries: int = Field(default=2, ge=0, description="Retries for retryable failures.")
    context_window: int | None = Field(
        default=None, gt=256, description="Override the context window of the model alias."
    )
    conversation_id: str | None = Field(default=None, description="Conversation to write to.")
    branch_id: str | None = Field(default=None, description="Branch to write to (main when unset).")
    delete_side_calls: bool = Field(
        default=False, description="Delete the one-shot conversation of a side call after its reply."
    )

    _client: ChatRoutesClient | None = PrivateAttr(default=None)
    _given_async_client: AsyncChatRoutesClient | None = PrivateAttr(default=None)
    _tips: TipCache = PrivateAttr(default_factory=TipCache)
    _replies: ReplyMemory = PrivateAttr(default_factory=ReplyMemory)

    def __init__(
        self,
        *,
        client: ChatRoutesClient | None = None,
        async_client: AsyncChatRoutesClient | None = None,
        **data: Any,
    ) -> None:
        refuse_unknown(type(self), data)
        data.pop("class_name", None)
        # an unknown model is an UnsupportedModelError here, before any request (a name the catalog does not
        # list yet passes when listed in CHATROUTES_EXTRA_MODELS); a ValidationError would hide the list
        check_model(data.get("model", data.get("model_name", DEFAULT_MODEL)))
        check_generation(data)  # temperature 0-2, max_tokens >= 1: our UsageError, not pydantic's
        if isinstance(data.get("api_key"), str):
            data["api_key"] = SecretStr(data["api_key"])
        # a branch without its conversation is the core's MappingError, here as everywhere
        check_binding(data.get("conversation_id") or None, data.get("branch_id") or None)
        super().__init__(**data)
        self._client = client
        self._given_async_client = async_client

    @classmethod
    def class_name(cls) -> str:
        return "ChatRoutes_llm"

    @property
    def model_name(self) -> str:
        """The same as :attr:`model` (the name LangChain's and LlamaIndex's other LLMs use)."""
        return self.model

    @property
    def metadata(self) -> LLMMetadata:
        """Pure and offline: read on every call by the callback decorators."""
        window, output = limits(self.model)
        return LLMMetadata(
            context_window=self.context_window or window,
            num_output=self.max_tokens or output,
            is_chat_model=True,
            is_function_calling_model=True,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- clients --------------------------------------------------------------------------------------

    def _settings(self) -> ClientSettings:
        # the key, URL and options pick the shared client; no I/O. A str key when set by
        # model_copy(update=...), which skips validation: ClientSettings takes either.
        key: Any = self.api_key
        return ClientSettings(key, self.base_url, self.timeout, self.max_retries,
                              client=self._client, async_client=self._given_async_client)  # fmt: skip

    @property
    def client(self) -> ChatRoutesClient:
        """The sync core client: the one given, else the process-wide shared one for these options."""
        return self._settings().sync()

    @property
    def async_client(self) -> AsyncChatRoutesClient:
        """The async core client: the one given, else the shared one of the running event loop."""
        return self._settings().async_()

    def bind(self, conversation_id: str, branch_id: str | None = None) -> ChatRoutes:
        """A copy bound to a branch, sharing clients, branch tips and the memory of replies.

        ``conversation_id`` may also be a chat-store key that is an id (``"conv"`` or ``"conv:branch"``, as
        ``store.new_key()`` returns), so ``llm.bind(key)`` writes where that key reads. A *name* key
        (``"user1"``) is not a conversation id: leave the LLM unbound and the store follows it.
        """
        if branch_id is None:
            conversation_id, branch_id = _convert.parse_key(conversation_id)
        check_binding(conversation_id or None, branch_id or None)  # refused here, not at the first call
        # model_copy is shallow: the copy's _tips and _replies are the same objects (each with its own lock)
        return self.model_copy(update={"conversation_id": conversation_id, "branch_id": branch_id})

    # -- one call, pure up to the send ----------------------------------------------------------------

    def _prepare(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool) -> _Call:
        messages = _convert.check_messages(messages)
        tools = _tools.declaration(kwargs)
        side_call = side_call or in_side_call()
        if side_call:
            turns = [replace(t, ref=None) for t in _convert.to_turns(messages)]
            binding = None
        else:
            conversation_id = kwargs.get("conversation_id", self.conversation_id)
            if not conversation_id:
                target = next((t for t in map(_convert.target_of, reversed(messages)) if t), None)
                conversation_id = target[0] if target is not None else None
            messages = _convert.reattach(messages, lambda d: self._replies.lookup(d, conversation_id))
            turns = _convert.to_turns(messages)
            binding = self._binding(messages, turns, kwargs)
        if tools is not None:
            turns.append(tools.turn)
        return _Call(turns, binding, side_call, tools)

    def _binding(
        self, messages: Sequence[ChatMessage], turns: Sequence[Turn], kwargs: dict[str, Any]
    ) -> Binding | None:
        conversation_id = kwargs.get("conversation_id", self.conversation_id) or None
        own = self.branch_id if conversation_id == (self.conversation_id or None) else None
        branch_id = kwargs.get("branch_id", own) or None
        if conversation_id or branch_id:
            return Binding(conversation_id, branch_id)  # a branch without its conversation: MappingError
        if any(t.ref is not None for t in turns):
            return None
        # A ChatRoutes chat store marks the messages it holds but has not sent with their target branch.
        for message in reversed(messages):
            target = _convert.target_of(message)
            if target is not None:
                return Binding(*target)
            if message.role not in (MessageRole.USER, MessageRole.SYSTEM):
                break
        return None

    def _generation(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        # checked here too, before any request: assignment and model_copy(update=...) skip the validator
        return {
            "model": check_model(kwargs.get("model", self.model)),
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
        }

    def _response(
        self,
        call: _Call,
        ref: TreeRef | None,
        shown: _tools.Shown,
        usage: Usage | None,
        model: str | None,
        delta: str,
    ) -> ChatResponse:
        client = self._client or self._given_async_client or self.client
        if ref is not None and not shown.tool_calls:
            self._replies.remember(shown.text, ref)
            account_replies(client).remember(shown.text, ref)
        elif call.side_call:
            account_replies(client, side=True).remember(shown.text, _SIDE_CALL)
        counts = _convert.usage_dict(usage)
        raw: dict[str, Any] = {"usage": counts or None, "model": model}
        if ref is not None:
            raw["chatroutes"] = ref.as_dict()
        message = _convert.reply_message(shown.text, ref, shown.tool_calls)
        if shown.invalid:
            message.additional_kwargs["invalid_tool_calls"] = [dict(bad) for bad in shown.invalid]
        return ChatResponse(message=message, raw=raw, delta=delta, additional_kwargs=dict(counts))

    @staticmethod
    def _shown(call: _Call, message: Message) -> _tools.Shown:
        return _tools.shown(message.content, message.id, call.tools)

    def _side_conversation(self, call: _Call, ref: TreeRef) -> str | None:
        """The side call's conversation to delete, if any."""
        return ref.conversation_id if call.side_call and self.delete_side_calls else None

    # -- sync -----------------------------------------------------------------------------------------

    def _mapper(self) -> ConversationMapper:
        return ConversationMapper(self.client, model=self.model, tips=self._tips)

    def _amapper(self) -> AsyncConversationMapper:
        return AsyncConversationMapper(self.async_client, model=self.model, tips=self._tips)

    def _chat_flow(
        self,
        mapper: ConversationMapper | AsyncConversationMapper,
        messages: Sequence[ChatMessage],
        kwargs: dict[str, Any],
        side_call: bool,
    ) -> Flow[ChatResponse]:
        """One chat call, for either client: the turn, then (a side call) deleting its conversation."""
        call = self._prepare(messages, kwargs, side_call)
        reply = yield from mapper.send_flow(call.turns, call.binding, **self._generation(kwargs))
        shown = self._shown(call, reply.message)
        if (doomed := self._side_conversation(call, reply.ref)) is not None:
            yield from flows.call(lambda c: c.conversations.delete, doomed)
        ref = None if call.side_call else reply.seal(shown.turn)
        return self._response(call, ref, shown, reply.usage, reply.model, shown.text)

    def _chat(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool) -> ChatResponse:
        return run(self._chat_flow(self._mapper(), messages, kwargs, side_call), self.client)

    def _stream_chat(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool
    ) -> ChatResponseGen:
        call = self._prepare(messages, kwargs, side_call)
        stream = self._mapper().stream(call.turns, call.binding, **self._generation(kwargs))

        def gen() -> Generator[ChatResponse, None, None]:
            shaper = StreamShaper(self, call)
            with stream:
                for event in stream:
                    responses = shaper.responses(stream, event)
                    if shaper.doomed is not None:
                        self.client.conversations.delete(shaper.doomed)
                    yield from responses

        return gen()

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, kwargs, side_call=False)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, kwargs, side_call=False)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        response = self._chat(self._prompt_messages(prompt, formatted), kwargs, side_call=True)
        return chat_response_to_completion_response(response)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        stream = self._stream_chat(self._prompt_messages(prompt, formatted), kwargs, side_call=True)
        return stream_chat_response_to_completion_response(stream)

    # -- async ----------------------------------------------------------------------------------------

    async def _achat(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool
    ) -> ChatResponse:
        return await arun(self._chat_flow(self._amapper(), messages, kwargs, side_call), self.async_client)

    def _astream_chat(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool
    ) -> ChatResponseAsyncGen:
        call = self._prepare(messages, kwargs, side_call)
        stream = self._amapper().stream(call.turns, call.binding, **self._generation(kwargs))

        async def gen() -> AsyncGenerator[ChatResponse, None]:
            shaper = StreamShaper(self, call)
            async with stream:
                async for event in stream:
                    responses = shaper.responses(stream, event)
                    if shaper.doomed is not None:
                        await self.async_client.conversations.delete(shaper.doomed)
                    for response in responses:
                        yield response

        return gen()

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, kwargs, side_call=False)

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        # Not an async generator itself: the decorator must see a coroutine returning one.
        return self._astream_chat(messages, kwargs, side_call=False)

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        response = await self._achat(self._prompt_messages(prompt, formatted), kwargs, side_call=True)
        return chat_response_to_completion_response(response)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        stream = self._astream_chat(self._prompt_messages(prompt, formatted), kwargs, side_call=True)
        return astream_chat_response_to_completion_response(stream)

    def _prompt_messages(self, prompt: str, formatted: bool) -> list[ChatMessage]:
        if not formatted and self.completion_to_prompt is not None:  # LLM's validator sets a default
            prompt = self.completion_to_prompt(prompt)
        messages = [ChatMessage(role=MessageRole.USER, content=prompt)]
        if self.system_prompt:
            messages.insert(0, ChatMessage(role=MessageRole.SYSTEM, content=self.system_prompt))
        return messages

    # -- FunctionCallingLLM ---------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """``chat`` keyword arguments: the messages, and the tools declared as OpenAI-format dicts."""
        return _tools.prepare_chat_with_tools(
            tools, user_msg, chat_history, allow_parallel_tool_calls, tool_required, tool_choice, kwargs
        )

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The reply's tool calls (its ``ToolCallBlock`` blocks) as ``ToolSelection`` objects."""
        return _tools.tool_selections(response, error_on_no_tool_call)
