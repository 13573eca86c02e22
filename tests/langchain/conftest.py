"""LangChain test fixtures: a LocalServer whose responder follows JSON instructions, and the vcr config.

The default offline responder echoes the turn, which cannot satisfy a structured-output request. The
standard integration suite therefore runs against a server whose responder behaves like an
instruction-following model for exactly one instruction: when the turn ends with ChatChatRoutes' JSON-schema
instruction, it replies with a JSON object that conforms to that schema (split into several stream pieces);
any other turn gets the ordinary echo reply.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from vcr import VCR
from vcr.serializers import yamlserializer

from chatroutes_core.server.responders import EchoResponder, ResponderRequest
from chatroutes_core.testing import LocalServer

SCHEMA_MARKER = "that conforms to this JSON schema:\n"
PLAIN_JSON_MARKER = "Reply with one JSON object only"


def example_for(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A value that conforms to ``schema`` (the subset of JSON schema pydantic and TypedDicts produce)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_for(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return example_for(options[0], defs) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        return {name: example_for(sub, defs) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_for(schema.get("items", {"type": "string"}), defs)]
    return {
        "string": "Why did the cat sit on the computer?",
        "integer": 7,
        "number": 7.5,
        "boolean": True,
        "null": None,
    }.get(kind, "value")


class InstructionFollowingResponder(EchoResponder):
    """Echo replies, except a JSON object conforming to the schema when the turn asks for one."""

    name = "instruction-following"

    def reply(self, request: ResponderRequest) -> str:
        text = request.messages[-1].content if request.messages else ""
        if SCHEMA_MARKER in text:
            schema = json.loads(text.split(SCHEMA_MARKER, 1)[1].splitlines()[0])
            return json.dumps(example_for(schema))
        if PLAIN_JSON_MARKER in text:
            return json.dumps({"reply": "ok"})
        return super().reply(request)

    async def stream(self, request: ResponderRequest) -> AsyncIterator[str]:
        text = self.reply(request)
        for start in range(0, len(text), 7):
            yield text[start : start + 7]


@pytest.fixture(scope="session")
def lc_server() -> Iterator[LocalServer]:
    """A session LocalServer with the instruction-following responder."""
    with LocalServer(responder=InstructionFollowingResponder()) as srv:
        yield srv


# --- cassettes (pytest-recording + vcrpy) ----------------------------------------------------------------
#
# cassettes/<test_module>/<test_name>.yaml, readable YAML (block-style multi-line strings, pretty JSON
# bodies), Authorization / X-API-Key scrubbed, matched on method + path + body (never host or port, so a
# cassette recorded against a LocalServer on any port replays). No record_mode here: pytest-recording's
# default `none` replays strictly; `make record` deletes the cassettes and
# passes --record-mode=once.

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ["127.0.0.1", "::1", "localhost"]
REPLAY_BASE_URL = "http://127.0.0.1:8787/api/v1"  # never contacted: vcrpy answers from the cassette
KEPT_RESPONSE_HEADERS = {"content-type"}


def _pretty_json(body: bytes | str | None) -> bytes | str | None:
    if not body:
        return body
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return body
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)


def _before_record_request(request: Any) -> Any:
    request.body = _pretty_json(request.body)
    return request


def _before_record_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {
        name: value for name, value in response["headers"].items() if name.lower() in KEPT_RESPONSE_HEADERS
    }
    body = response["body"].get("string")
    headers = response["headers"]
    content_type = " ".join(headers.get("content-type", headers.get("Content-Type", [])))
    if "json" in content_type and body:
        pretty = _pretty_json(body)
        response["body"]["string"] = pretty.encode() if isinstance(pretty, str) else pretty
    return response


class _ReadableYAML:
    """vcrpy's YAML serializer with block-style multi-line strings (SSE bodies, pretty JSON)."""

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        class Dumper(yaml.SafeDumper):
            pass

        def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
            style = "|" if "\n" in value else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        Dumper.add_representer(str, represent_str)
        return yaml.dump(cassette_dict, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=120)

    @staticmethod
    def deserialize(cassette_string: str) -> dict[str, Any]:
        return yamlserializer.deserialize(cassette_string)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_serializer("readable-yaml", _ReadableYAML)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """While recording, a cassette test talks to a LocalServer (loopback) or, with a key, the live API."""
    if config.getoption("--record-mode", "none") == "none":
        return
    live = bool(os.environ.get("CHATROUTES_API_KEY") and os.environ.get("CHATROUTES_BASE_URL"))
    for item in items:
        if item.get_closest_marker("vcr") and Path(str(item.fspath)).is_relative_to(ROOT / "tests/langchain"):
            item.add_marker(pytest.mark.enable_socket if live else pytest.mark.allow_hosts(LOOPBACK))


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": [
            ("authorization", "REDACTED"),
            ("x-api-key", "REDACTED"),
            ("idempotency-key", None),
        ],
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
        "before_record_request": _before_record_request,
        "before_record_response": _before_record_response,
        "serializer": "readable-yaml",
        "path_transformer": VCR.ensure_suffix(".yaml"),
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(ROOT / "cassettes" / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def cassette_target(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """``(base_url, api_key)``: a dummy on replay; a LocalServer (or the live API, with a key) to record."""
    if request.config.getoption("--record-mode", "none") == "none":
        yield REPLAY_BASE_URL, "replay-key"
        return
    live_key, live_url = os.environ.get("CHATROUTES_API_KEY"), os.environ.get("CHATROUTES_BASE_URL")
    if live_key and live_url:
        yield live_url, live_key
        return
    with LocalServer() as srv:
        yield srv.base_url, srv.api_key
