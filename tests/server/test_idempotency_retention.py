"""Idempotency records expire after the retention period (24 h by default) and are purged as writes go."""

from __future__ import annotations

import time

import pytest
from server_helpers import Api

from chatroutes_core.server.store import IdempotencyRecord, Store
from chatroutes_core.server.store.idempotency import DEFAULT_RETENTION, PURGE_BATCH
from chatroutes_core.testing import LocalServer


def _record(n: int = 0) -> IdempotencyRecord:
    return IdempotencyRecord(f"fp{n}", "json", 201, {"success": True, "data": {"n": n}})


def test_the_default_retention_is_a_day() -> None:
    store = Store()
    assert store.idempotency_retention == DEFAULT_RETENTION == 24 * 3600


def test_an_expired_record_is_not_replayed_and_is_purged_by_the_next_write() -> None:
    store = Store()
    store.idempotency_retention = 0.2
    store.save_idempotent("owner", "k1", _record(1))
    assert store.get_idempotent("owner", "k1") == _record(1)
    time.sleep(0.3)
    assert store.get_idempotent("owner", "k1") is None  # expired: the key is free again
    store.save_idempotent("owner", "k2", _record(2))
    assert store.count_idempotent() == 1  # k1 went with that write
    assert store.get_idempotent("owner", "k2") == _record(2)


def test_each_write_purges_a_bounded_batch() -> None:
    store = Store()
    store.idempotency_retention = 0.2
    with store.atomic():
        for i in range(PURGE_BATCH * 2 + 50):
            store.save_idempotent("owner", f"old{i}", _record(i))
    time.sleep(0.3)
    store.save_idempotent("owner", "new", _record())
    assert store.count_idempotent() == PURGE_BATCH + 50 + 1
    store.save_idempotent("owner", "new2", _record())
    store.save_idempotent("owner", "new3", _record())
    assert store.count_idempotent() == 3


@pytest.mark.integration
def test_over_http_a_key_is_replayed_within_the_retention_and_fresh_after_it() -> None:
    with LocalServer(idempotency_retention=0.5) as srv:
        api = Api(srv)
        headers = {"Idempotency-Key": "create-1"}
        first = api.http.post("/conversations", json={"title": "t"}, headers=headers)
        again = api.http.post("/conversations", json={"title": "t"}, headers=headers)
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
        time.sleep(0.6)
        later = api.http.post("/conversations", json={"title": "t"}, headers=headers)
        assert later.status_code == 201 and "idempotent-replayed" not in later.headers
        assert later.json()["data"]["conversation"]["id"] != first.json()["data"]["conversation"]["id"]
        assert srv.state.store.count_idempotent() == 1
        api.close()
