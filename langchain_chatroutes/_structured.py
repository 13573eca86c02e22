"""Structured output with no JSON mode: the model profile, the format instruction, ``with_structured_output``.

The API has no JSON mode and no native tools, so every structured-output route ends in the same place: a
system instruction carrying the JSON schema, sent at the end of the turn, and a parser. Three routes reach it:
``with_structured_output`` (an instruction bound under :data:`INSTRUCTION_KWARG`), an OpenAI-style
``response_format`` bound with ``bind``/``bind_tools`` (what ``create_agent``'s ``ProviderStrategy`` sends),
and ``method="function_calling"`` (a forced call of one declared tool, ``docs/tools.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.pydantic import is_basemodel_subclass

from chatroutes_core.errors import UsageError
from langchain_chatroutes._convert import json_instruction
from langchain_chatroutes._tools import as_usage_errors, format_tools

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

__all__ = [
    "INSTRUCTION_KWARG",
    "PROFILE",
    "RESPONSE_FORMAT_KWARG",
    "format_instruction",
    "structured_output",
    "with_raw",
]

INSTRUCTION_KWARG = "chatroutes_json_instruction"
RESPONSE_FORMAT_KWARG = "response_format"

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
    # A bound `response_format` (json_schema or json_object, what create_agent's ProviderStrategy binds) is
    # sent as the schema instruction, with or without tools (format_instruction below).
    "structured_output": True,
}


def _schema_of(response_format: object) -> dict[str, Any] | None:
    """The JSON schema an OpenAI-style ``response_format`` asks for (None: any JSON object).

    Raises:
        UsageError: anything else (``{"type": "text"}`` included: it asks for no format, so leave it out).
    """
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if kind == "json_object":
            return None
        spec = response_format.get("json_schema")
        if kind == "json_schema" and isinstance(spec, Mapping) and isinstance(spec.get("schema"), Mapping):
            return dict(spec["schema"])
    elif isinstance(response_format, type) and is_basemodel_subclass(response_format):
        return convert_to_json_schema(response_format)
    raise UsageError(
        f"Unsupported response_format {response_format!r}: pass {{'type': 'json_schema', 'json_schema': "
        "{'name': ..., 'schema': {...}}}, {'type': 'json_object'} or a pydantic class"
    )


def format_instruction(kwargs: Mapping[str, Any], *, tools: bool) -> str | None:
    """The JSON instruction a call carries (``with_structured_output``'s, or its ``response_format``'s).

    With tools bound, the instruction leaves the model free to call a tool first (an agent's loop).

    Raises:
        UsageError: an unsupported ``response_format`` (checked when it is bound, too).
    """
    if instruction := kwargs.get(INSTRUCTION_KWARG):
        return str(instruction)
    if (response_format := kwargs.get(RESPONSE_FORMAT_KWARG)) is None:
        return None
    return json_instruction(_schema_of(response_format), after_tools=tools)


def with_raw(llm: Runnable[Any, Any], parser: Runnable[Any, Any]) -> Runnable[Any, Any]:
    """``{"raw", "parsed", "parsing_error"}``, as ``include_raw=True`` promises."""
    parse = RunnablePassthrough.assign(parsed=lambda x: parser.invoke(x["raw"]), parsing_error=lambda _: None)
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([fallback], exception_key="parsing_error")


def structured_output(
    model: BaseChatModel,
    schema: Mapping[str, Any] | type | Callable[..., Any] | None,
    *,
    method: Literal["json_schema", "function_calling", "json_mode"],
    include_raw: bool,
    strict: bool | None,
    kwargs: Mapping[str, Any],
) -> Runnable[Any, Any]:
    """``ChatChatRoutes.with_structured_output`` (see its docstring)."""
    if kwargs:
        raise UsageError(f"Received unsupported arguments {sorted(kwargs)}")
    if method not in ("json_schema", "function_calling", "json_mode"):
        raise UsageError(f"Unknown method {method!r}: use json_schema, function_calling or json_mode")
    if schema is None and method != "json_mode":
        raise UsageError(f"schema is required for method={method!r}")
    schema_input: Any = dict(schema) if isinstance(schema, Mapping) else schema
    with as_usage_errors():  # a schema langchain-core cannot read
        json_schema = convert_to_json_schema(schema_input) if schema is not None else None
    is_model = isinstance(schema, type) and is_basemodel_subclass(schema)
    if method == "function_calling":
        tool = format_tools([schema_input], strict=strict)[0]
        name = tool["function"]["name"]
        llm: Runnable[Any, Any] = model.bind_tools([tool], tool_choice=name, ls_structured_output_format={
            "kwargs": {"method": method, "strict": strict}, "schema": tool})  # fmt: skip
        parser: Runnable[Any, Any] = (
            PydanticToolsParser(tools=[schema_input], first_tool_only=True)
            if is_model
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
        return with_raw(llm, parser) if include_raw else llm | parser
    llm = model.bind(
        **{INSTRUCTION_KWARG: json_instruction(json_schema)},
        ls_structured_output_format={
            "kwargs": {"method": method, "strict": strict},
            "schema": json_schema if json_schema is not None else {"type": "object"},
        },
    )
    parser = PydanticOutputParser(pydantic_object=schema) if is_model else JsonOutputParser()
    return with_raw(llm, parser) if include_raw else llm | parser
