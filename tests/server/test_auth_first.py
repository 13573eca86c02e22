"""A request without a known key is answered 401 before anything reads its body or its route."""

from __future__ import annotations

import httpx
import pytest

from chatroutes_core.testing import LocalServer

BAD_BODIES = [b"{not json", b'{"content": 5}', b"x" * 2_000_000]


@pytest.mark.parametrize("body", BAD_BODIES, ids=["malformed", "invalid-field", "too-large"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "ApiKey wrong"}], ids=["no-key", "bad-key"])
def test_no_key_is_a_401_whatever_the_body(
    local_server: LocalServer, body: bytes, headers: dict[str, str]
) -> None:
    response = httpx.post(
        f"{local_server.base_url}/conversations/conv_x/messages",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert "API key" in response.json()["error"]


def test_with_a_key_the_same_bodies_are_400_and_413(local_server: LocalServer) -> None:
    auth = {"Authorization": f"ApiKey {local_server.api_key}", "Content-Type": "application/json"}
    conv = httpx.post(f"{local_server.base_url}/conversations", json={"title": "t"}, headers=auth)
    cid = conv.json()["data"]["conversation"]["id"]
    url = f"{local_server.base_url}/conversations/{cid}/messages"
    assert httpx.post(url, content=b"{not json", headers=auth).status_code == 400
    assert httpx.post(url, content=b'{"content": 5}', headers=auth).status_code == 400
    assert httpx.post(url, content=b"x" * 2_000_000, headers=auth).status_code == 413


def test_the_openapi_document_needs_no_key(local_server: LocalServer) -> None:
    root = local_server.base_url.removesuffix("/api/v1")
    assert httpx.get(f"{root}/openapi.json").status_code == 200


def test_the_health_check_answers_with_or_without_a_key(local_server: LocalServer) -> None:
    url = f"{local_server.base_url}/autobranch/health"
    for headers in ({}, {"Authorization": f"ApiKey {local_server.api_key}"}):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["status"] == "healthy"
