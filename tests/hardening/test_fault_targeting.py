"""The sandbox's fuzzing controls used by the hardening tests: rules that pick one key
(``match``) and narrower ``garbage`` variants (``status``, ``audit``, ``huge``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import wjnb.sandbox
from wjnb.auth import MjAuth, WujieAuth
from wjnb.config import Secret
from wjnb.sandbox.faults import FaultPlan


class Raw:
    """Signed raw requests (the replies are inspected as sent, not through the client)."""

    def __init__(self, srv: wjnb.sandbox.Sandbox) -> None:
        self.srv = srv
        auth = WujieAuth(srv.app_id, Secret(srv.private_key))
        self.wj = httpx.Client(base_url=srv.wujie_base_url, auth=auth, timeout=10)
        self.mj = httpx.Client(base_url=srv.mj_base_url, auth=MjAuth(srv.mj_token), timeout=10)

    def create(self, n: int) -> list[str]:
        body = {"model": 1, "prompt": "p", "num": n, "width": 64, "height": 64}
        keys: list[str] = self.wj.post("/ai/create", json=body).json()["data"]["keys"]
        return keys

    def info(self, key: str) -> dict[str, Any]:
        data: dict[str, Any] = self.wj.get("/ai/info", params={"key": key}).json()["data"]
        return data

    def poll(self, keys: list[str]) -> list[dict[str, Any]]:
        data = self.wj.post("/ai/generating_info", json=keys).json()["data"]
        entries: list[dict[str, Any]] = data["list"]
        return entries

    def close(self) -> None:
        self.wj.close()
        self.mj.close()


@pytest.fixture
def raw(fresh_sandbox: wjnb.sandbox.Sandbox) -> Any:
    r = Raw(fresh_sandbox)
    yield r
    r.close()


def test_match_picks_one_key_in_the_query(raw: Raw) -> None:
    k1, k2 = raw.create(2)
    raw.srv.set_faults({"rules": [{"kind": "html", "routes": ["/ai/info"], "match": k1}]})
    assert raw.wj.get("/ai/info", params={"key": k1}).headers["content-type"].startswith("text/")
    assert raw.info(k2)["key"] == k2
    assert raw.srv.counters()["faults"] == {"html": 1}


def test_match_picks_one_key_in_the_body(raw: Raw) -> None:
    k1, k2 = raw.create(2)
    raw.srv.set_faults({"rules": [{"kind": "garbage", "match": k1}]})
    (good,) = raw.poll([k2])
    assert good["key"] == k2 and isinstance(good["status"], int)
    garbled = raw.poll([k1])
    assert all(entry.get("key") != k1 for entry in garbled if isinstance(entry, dict))
    assert raw.srv.counters()["faults"] == {"garbage": 1}


def test_status_variant_only_breaks_statuses(raw: Raw) -> None:
    (key,) = raw.create(1)
    clean = raw.poll([key])[0]
    raw.srv.set_faults({"rules": [{"kind": "garbage", "variant": "status"}]})
    (entry,) = raw.poll([key])
    assert entry["key"] == key and entry["status"] in (99, -7, 5)
    assert {k: v for k, v in entry.items() if k != "status"}.keys() == clean.keys() - {"status"}


def test_audit_and_huge_variants(raw: Raw) -> None:
    (key,) = raw.create(1)
    raw.srv.set_faults({"rules": [{"kind": "garbage", "variant": "audit", "routes": ["/ai/info"]}]})
    info = raw.info(key)
    assert info["key"] == key
    assert info["audit_info"] in ('{"check_fail":', "[]", 12, "not json", {"total_suggestion": 3})
    raw.srv.set_faults({"rules": [{"kind": "garbage", "variant": "huge", "routes": ["/ai/info"]}]})
    info = raw.info(key)
    assert info["key"] == key and len(info["prompt"]) > 200_000


def test_mj_status_variant(raw: Raw) -> None:
    task_id = raw.mj.post("/mj/submit/imagine", json={"prompt": "pig"}).json()["result"]
    raw.srv.set_faults({"rules": [{"kind": "garbage", "variant": "status"}]})
    body = raw.mj.post("/mj/task/list-by-condition", json={"ids": [task_id]}).json()
    assert body[0]["id"] == task_id and body[0]["status"] in ("PAUSED", "RUNNING")


def test_plan_checks_and_round_trip() -> None:
    with pytest.raises(ValueError, match="variant"):
        FaultPlan.parse({"rules": [{"kind": "html", "variant": "status"}]})
    with pytest.raises(ValueError, match="variant"):
        FaultPlan.parse({"rules": [{"kind": "garbage", "variant": "everything"}]})
    with pytest.raises(ValueError, match="match"):
        FaultPlan.parse({"rules": [{"kind": "garbage", "match": ""}]})
    spec = {"seed": 3, "rules": [{"kind": "garbage", "rate": 1.0, "match": "K", "variant": "huge"}]}
    assert FaultPlan.parse(spec).to_dict() == spec
    assert FaultPlan.parse(FaultPlan.parse(spec)).to_dict() == spec
    assert not FaultPlan.parse("5xx=0.5").needs_request
    assert FaultPlan.parse(spec).needs_request
