"""The side-call policy: LlamaIndex's own helper prompts never land in a user's branch.

LlamaIndex sends helper prompts through the same LLM: condensing a question (``complete``), selectors
and query-engine synthesizers (``predict``/``stream`` with a prompt template), structured prediction. Each
of those is a *side call*: a one-shot conversation of its own, even on a bound LLM. The one prompt template
that is a user's turn is a chat engine's answer prompt (``_convert.is_turn_prompt``); it goes through
``chat``.

The mark travels down one call stack (``predict`` -> ``LLM.predict`` -> ``self.chat``) in a context variable
that this module sets and resets around the call; it never crosses objects.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from llama_index.core.prompts import BasePromptTemplate, ChatPromptTemplate, SelectorPromptTemplate
from llama_index.core.types import TokenAsyncGen, TokenGen

from llama_index_chatroutes import _convert

if TYPE_CHECKING:
    from llama_index.core.llms.llm import LLM

    _Base = LLM
else:
    _Base = object

_SIDE_CALL: ContextVar[bool] = ContextVar("chatroutes_side_call", default=False)


def in_side_call() -> bool:
    """Whether the current call stack is inside a side call."""
    return _SIDE_CALL.get()


@contextmanager
def side_call() -> Iterator[None]:
    token = _SIDE_CALL.set(True)
    try:
        yield
    finally:
        _SIDE_CALL.reset(token)


class SideCallPolicy(_Base):
    """Mixed into ``ChatRoutes``: prompt templates and structured prediction are side calls."""

    def _prompt_policy(self, prompt: BasePromptTemplate) -> AbstractContextManager[None]:
        """A side call unless the template is a chat engine's answer prompt (``_convert.is_turn_prompt``)."""
        if isinstance(prompt, SelectorPromptTemplate):
            prompt = prompt.select(llm=self)
        if isinstance(prompt, ChatPromptTemplate) and _convert.is_turn_prompt(prompt.message_templates):
            return nullcontext()
        return side_call()

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

    def structured_predict(self, *args: Any, **kwargs: Any) -> Any:
        with side_call():
            return super().structured_predict(*args, **kwargs)

    async def astructured_predict(self, *args: Any, **kwargs: Any) -> Any:
        with side_call():
            return await super().astructured_predict(*args, **kwargs)

    def stream_structured_predict(self, *args: Any, **kwargs: Any) -> Generator[Any, None, None]:
        inner = super().stream_structured_predict(*args, **kwargs)

        def gen() -> Generator[Any, None, None]:
            while True:
                with side_call():
                    try:
                        item = next(inner)
                    except StopIteration:
                        return
                yield item

        return gen()

    async def astream_structured_predict(self, *args: Any, **kwargs: Any) -> AsyncGenerator[Any, None]:
        with side_call():
            inner = await super().astream_structured_predict(*args, **kwargs)

        async def gen() -> AsyncGenerator[Any, None]:
            while True:
                with side_call():
                    try:
                        item = await inner.__anext__()
                    except StopAsyncIteration:
                        return
                yield item

        return gen()
