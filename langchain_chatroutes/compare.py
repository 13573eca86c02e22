"""``CompareModels``: one turn sent to several models, the replies on sibling branches of one conversation.

Every model gets its own branch, titled with the model's name, forked at the same point: the message the
turn follows. ``invoke(messages)`` returns ``{model: AIMessage}``; each reply carries its place in the tree
like any ``ChatChatRoutes`` reply, so continuing one is an ordinary turn on its branch::

    compare = CompareModels(models=["gpt-5", "claude-sonnet-4-5"])
    replies = compare.invoke("Explain recursion in one sentence.")
    chat = ChatChatRoutes(model="claude-sonnet-4-5")
    chat.invoke(["Explain recursion in one sentence.", replies["claude-sonnet-4-5"], "Shorter?"])

Where the branches fork, and the requests one compare of N models makes (fixed, tested; the plan is
``chatroutes_core._compare``, shared with ``chatroutes compare``):

- a new conversation (no ``conversation_id``, no ChatRoutes reply in the messages): create it, create N
  branches on its empty main branch, send on each: ``1 + 2N``;
- ``conversation_id=`` and no ChatRoutes reply in the messages: N branches forked at the main branch's tip
  (``POST .../branches`` without a base message), N sends: ``2N``;
- the messages end after a ChatRoutes reply (say, one of an earlier compare): N forks at that reply, then per
  branch one read of the fresh branch (its tip) and one send: ``3N``.

The branches are created first, one after another, so they all fork at the same message; the sends then
run concurrently (threads for ``invoke``, tasks for ``ainvoke``). The whole message list goes to every model
exactly as ``ChatChatRoutes`` would send it on that branch. An unknown model name raises
``UnsupportedModelError`` when the runnable is built, before any request. Continuing a reply with
``compare.chat_model(model)`` (the model that wrote it, which knows the branch tip) is one request; with
another ``ChatChatRoutes`` it is two (one read decides the tip).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from langchain_core.callbacks.manager import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, convert_to_messages
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from langchain_core.runnables.config import patch_config
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from chatroutes_core.errors import UnsupportedModelError
from chatroutes_core.flows import Flow, arun, run
from chatroutes_core.integration import (
    ClientSettings,
    check_models,
    compare_title,
    plan_compare,
)
from chatroutes_core.integration import CompareTarget as Target

from ._convert import BRANCH_KEY, CONVERSATION_KEY
from .chat_models import ChatChatRoutes

__all__ = ["CompareModels", "UnsupportedModelError"]


def _fork_point(messages: Sequence[BaseMessage]) -> tuple[str, str] | None:
    """(conversation, message) of the last ChatRoutes reply in the list: where the compare forks."""
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            ref = message.response_metadata.get("chatroutes")
            if isinstance(ref, Mapping) and ref.get("conversation_id") and ref.get("message_id"):
                return str(ref["conversation_id"]), str(ref["message_id"])
    return None


def _plan(
    models: Sequence[str], messages: Sequence[BaseMessage], conversation_id: str | None
) -> Flow[Target]:
    text = next((str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    fork_at = _fork_point(messages)
    return plan_compare(models, title=compare_title(text), conversation_id=conversation_id, fork_at=fork_at)


# --- the runnable -----------------------------------------------------------------------------------


class CompareModels(RunnableSerializable[Any, dict[str, AIMessage]]):
    """Send the same turn to several models; each reply lands on its own sibling branch.

    Args:
        models: ChatRoutes model aliases (see ``chatroutes_core.SUPPORTED_MODELS``), each at most once.
        conversation_id: compare inside this conversation (forks at its main branch's tip) instead of a new
            one. When the messages end after a ChatRoutes reply, the compare forks at that reply.
        client / async_client: core clients for the fork requests (the sends go through one
            ``ChatChatRoutes`` per model, with the same key and base URL).
        api_key / base_url: as for ``ChatChatRoutes`` (default ``$CHATROUTES_API_KEY``,
            ``$CHATROUTES_BASE_URL``).
        temperature / max_tokens: passed to every model.

    Example:
        >>> compare = CompareModels(models=["gpt-5", "claude-sonnet-4-5"])
        >>> replies = compare.invoke("Explain recursion in one sentence.")
        >>> {m: r.response_metadata["chatroutes"]["branch_id"] for m, r in replies.items()}  # a branch each
        {'gpt-5': 'br_...', 'claude-sonnet-4-5': 'br_...'}
        >>> len({r.response_metadata["chatroutes"]["conversation_id"] for r in replies.values()})
        1
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    models: list[str]
    conversation_id: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    base_url: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    client: Any = Field(default=None, exclude=True, repr=False)
    async_client: Any = Field(default=None, exclude=True, repr=False)

    _chats: dict[str, ChatChatRoutes] = PrivateAttr(default_factory=dict)

    def __init__(self, models: Sequence[str], **options: Any) -> None:
        checked = check_models(models)  # before pydantic, so the caller gets our error, not a wrapper
        key = options.get("api_key")
        if isinstance(key, str):
            options["api_key"] = SecretStr(key)
        super().__init__(models=checked, **options)

    def _settings(self) -> ClientSettings:
        """Key and URL: explicit, else the given client's, else the environment (the clients decide)."""
        key: Any = self.api_key  # a plain str too after an assignment (fields are not validated on it)
        settings = ClientSettings.given_or(self.client, self.async_client, key, self.base_url)
        if key is None and self.base_url is None:
            return settings
        return replace(settings, api_key=key or settings.api_key, base_url=self.base_url or settings.base_url)

    def chat_model(self, model: str) -> ChatChatRoutes:
        """The ``ChatChatRoutes`` that sends for `model` (one per model, reused across calls)."""
        if model not in self._chats:
            settings = self._settings()
            options: dict[str, Any] = {"api_key": settings.api_key, "base_url": settings.base_url}
            options = {name: value for name, value in options.items() if value is not None}
            if self.temperature is not None:
                options["temperature"] = self.temperature
            if self.max_tokens is not None:
                options["max_tokens"] = self.max_tokens
            # the chat models share this runnable's clients (or the process-wide ones): one pool
            self._chats[model] = ChatChatRoutes(
                model=model, client=self.client, async_client=self.async_client, **options
            )
        return self._chats[model]

    def _sync_client(self) -> Any:
        return self._settings().sync()

    def _async_client(self) -> Any:
        return self._settings().async_()

    @staticmethod
    def _messages(input: Any) -> list[BaseMessage]:
        if isinstance(input, PromptValue):
            return input.to_messages()
        if isinstance(input, str):
            return [HumanMessage(input)]
        return convert_to_messages(input)

    @staticmethod
    def _bound(config: RunnableConfig, conversation_id: str, branch_id: str) -> RunnableConfig:
        configurable = {
            **config.get("configurable", {}),
            CONVERSATION_KEY: conversation_id,
            BRANCH_KEY: branch_id,
        }
        return patch_config(config, configurable=configurable)

    # sync -------------------------------------------------------------------------------------------

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> dict[str, AIMessage]:
        return self._call_with_config(self._run, input, config, **kwargs)

    def _run(
        self, input: Any, run_manager: CallbackManagerForChainRun, config: RunnableConfig
    ) -> dict[str, AIMessage]:
        messages = self._messages(input)
        plan = _plan(self.models, messages, self.conversation_id)
        child = patch_config(config, callbacks=run_manager.get_child())
        conversation_id, branches = run(plan, self._sync_client())

        def send(model: str, branch_id: str) -> AIMessage:
            bound = self._bound(child, conversation_id, branch_id)
            reply = self.chat_model(model).invoke(messages, config=bound)
            assert isinstance(reply, AIMessage)
            return reply

        if len(branches) == 1:
            return {branches[0][0]: send(*branches[0])}
        with ThreadPoolExecutor(max_workers=len(branches)) as pool:
            futures = {model: pool.submit(send, model, branch) for model, branch in branches}
            return {model: future.result() for model, future in futures.items()}

    # async ------------------------------------------------------------------------------------------

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, AIMessage]:
        return await self._acall_with_config(self._arun, input, config, **kwargs)

    async def _arun(
        self, input: Any, run_manager: AsyncCallbackManagerForChainRun, config: RunnableConfig
    ) -> dict[str, AIMessage]:
        messages = self._messages(input)
        plan = _plan(self.models, messages, self.conversation_id)
        child = patch_config(config, callbacks=run_manager.get_child())
        conversation_id, branches = await arun(plan, self._async_client())

        async def send(model: str, branch_id: str) -> AIMessage:
            bound = self._bound(child, conversation_id, branch_id)
            reply = await self.chat_model(model).ainvoke(messages, config=bound)
            assert isinstance(reply, AIMessage)
            return reply

        replies = await asyncio.gather(*(send(model, branch) for model, branch in branches))
        return dict(zip([model for model, _ in branches], replies, strict=True))

    def close(self) -> None:
        """Nothing to close: the runnable uses the clients given, or the process-wide shared ones."""
