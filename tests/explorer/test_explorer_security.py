"""The explorer's locks: one-time token, cookie flags, 401 without it, CSRF, CSP on every response, no key."""

from __future__ import annotations

import logging
from contextlib import closing

import httpx
import pytest
from explorer_helpers import ExplorerThread, seed

from chatroutes_core.explorer.app import STATIC
from chatroutes_core.explorer.security import CSP, Sessions
from chatroutes_core.testing import LocalServer

pytestmark = pytest.mark.integration

PAGES = ["/", "/c/conv_x", "/c/conv_x/b/br_y", "/c/conv_x/b/br_y/m/msg_z", "/static/index.html"]
API = ["/explorer/api/session", "/explorer/api/conversations", "/explorer/api/conversations/conv_x/graph"]


def _assert_locked(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_without_the_cookie_every_page_and_api_route_is_401(explorer: ExplorerThread) -> None:
    with httpx.Client(base_url=explorer.url) as anonymous:
        for path in PAGES + API:
            answer = anonymous.get(path)
            assert answer.status_code == 401, path
            _assert_locked(answer)
        assert "open the link printed by" in anonymous.get("/").text.lower().replace("<code>", "")


def test_the_token_is_single_use_and_becomes_an_httponly_strict_cookie(api_server: LocalServer) -> None:
    from explorer_helpers import explorer_for

    thread = ExplorerThread(explorer_for(api_server)).start()
    try:
        with httpx.Client(base_url=thread.url) as first, httpx.Client(base_url=thread.url) as second:
            assert first.get("/?token=not-the-token", follow_redirects=False).status_code == 401
            answer = first.get(thread.link, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"] == "/"
            cookie = answer.headers["set-cookie"]
            assert cookie.startswith("cr_explorer=")
            flags = {part.strip().lower() for part in cookie.split(";")[1:]}
            assert {"httponly", "samesite=strict", "path=/"} <= flags
            _assert_locked(answer)
            assert first.get("/").status_code == 200  # the cookie works
            assert second.get(thread.link, follow_redirects=False).status_code == 401  # used once, gone
            assert second.get("/explorer/api/session").status_code == 401
            # the same browser reloading the used link is sent to / (token dropped), still signed in
            assert first.get(thread.link, follow_redirects=False).status_code == 303
    finally:
        thread.stop()


def test_state_changing_requests_need_the_csrf_token(
    explorer: ExplorerThread, api_server: LocalServer
) -> None:
    ids = seed(api_server, "csrf")
    http, csrf = explorer.signed_in()
    base = f"/explorer/api/conversations/{ids['cid']}"
    attempts = [
        ("POST", f"{base}/fork", {"messageId": ids["reply1"]}),
        ("PATCH", f"{base}/branches/{ids['fork']}", {"title": "renamed"}),
        ("DELETE", f"{base}/branches/{ids['fork']}", None),
        ("POST", f"{base}/branches/{ids['fork']}/checkpoint", None),
        ("POST", f"{base}/send", {"branchId": ids["main"], "content": "x"}),
    ]
    with closing(http):
        for method, path, body in attempts:
            for headers in ({}, {"X-CSRF-Token": "wrong"}):
                answer = http.request(method, path, json=body, headers=headers)
                assert answer.status_code == 403, (method, path, headers)
                assert answer.json()["error"]["status"] == 403
                _assert_locked(answer)
        # nothing was changed by the refused requests
        graph = http.get(f"{base}/graph").json()
        assert [b["title"] for b in graph["branches"]] == ["main", "alt"]
        ok = http.patch(
            f"{base}/branches/{ids['fork']}", json={"title": "renamed"}, headers={"X-CSRF-Token": csrf}
        )
        assert ok.status_code == 200 and ok.json()["title"] == "renamed"


def test_every_response_carries_the_csp(explorer: ExplorerThread, api_server: LocalServer) -> None:
    ids = seed(api_server, "csp")
    http, csrf = explorer.signed_in()
    with closing(http):
        answers = [http.get(p) for p in PAGES]
        answers += [http.get(f"/static/{p.name}") for p in STATIC.iterdir() if p.is_file()]
        answers += [http.get(p) for p in API]  # the last one is an upstream 404
        answers.append(http.get("/static/nope.js"))
        answers.append(http.get("/no/such/page"))
        answers.append(http.get(f"/explorer/api/conversations/{ids['cid']}/graph"))
        answers.append(
            http.post(
                f"/explorer/api/conversations/{ids['cid']}/send",
                json={"branchId": ids["main"], "content": "csp"},
                headers={"X-CSRF-Token": csrf},
            )
        )
        assert {a.status_code for a in answers} >= {200, 404}
        for answer in answers:
            _assert_locked(answer)
            assert "<script>" not in answer.text.lower() or answer.request.url.path.endswith(".js")
    index = (STATIC / "index.html").read_text(encoding="utf-8").lower()
    assert "<script>" not in index and " style=" not in index and "<style" not in index  # no inline code


def test_the_api_key_never_reaches_a_page_an_asset_a_url_or_a_log(
    explorer: ExplorerThread, api_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = seed(api_server, "key hunt")
    key = api_server.api_key
    http, csrf = explorer.signed_in()
    with closing(http):
        answers = [http.get(p) for p in PAGES]
        answers += [http.get(f"/static/{p.name}") for p in STATIC.iterdir() if p.is_file()]
        base = f"/explorer/api/conversations/{ids['cid']}"
        answers += [
            http.get("/explorer/api/session"),
            http.get("/explorer/api/conversations"),
            http.get(f"{base}/graph"),
            http.get(f"{base}/branches/{ids['fork']}/history"),
            http.get(f"/explorer/api/compare?cid={ids['cid']}&branches={ids['main']},{ids['fork']}"),
            http.get(f"{base}/branches/nope/history"),
            http.post(
                f"{base}/send",
                json={"branchId": ids["main"], "content": "hi"},
                headers={"X-CSRF-Token": csrf},
            ),
        ]
    for answer in answers:
        assert key not in answer.text
        assert key not in str(answer.url)
        assert all(key not in v for v in answer.headers.values())
    assert key not in caplog.text
    assert key not in repr(explorer.app.state.explorer)
    assert (
        answers[len(PAGES) + len(list(STATIC.iterdir()))].json()["apiBase"]
        == api_server.base_url.rsplit("/api", 1)[0]
    )


def test_sessions_never_print_their_secrets() -> None:
    sessions = Sessions()
    session = sessions.redeem(sessions.token)
    assert session is not None
    assert sessions.token not in repr(sessions) and session not in repr(sessions)
    assert sessions.redeem(sessions.token) is None
    assert sessions.csrf_ok(session, sessions.csrf(session))
    assert not sessions.csrf_ok(session, None) and not sessions.csrf_ok("other", sessions.csrf(session))


def test_the_one_time_token_is_redacted_from_access_logs() -> None:
    from chatroutes_core.explorer.mount import RedactToken

    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/?token=SeCrEt-123&x=1", "1.1", 303), None,
    )  # fmt: skip
    assert RedactToken().filter(record)
    assert "SeCrEt-123" not in record.getMessage() and "token=***&x=1" in record.getMessage()
