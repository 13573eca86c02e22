"""``ChatRoutes``: a LlamaIndex ``LLM`` whose chat calls become paths in a ChatRoutes conversation tree.

Which branch a call writes to (the side-call policy, also in ``docs/llama_index.md``):

* ``chat``/``stream_chat``/``achat``/``astream_chat`` with a ChatRoutes reply in the list (an assistant
  ``ChatMessage`` whose ``additional_kwargs["chatroutes"]`` holds its ids) continue that reply's branch with
  one request (or fork, when the reply is no longer the branch's tip).
* The same calls with no such reply go to the bound branch (``conversation_id``/``branch_id``, or the target
  a ``ChatRoutesChatStore`` puts on the messages it has not sent yet); unbound, they start a new conversation
  holding the whole list as one transcript.
* Side calls never touch a bound or anchored branch: the completion endpoints (``complete`` and its
  streaming/async forms, which ``CondensePlusContextChatEngine`` uses to condense the question) and
  ``structured_predict`` and its variants, and the prompt-template entry points ``predict``/``stream``/
  ``apredict``/``astream`` (condense-question prompts, LLM selectors, query-engine synthesizers) always start
  a conversation of their own, deleted after the reply when ``delete_side_calls=True``. The one template that
  is a turn is a chat engine's answer prompt (``ContextChatEngine``, ``CondensePlusContextChatEngine``: a chat
  template ending in the user's ``{query_str}``); it goes through ``chat``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

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
from llama_index.core.constants import DEFAULT_CONTEXT_WINDOW, DEFAULT_NUM_OUTPUTS
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.llm import LLM
from llama_index.core.prompts import BasePromptTemplate, ChatPromptTemplate, SelectorPromptTemplate
from llama_index.core.types import TokenAsyncGen, TokenGen
from pydantic import Field, PrivateAttr, SecretStr

from chatroutes_core import AsyncChatRoutesClient, ChatRoutesClient
from chatroutes_core.mapper import (
    AsyncConversationMapper,
    Binding,
    ConversationMapper,
    TipCache,
    TreeRef,
    Turn,
)
from chatroutes_core.models import Usage
from llama_index_chatroutes import _convert
from llama_index_chatroutes._clients import LoopClients

__all__ = ["MODEL_LIMITS", "ChatRoutes"]

#: ``alias -> (context window, max output tokens)``, the providers' published limits for each alias the
#: ChatRoutes API accepts. Other names fall back to LlamaIndex's defaults (or ``context_window=``).
MODEL_LIMITS: dict[str, tuple[int, int]] = {
    "gpt-5": (400_000, 128_000),
    "claude-opus-4-1": (200_000, 32_000),
    "claude-opus-4": (200_000, 32_000),
    "claude-opus-4-0": (200_000, 32_000),
    "claude-sonnet-4-5": (200_000, 64_000),
    "claude-sonnet-4-0": (200_000, 64_000),
    "claude-3-7-sonnet-latest": (200_000, 64_000),
    "claude-3-5-haiku-latest": (200_000, 8_192),
}

_SIDE_CALL: ContextVar[bool] = ContextVar("chatroutes_side_call", default=False)
_SENT_SYSTEM_MAX = 4096
_REPLIES_MAX = 1024


@contextmanager
def _side_call() -> Iterator[None]:
    token = _SIDE_CALL.set(True)
    try:
        yield
    finally:
        _SIDE_CALL.reset(token)


@dataclass
class _Call:
    """One prepared call: the turns to send, where to, and whether it is a side call."""

    turns: list[Turn]
    binding: Binding | None
    side_call: bool


class ChatRoutes(LLM):
    """The ChatRoutes API as a LlamaIndex LLM (chat-native, sync and async, streaming).

    Args:
        model: a ChatRoutes model alias (default ``gpt-5``).
        api_key: defaults to ``CHATROUTES_API_KEY``; never shown in ``repr`` or serialised.
        base_url: defaults to ``CHATROUTES_BASE_URL`` or the public API.
        conversation_id / branch_id: bind the LLM to a branch (see the module docstring).
        delete_side_calls: delete the conversation a side call created once its reply is in.

    Example:
        >>> from llama_index.core import Settings
        >>> Settings.llm = ChatRoutes()  # doctest: +SKIP
        >>> ChatRoutes().complete("Say hi").text  # doctest: +SKIP
    """

    model: str = Field(default="gpt-5", description="ChatRoutes model alias.")
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
    _loop_clients: LoopClients = PrivateAttr(default_factory=LoopClients)
    _tips: TipCache = PrivateAttr(default_factory=TipCache)
    _sent_system: OrderedDict[str, None] = PrivateAttr(default_factory=OrderedDict)
    _replies: OrderedDict[str, TreeRef] = PrivateAttr(default_factory=OrderedDict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self,
        *,
        client: ChatRoutesClient | None = None,
        async_client: AsyncChatRoutesClient | None = None,
        **data: Any,
    ) -> None:
        if isinstance(data.get("api_key"), str):
            data["api_key"] = SecretStr(data["api_key"])
        if data.get("branch_id") and not data.get("conversation_id"):
            from chatroutes_core import ConfigurationError

            raise ConfigurationError("ChatRoutes(branch_id=...) needs conversation_id too")
        super().__init__(**data)
        self._client = client
        self._given_async_client = async_client

    @classmethod
    def class_name(cls) -> str:
        return "ChatRoutes_llm"

    @property
    def metadata(self) -> LLMMetadata:
        """Pure and offline: read on every call by the callback decorators."""
        window, output = MODEL_LIMITS.get(self.model, (DEFAULT_CONTEXT_WINDOW, DEFAULT_NUM_OUTPUTS))
        return LLMMetadata(
            context_window=self.context_window or window,
            num_output=self.max_tokens or output,
            is_chat_model=True,
            is_function_calling_model=False,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- clients --------------------------------------------------------------------------------------

    def _client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"base_url": self.base_url, "max_retries": self.max_retries}
        if self.api_key is not None:
            options["api_key"] = self.api_key.get_secret_value()
        if self.timeout is not None:
            options["timeout"] = self.timeout
        return options

    @property
    def client(self) -> ChatRoutesClient:
        """The sync core client (built once, reused)."""
        with self._lock:
            if self._client is None:
                self._client = ChatRoutesClient(**self._client_options())
            return self._client

    @property
    def async_client(self) -> AsyncChatRoutesClient:
        """The async core client for the running event loop (an httpx pool must not cross loops)."""
        if self._given_async_client is not None:
            return self._given_async_client
        return self._loop_clients.get(self._client_options)

    def bind(self, conversation_id: str, branch_id: str | None = None) -> ChatRoutes:
        """A copy bound to a branch (main when ``branch_id`` is None), sharing clients and branch tips."""
        bound = self.model_copy(update={"conversation_id": conversation_id, "branch_id": branch_id})
        bound._tips = self._tips
        bound._sent_system = self._sent_system
        bound._replies = self._replies
        bound._lock = threading.Lock()
        return bound

    # -- the policy (pure) ----------------------------------------------------------------------------

    def _prepare(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool) -> _Call:
        side_call = side_call or _SIDE_CALL.get()
        if side_call:
            turns = _convert.to_turns(messages)
            return _Call([Turn(t.role, t.content) for t in turns], None, True)
        messages = _convert.reattach(messages, self._reply_lookup(messages, kwargs))
        turns = _convert.to_turns(messages)
        binding = self._binding(messages, turns, kwargs)
        anchor = next((t.ref for t in reversed(turns) if t.ref is not None), None)
        conversation_id = anchor.conversation_id if anchor else binding.conversation_id if binding else None
        with self._lock:
            sent = set(self._sent_system)
        turns, _ = _convert.relocate_system(turns, conversation_id, sent)
        return _Call(turns, binding, False)

    def _reply_lookup(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> Callable[[str], TreeRef | None]:
        """Digest -> ref of a reply this LLM generated, limited to the conversation the call is bound to."""
        conversation_id = kwargs.get("conversation_id", self.conversation_id)
        if not conversation_id:
            target = next((t for t in map(_convert.target_of, reversed(messages)) if t is not None), None)
            conversation_id = target[0] if target is not None else None

        def lookup(digest: str) -> TreeRef | None:
            with self._lock:
                ref = self._replies.get(digest)
            if ref is None or (conversation_id and ref.conversation_id != conversation_id):
                return None
            return ref

        return lookup

    def _remember_reply(self, text: str, ref: TreeRef) -> None:
        with self._lock:
            digest = _convert.reply_digest(text)
            self._replies[digest] = ref
            self._replies.move_to_end(digest)
            while len(self._replies) > _REPLIES_MAX:
                self._replies.popitem(last=False)

    def _binding(
        self, messages: Sequence[ChatMessage], turns: Sequence[Turn], kwargs: dict[str, Any]
    ) -> Binding | None:
        conversation_id = kwargs.get("conversation_id", self.conversation_id)
        branch_id = kwargs.get(
            "branch_id", self.branch_id if conversation_id == self.conversation_id else None
        )
        if conversation_id:
            return Binding(conversation_id, branch_id or None)
        if any(t.ref is not None for t in turns):
            return None
        # A ChatRoutesChatStore marks the messages it holds but has not sent with their target branch.
        for message in reversed(messages):
            target = _convert.target_of(message)
            if target is not None:
                return Binding(*target)
            if message.role not in (MessageRole.USER, MessageRole.SYSTEM):
                break
        # A chat store just returned an empty branch and the engine sends a first turn: it belongs there.
        empty_read = _convert.EMPTY_STORE_READ.get()
        if empty_read is not None and all(t.role != "assistant" for t in turns):
            _convert.EMPTY_STORE_READ.set(None)
            return Binding(*empty_read)
        return None

    def _generation(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "model": kwargs.get("model", self.model),
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
        }

    def _remember_system(self, call: _Call, ref: TreeRef) -> None:
        with self._lock:
            for turn in call.turns:
                if turn.role == "system":
                    self._sent_system[_convert.system_digest(ref.conversation_id, turn.content)] = None
            while len(self._sent_system) > _SENT_SYSTEM_MAX:
                self._sent_system.popitem(last=False)

    def _response(
        self, call: _Call, ref: TreeRef | None, text: str, usage: Usage | None, model: str | None, delta: str
    ) -> ChatResponse:
        if ref is not None:
            self._remember_reply(text, ref)
        counts = _convert.usage_dict(usage)
        raw: dict[str, Any] = {"usage": counts or None, "model": model}
        if ref is not None:
            raw["chatroutes"] = ref.as_dict()
        return ChatResponse(
            message=_convert.reply_message(text, ref),
            raw=raw,
            delta=delta,
            additional_kwargs=dict(counts),
        )

    def _settle(self, call: _Call, ref: TreeRef) -> TreeRef | None:
        """After a reply: remember the system texts sent; a side call's ref is dropped (or deleted)."""
        if not call.side_call:
            self._remember_system(call, ref)
            return ref
        if self.delete_side_calls:
            self.client.conversations.delete(ref.conversation_id)
        return None

    async def _asettle(self, call: _Call, ref: TreeRef) -> TreeRef | None:
        if not call.side_call:
            self._remember_system(call, ref)
            return ref
        if self.delete_side_calls:
            await self.async_client.conversations.delete(ref.conversation_id)
        return None

    # -- sync -----------------------------------------------------------------------------------------

    def _mapper(self) -> ConversationMapper:
        return ConversationMapper(self.client, model=self.model, tips=self._tips)

    def _amapper(self) -> AsyncConversationMapper:
        return AsyncConversationMapper(self.async_client, model=self.model, tips=self._tips)

    def _chat(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool) -> ChatResponse:
        call = self._prepare(messages, kwargs, side_call)
        reply = self._mapper().send(call.turns, call.binding, **self._generation(kwargs))
        ref = self._settle(call, reply.ref)
        text = reply.message.content
        return self._response(call, ref, text, reply.usage, reply.model, text)

    def _stream_chat(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool
    ) -> ChatResponseGen:
        call = self._prepare(messages, kwargs, side_call)
        stream = self._mapper().stream(call.turns, call.binding, **self._generation(kwargs))

        def gen() -> Generator[ChatResponse, None, None]:
            text = ""
            final = None
            with stream:
                for event in stream:
                    if event.type == "content":
                        text += event.content
                        yield ChatResponse(
                            message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=event.content
                        )
                    elif event.type == "complete":
                        final = event
            assert final is not None and stream.ref is not None
            ref = self._settle(call, stream.ref)
            full = final.message.content or text
            rest = full[len(text) :] if full.startswith(text) else ""
            yield self._response(call, ref, full, final.usage, final.model or final.message.model, rest)

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
        call = self._prepare(messages, kwargs, side_call)
        reply = await self._amapper().send(call.turns, call.binding, **self._generation(kwargs))
        ref = await self._asettle(call, reply.ref)
        text = reply.message.content
        return self._response(call, ref, text, reply.usage, reply.model, text)

    def _astream_chat(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], side_call: bool
    ) -> ChatResponseAsyncGen:
        call = self._prepare(messages, kwargs, side_call)
        stream = self._amapper().stream(call.turns, call.binding, **self._generation(kwargs))

        async def gen() -> AsyncGenerator[ChatResponse, None]:
            text = ""
            final = None
            async with stream:
                async for event in stream:
                    if event.type == "content":
                        text += event.content
                        yield ChatResponse(
                            message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=event.content
                        )
                    elif event.type == "complete":
                        final = event
            assert final is not None and stream.ref is not None
            ref = await self._asettle(call, stream.ref)
            full = final.message.content or text
            rest = full[len(text) :] if full.startswith(text) else ""
            yield self._response(call, ref, full, final.usage, final.model or final.message.model, rest)

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

    # -- prompt templates: side calls, except a chat engine's answer ----------------------------------------

    def _prompt_policy(self, prompt: BasePromptTemplate) -> AbstractContextManager[None]:
        """A side call unless the template is a chat engine's answer prompt (``_convert.is_turn_prompt``)."""
        if isinstance(prompt, SelectorPromptTemplate):
            prompt = prompt.select(llm=self)
        if isinstance(prompt, ChatPromptTemplate) and _convert.is_turn_prompt(prompt.message_templates):
            return nullcontext()
        return _side_call()

    def predict(self, prompt: BasePromptTemplate, **prompt_args: Any) -> str:
        with self._prompt_policy(prompt):
            return super().predict(prompt, **prompt_args)

    def stream(self, prompt: BasePromptTemplate, **prompt_args: Any) -> TokenGen:
        with self._prompt_policy(prompt):  # stream_chat prepares the call before returning its generator
            return super().stream(prompt, **prompt_args)

    async def apredict(self, prompt: BasePromptTemplate, **prompt_args: Any) -> str:
        with self._prompt_policy(prompt):
            return await super().apredict(prompt, **prompt_args)

    async def astream(self, prompt: BasePromptTemplate, **prompt_args: Any) -> TokenAsyncGen:
        with self._prompt_policy(prompt):
            return await super().astream(prompt, **prompt_args)

    # -- structured prediction is a side call -----------------------------------------------------------

    def structured_predict(self, *args: Any, **kwargs: Any) -> Any:
        with _side_call():
            return super().structured_predict(*args, **kwargs)

    async def astructured_predict(self, *args: Any, **kwargs: Any) -> Any:
        with _side_call():
            return await super().astructured_predict(*args, **kwargs)

    def stream_structured_predict(self, *args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        inner = super().stream_structured_predict(*args, **kwargs)

        def gen() -> Generator[Any, None, None]:
            while True:
                with _side_call():
                    try:
                        item = next(inner)
                    except StopIteration:
                        return
                yield item

        return gen()

    async def astream_structured_predict(self, *args: Any, **kwargs: Any) -> AsyncGenerator[Any, None]:
        with _side_call():
            inner = await super().astream_structured_predict(*args, **kwargs)

        async def gen() -> AsyncGenerator[Any, None]:
            while True:
                with _side_call():
                    try:
                        item = await inner.__anext__()
                    except StopAsyncIteration:
                        return
                yield item

        return gen()
