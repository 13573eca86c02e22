"""``ChatChatRoutes``: a LangChain chat model whose message lists are paths in the ChatRoutes tree.

Each call converts the messages (``_convert``), lets the shared mapper (``chatroutes_core.mapper``) decide
whether to continue a branch, fork, send to a bound branch or start a conversation, and converts the reply
back. Every reply's ``id`` is its ChatRoutes message id and ``response_metadata["chatroutes"]`` holds
``conversation_id``, ``branch_id`` and ``message_id``, so passing it back continues the branch in one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import ensure_config
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from chatroutes_core import DEFAULT_MODEL, check_model
from chatroutes_core import tools as protocol
from chatroutes_core.errors import ChatRoutesError
from chatroutes_core.integration import ClientSettings, check_generation
from chatroutes_core.mapper import (
    AsyncConversationMapper,
    Binding,
    ConversationMapper,
    MappedReply,
    TipCache,
    Turn,
    check_binding,
)
from langchain_chatroutes._convert import (
    BRANCH_KEY,
    CONVERSATION_KEY,
    PROVIDER,
    apply_stop,
    instruction_turn,
    messages_to_turns,
    reply_to_message,
    reply_turn,
    with_ref,
)
from langchain_chatroutes._errors import to_model_error
from langchain_chatroutes._stream import ChunkShaper
from langchain_chatroutes._structured import PROFILE, format_instruction, structured_output
from langchain_chatroutes._tokens import count_message_tokens, count_text_tokens
from langchain_chatroutes._tools import (
    CHOICE_KWARG,
    PARALLEL_KWARG,
    TOOLS_KWARG,
    BoundTools,
    bound_tools,
    format_tools,
    tool_calls,
    tool_metadata,
)

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import _ChatModelBinding
    from langchain_core.language_models.model_profile import ModelProfile

    from chatroutes_core.integration import ChatRoutesClient

__all__ = ["ChatChatRoutes"]

_CONFIG_KEYS = ((CONVERSATION_KEY, "conversation_id"), (BRANCH_KEY, "branch_id"))
_CALL_OPTIONS = ("timeout", "extra_headers", "extra_body")


class ChatChatRoutes(BaseChatModel):
    """ChatRoutes chat model: conversations are trees, and a message list is a path in one.

    Setup:
        ``pip install -e '.[langchain]'`` (from a checkout) and set ``CHATROUTES_API_KEY`` (and
        ``CHATROUTES_BASE_URL`` for a local server: ``chatroutes serve``).

    Example:
        >>> from langchain_chatroutes import ChatChatRoutes
        >>> model = ChatChatRoutes(model="gpt-5")
        >>> reply = model.invoke("Name three rivers.")
        >>> reply.response_metadata["chatroutes"]
        {'conversation_id': 'conv_...', 'branch_id': 'br_...', 'message_id': 'msg_...', ...}
        >>> model.invoke(["Name three rivers.", reply, "Which is longest?"]).id  # one request, same branch
        'msg_...'

    A binding (``conversation_id``/``branch_id`` fields, per-call keyword arguments, or the run config's
    ``configurable["chatroutes_conversation_id"]``/``["chatroutes_branch_id"]``; generic keys such as
    ``conversation_id`` or ``thread_id`` are never read) names the branch to write to; with no binding
    and no earlier ChatRoutes reply in the list, a new conversation is created and the list sent as one
    transcript.

    Pydantic wraps a ``ValueError`` raised by a validator in its own ``ValidationError``, which is not a
    ``ChatRoutesError``; so our checks run after validation. An unknown ``model`` raises
    ``UnsupportedModelError`` from ``__init__`` (and, after ``m.model = ...`` or ``model_copy``, at the next
    call, before any request); a ``branch_id`` without its ``conversation_id`` is refused with the core's
    ``MappingError`` at the first ``bind``/``bind_tools``/``with_structured_output`` or call.
    """

    model_config = ConfigDict(populate_by_name=True)

    model: str = Field(default=DEFAULT_MODEL, alias="model_name")
    """Model alias, e.g. ``gpt-5`` or ``claude-sonnet-4-5``."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("CHATROUTES_API_KEY", default=None), repr=False
    )
    """ChatRoutes API key (env ``CHATROUTES_API_KEY``)."""
    base_url: str | None = Field(default_factory=from_env("CHATROUTES_BASE_URL", default=None))
    """API base URL ending in ``/api/v1`` (env ``CHATROUTES_BASE_URL``; default the public API)."""
    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float | None = None
    """Request timeout in seconds (``None``: the client's default)."""
    max_retries: int = 2
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences, applied on the client (the API has no stop parameter)."""
    streaming: bool = False
    conversation_id: str | None = None
    """Conversation to write to (a binding); ``None``: decided per call."""
    branch_id: str | None = None
    """Branch to write to (needs ``conversation_id``)."""

    sync_client: Any = Field(default=None, alias="client", exclude=True, repr=False)
    """A ``ChatRoutesClient`` to use (then no key or URL is needed); default: the shared client."""
    async_client: Any = Field(default=None, exclude=True, repr=False)
    """An ``AsyncChatRoutesClient`` to use; default: the shared client of the running event loop."""

    _tips: TipCache = PrivateAttr(default_factory=TipCache)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_model(self.model)  # here, not in a validator: pydantic would wrap our error in its own
        check_generation({"temperature": self.temperature, "max_tokens": self.max_tokens})

    @property
    def model_name(self) -> str:
        """The model alias (same as ``model``)."""
        return self.model

    @property
    def _llm_type(self) -> str:
        return "chatroutes-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": self.base_url,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "conversation_id": self.conversation_id,
            "branch_id": self.branch_id,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=PROVIDER, ls_model_name=kwargs.get("model") or self.model, ls_model_type="chat"
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stops := stop or self.stop:
            params["ls_stop"] = stops
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        return dict(PROFILE)  # type: ignore[return-value]

    # --- token counts (offline estimates, ``_tokens``) -----------------------------------------------

    def get_num_tokens(self, text: str) -> int:
        """An offline estimate of ``text``'s token count (no download; its error: docs/langchain.md)."""
        return count_text_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """An offline estimate of the prompt size of ``messages`` (what ``trim_messages`` asks the model)."""
        return count_message_tokens(messages, tools)

    # --- clients (resolved from the fields on every call: a change or a copy is followed) ---------------

    def _settings(self) -> ClientSettings:
        key: Any = self.api_key  # a plain str too: fields are not validated again on assignment
        return ClientSettings(key, self.base_url, self.timeout, self.max_retries,
                              client=self.sync_client, async_client=self.async_client)  # fmt: skip

    @property
    def client(self) -> ChatRoutesClient:
        """The sync core client: the one given, else the process-wide shared one for these options."""
        return self._settings().sync()

    def _get_mapper(self) -> ConversationMapper:
        # Nothing cached (a cache outlived `default_provider.close()` and a fork's reset); the settings path
        # costs a few microseconds a call (docs/refactor-figures.md).
        return ConversationMapper(self._settings().sync(), model=self.model, tips=self._tips)

    def _get_async_mapper(self) -> AsyncConversationMapper:
        # Shared async clients are per event loop (an httpx.AsyncClient's pool belongs to one loop).
        return AsyncConversationMapper(self._settings().async_(), model=self.model, tips=self._tips)

    # --- binding from config (DESIGN.md point 6) -------------------------------------------------------

    @staticmethod
    def _with_binding(config: RunnableConfig | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        configurable = ensure_config(config).get("configurable") or {}
        for key, name in _CONFIG_KEYS:
            if kwargs.get(name) is None and isinstance(configurable.get(key), str):
                kwargs[name] = configurable[key]
        return kwargs

    def invoke(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        return super().invoke(input, config, stop=stop, **self._with_binding(config, kwargs))

    async def ainvoke(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        return await super().ainvoke(input, config, stop=stop, **self._with_binding(config, kwargs))

    def stream(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[AIMessageChunk]:
        yield from super().stream(input, config, stop=stop, **self._with_binding(config, kwargs))

    async def astream(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[AIMessageChunk]:
        async for chunk in super().astream(input, config, stop=stop, **self._with_binding(config, kwargs)):
            yield chunk

    # --- one call: convert, map, convert back ----------------------------------------------------------

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[list[Turn], Binding, dict[str, Any], list[str]]:
        check_binding(self.conversation_id, self.branch_id)  # the model's own, whatever the call names
        turns = messages_to_turns(messages)  # the whole list: every message is proven or sent
        tools = bound_tools(kwargs)
        if instruction := format_instruction(kwargs, tools=tools is not None):
            turns.append(instruction_turn(turns, instruction))
        if tools is not None:
            # The declaration is system text: the core rule sends it when it differs from the one in force.
            turns.append(Turn("system", tools.system_text))
        self._with_binding(None, kwargs)  # inside a chain, the context's config carries the binding
        conversation_id = kwargs.get("conversation_id") or self.conversation_id
        branch_id = kwargs.get("branch_id") or (
            self.branch_id if conversation_id == self.conversation_id else None
        )
        binding = Binding(conversation_id, branch_id)
        generation = {
            "model": check_model(kwargs.get("model") or self.model),
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            # per-call options (through bind(...) or call kwargs), applied to the send
            **{key: kwargs[key] for key in _CALL_OPTIONS if kwargs.get(key) is not None},
        }
        return turns, binding, generation, list(stop if stop is not None else self.stop or [])

    @staticmethod
    def _result(reply: MappedReply, stops: list[str], tools: BoundTools | None) -> ChatResult:
        content = reply.message.content
        parsed = protocol.parse_reply(content, reply.message.id, tools.names) if tools else None
        text, stopped = apply_stop(parsed.text if parsed else content, stops)
        message = reply_to_message(reply.ref, reply.message, reply.usage, reply.model, text=text,
                                   stopped=stopped)  # fmt: skip
        if parsed is not None and tools is not None:
            message.tool_calls, message.invalid_tool_calls = tool_calls(parsed)
            tool_metadata(message.response_metadata, tools, parsed.tool_calls)
        with_ref(message, reply.seal(reply_turn(message)))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        turns, binding, generation, stops = self._prepare(messages, stop, kwargs)
        mapper = self._get_mapper()
        plan = mapper.plan(turns, binding)  # bad input raises here, before any request; planned once
        try:
            reply = mapper.send(turns, binding, plan=plan, **generation)
        except ChatRoutesError as exc:
            raise to_model_error(exc) from exc
        return self._result(reply, stops, bound_tools(kwargs))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        turns, binding, generation, stops = self._prepare(messages, stop, kwargs)
        mapper = self._get_async_mapper()
        plan = mapper.plan(turns, binding)
        try:
            reply = await mapper.send(turns, binding, plan=plan, **generation)
        except ChatRoutesError as exc:
            raise to_model_error(exc) from exc
        return self._result(reply, stops, bound_tools(kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        turns, binding, generation, stops = self._prepare(messages, stop, kwargs)
        shaper = ChunkShaper(stops, bound_tools(kwargs))
        try:
            with self._get_mapper().stream(turns, binding, **generation) as stream:
                for event in stream:
                    for chunk in shaper.chunks(stream, event):
                        if run_manager and chunk.text:
                            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
        except ChatRoutesError as exc:
            raise to_model_error(exc) from exc

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        turns, binding, generation, stops = self._prepare(messages, stop, kwargs)
        shaper = ChunkShaper(stops, bound_tools(kwargs))
        try:
            async with self._get_async_mapper().stream(turns, binding, **generation) as stream:
                async for event in stream:
                    for chunk in shaper.chunks(stream, event):
                        if run_manager and chunk.text:
                            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
        except ChatRoutesError as exc:
            raise to_model_error(exc) from exc

    # --- tools and structured output ---------------------------------------------------------------------

    def bind(self, **kwargs: Any) -> _ChatModelBinding:
        check_binding(self.conversation_id, self.branch_id)  # refuse a branch without its conversation here
        format_instruction(kwargs, tools=False)  # an unsupported response_format: UsageError, now
        return super().bind(**kwargs)

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools, declared to the model in system text (the ``<tools>`` protocol, ``docs/tools.md``).

        Args:
            tools: anything ``langchain-core`` accepts: functions, ``BaseTool``, pydantic models, dicts.
            tool_choice: ``"auto"`` (default), ``"none"``, ``"any"``/``"required"``, or a tool name. When a
                call is required and the reply makes none, the reply is returned as it is with
                ``response_metadata["chatroutes_tool_choice_unmet"] = True`` (no retry is sent, so nothing
                is added to the branch that the caller did not ask for).
            parallel_tool_calls: ``False`` asks for one call per reply.
            strict: passed to ``convert_to_openai_tool``.

        Replies carry ``tool_calls`` (ids derived from the ChatRoutes message id and the call's position)
        and ``invalid_tool_calls`` (unparsable blocks, undeclared tools). ``ToolMessage`` results go back
        as the next user turn, one ``<tool_response>`` block each: one request per agent step.
        """
        formatted = format_tools(tools, strict=strict)
        bound = bound_tools({TOOLS_KWARG: formatted, CHOICE_KWARG: tool_choice})  # validates before binding
        assert bound is not None or not formatted
        return self.bind(
            **{TOOLS_KWARG: formatted, CHOICE_KWARG: bound.choice if bound else None,
               PARALLEL_KWARG: parallel_tool_calls},
            **kwargs,
        )  # fmt: skip

    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | Callable[..., Any] | None = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Structured replies via a JSON-schema instruction and a parser (the API has no JSON mode or tools).

        ``json_schema`` and ``json_mode`` send the schema (if any) as a system instruction at the end of the
        turn and parse the reply as JSON (into the pydantic class when ``schema`` is one);
        ``function_calling`` declares the schema as a tool and forces a call of it. A list that ends with an
        assistant message (e.g. an agent's final answer) gets the instruction as the new turn of its own.
        ``strict`` is accepted for compatibility; parsing is always strict about JSON. An unknown
        ``method``, an extra argument or an unreadable schema is a ``UsageError`` (a ``ValueError``).
        """
        return structured_output(
            self, schema, method=method, include_raw=include_raw, strict=strict, kwargs=kwargs
        )
