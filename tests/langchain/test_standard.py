"""langchain-tests standard suites for ChatChatRoutes (unit: offline; integration: against a LocalServer).

Tool calling runs through the ``<tools>`` prompt protocol (``docs/tools.md``): the local server's offline
responder follows it for these suites. The skipped standard tests are features the ChatRoutes API lacks:
image, audio, video and PDF input (text only), expressed through the capability properties so
langchain-tests skips them with its own reason; and ``test_serdes``, which langchain-tests skips for any
model outside langchain-core's own serialisation allowlist. ``test_stream_time`` replays a cassette.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from chatroutes_core.testing import LocalServer
from langchain_chatroutes import ChatChatRoutes


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    # test_stream_time benchmarks one recorded stream by replaying it many times
    return {**vcr_config, "allow_playback_repeats": True}


class TestChatChatRoutesUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatChatRoutes]:
        return ChatChatRoutes

    @property
    def chat_model_params(self) -> dict[str, object]:
        return {"model": "gpt-5", "base_url": "http://127.0.0.1:9/api/v1"}

    @property
    def has_tool_calling(self) -> bool:
        return True  # the <tools> prompt protocol (docs/tools.md)

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, object], dict[str, object]]:
        return (
            {"CHATROUTES_API_KEY": "env-key", "CHATROUTES_BASE_URL": "http://127.0.0.1:9/api/v1"},
            {},
            {"api_key": "env-key", "base_url": "http://127.0.0.1:9/api/v1"},
        )


@pytest.mark.integration
class TestChatChatRoutesIntegration(ChatModelIntegrationTests):
    """Runs against a session LocalServer (``lc_server``) whose responder follows JSON instructions."""

    server: LocalServer

    @pytest.fixture(autouse=True)
    def _server(self, lc_server: LocalServer) -> None:
        type(self).server = lc_server

    @property
    def chat_model_class(self) -> type[ChatChatRoutes]:
        return ChatChatRoutes

    @property
    def chat_model_params(self) -> dict[str, object]:
        return {"model": "gpt-5", "api_key": self.server.api_key, "base_url": self.server.base_url}

    @property
    def has_tool_calling(self) -> bool:
        return True  # the <tools> prompt protocol (docs/tools.md)

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True  # through a JSON-schema instruction and a parser

    @property
    def supports_json_mode(self) -> bool:
        return True  # the same instruction, without requiring a schema

    @property
    def model_override_value(self) -> str:
        return "claude-sonnet-4-5"

    @property
    def enable_vcr_tests(self) -> bool:
        return True  # test_stream_time replays its cassette in cassettes/test_standard/
