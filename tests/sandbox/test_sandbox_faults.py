"""Every fault kind, decided by a seeded plan, on API routes only."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from conftest import Wire

import wjnb.sandbox
from wjnb.sandbox.faults import FaultPlan


def _rule(kind: str, **extra: object) -> dict[str, object]:
    return {"seed": 1, "rules": [{"kind": kind, "routes": ["/ai/create"], "times": 1, **extra}]}


def test_5xx_replies_before_processing(fresh_wire: Wire) -> None:
    fresh_wire.srv.set_faults(_rule("5xx", status=502))
    reply = fresh_wire.wj("POST", "/ai/create", json={"model": 1, "prompt": "x"})
    assert reply.status_code == 502
    assert reply.json()["success"] is False
    assert fresh_wire.srv.artworks()["artworks"] == []
    fresh_wire.create()  # "times": 1 — the next one goes through
    assert len(fresh_wire.srv.artworks()["artworks"]) == 1
    assert fresh_wire.srv.counters()["faults"] == {"5xx": 1}


def test_429_carries_retry_after(fresh_wire: Wire) -> None:
    fresh_wire.srv.set_faults(_rule("429", retry_after=3))
    reply = fresh_wire.wj("POST", "/ai/create", json={"model": 1, "prompt": "x"})
    assert reply.status_code == 429
    assert reply.headers["Retry-After"] == "3"
    assert fresh_wire.srv.artworks()["artworks"] == []


def test_reset_drops_without_processing(fresh_wire: Wire) -> None:
    fresh_wire.srv.set_faults(_rule("reset"))
    with pytest.raises(httpx.TransportError):
        fresh_wire.wj("POST", "/ai/create", json={"model": 1, "prompt": "x"})
    assert fresh_wire.srv.artworks()["artworks"] == []
    balance = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    assert balance == 100000


def test_reset_after_really_creates(fresh_wire: Wire) -> None:
    fresh_wire.srv.set_faults(_rule("reset_after"))
    with pytest.raises(httpx.TransportError):
        fresh_wire.wj("POST", "/ai/create", json={"model": 1, "prompt": "x"})
    (art,) = fresh_wire.srv.artworks()["artworks"]
    assert art["cost_charged"] > 0
    assert fresh_wire.srv.counters()["creates"] == 1
    assert fresh_wire.poll(art["key"])["key"] == art["key"]


def test_slow_delays_the_reply(faults: object, wire: Wire) -> None:
    wire.srv.set_faults({"rules": [{"kind": "slow", "delay": 0.3, "routes": ["/account/*"]}]})
    started = time.monotonic()
    wire.ok("GET", "/account/availableIntegralBalance")
    assert time.monotonic() - started >= 0.3


def test_malformed_html_and_garbage(faults: object, wire: Wire) -> None:
    key = wire.create()["keys"][0]
    for kind in ("malformed", "html", "garbage"):
        wire.srv.set_faults({"rules": [{"kind": kind, "routes": ["/ai/generating_info"]}]})
        reply = wire.wj("POST", "/ai/generating_info", json=[key])
        assert reply.status_code == 200
        if kind == "malformed":
            with pytest.raises(ValueError):
                json.loads(reply.content)
        elif kind == "html":
            assert reply.headers["content-type"].startswith("text/html")
        else:
            body = reply.json()
            assert body["code"] == "200" and body["success"] is True
            assert isinstance(body["data"], dict)
            (entry, *_rest) = body["data"]["list"]
            assert entry["status"] not in (0, 1, 2, 3, 4, -1, 12)
    wire.srv.set_faults(None)


def test_faults_never_touch_admin_or_cdn(faults: object, wire: Wire) -> None:
    wire.srv.set_faults("5xx=1.0")
    assert wire.http.get(wire.srv.url + "/_sandbox/counters").status_code == 200
    assert wire.http.get(wire.srv.url + "/cdn/ai/unknown.png").status_code == 404


def test_rates_are_seeded_and_repeatable() -> None:
    def run() -> list[str | None]:
        plan = FaultPlan.parse("seed=7,5xx=0.3,429=0.2")
        return [(f.kind if (f := plan.decide("/ai/info")) else None) for _ in range(200)]

    first = run()
    assert first == run()
    assert 30 < first.count("5xx") < 90 and 15 < first.count("429") < 60


def test_plan_validation() -> None:
    for bad in ("teapot=0.1", "5xx", "5xx=2", '{"rules": [{"kind": "slow", "delay": -1}]}', "[1]"):
        with pytest.raises(ValueError):
            FaultPlan.parse(bad)
    plan = FaultPlan.parse(
        {"seed": 3, "rules": [{"kind": "5xx", "status": 500, "routes": "/mj/*"}]}
    )
    assert plan.to_dict() == {
        "seed": 3,
        "rules": [{"kind": "5xx", "rate": 1.0, "routes": ["/mj/*"], "status": 500}],
    }


def test_admin_route_replaces_plan(fresh_wire: Wire) -> None:
    plan = fresh_wire.admin("POST", "/faults", content="429=1")
    assert plan["rules"][0]["kind"] == "429"
    assert fresh_wire.wj("GET", "/account/availableIntegralBalance").status_code == 429
    bad = fresh_wire.http.post(fresh_wire.srv.url + "/_sandbox/faults", content="nope=1")
    assert bad.status_code == 400 and "kind" in bad.json()["error"]
    fresh_wire.admin("POST", "/faults", content="")
    fresh_wire.ok("GET", "/account/availableIntegralBalance")


def test_env_variable_sets_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WJNB_SANDBOX_FAULTS", "5xx=1")
    srv = wjnb.sandbox.start(speed=200, seed=1)
    try:
        assert httpx.get(srv.wujie_base_url + "/ai/info").status_code == 503
    finally:
        srv.stop()
