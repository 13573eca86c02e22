"""What ``ChatChatRoutes`` can do (its model profile) and the ``include_raw`` shape of structured output."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough

__all__ = ["PROFILE", "with_raw"]

PROFILE: dict[str, bool] = {
    "text_inputs": True,
    "text_outputs": True,
    "image_inputs": False,
    "image_url_inputs": False,
    "pdf_inputs": False,
    "audio_inputs": False,
    "video_inputs": False,
    "tool_calling": True,  # the <tools> prompt protocol (docs/tools.md)
    "tool_choice": True,
    "structured_output": True,
}


def with_raw(llm: Runnable[Any, Any], parser: Runnable[Any, Any]) -> Runnable[Any, Any]:
    """``{"raw", "parsed", "parsing_error"}``, as ``include_raw=True`` promises."""
    parse = RunnablePassthrough.assign(parsed=lambda x: parser.invoke(x["raw"]), parsing_error=lambda _: None)
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([fallback], exception_key="parsing_error")
