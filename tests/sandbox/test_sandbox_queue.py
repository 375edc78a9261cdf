"""The queue engine: statuses through polling, cancel, accelerate, refunds, running out."""

from __future__ import annotations

from typing import Any

from conftest import Wire


def _one_gpu(sandbox_factory: Any, wire_for: Any, **kwargs: Any) -> Wire:
    wire: Wire = wire_for(sandbox_factory(gpus=1, **kwargs))
    return wire


def test_queued_then_generating_then_done(sandbox_factory: Any, wire_for: Any) -> None:
    wire = _one_gpu(sandbox_factory, wire_for)
    blocker = wire.create(prompt="[slow] blocker")["keys"][0]
    key = wire.create()["keys"][0]
    entry = wire.poll(key)
    assert entry["status"] in (0, 1)
    queued = wire.wait(key, lambda e: e["status"] == 1)
    assert queued["queue_before_num"] == 0 and queued["start_gen_time"] == 0
    blocker_left = wire.poll(blocker)["expected_seconds"]
    assert queued["expected_seconds"] >= blocker_left  # includes the wait for the GPU
    info = wire.ok("GET", "/ai/info", params={"key": key})
    assert info["status"] == 1 and info["complete_time"] == 0 and info["technology_info"] is None
    model = wire.ok("GET", "/ai/model_info", params={"model": 1})
    assert model["queue_num"] == 1 and model["expected_seconds"] > queued["expected_seconds"] - 1
    wire.ok("POST", "/ai/accelerate", json={"key": blocker, "step_num": 9})  # x10 faster
    generating = wire.wait(key, lambda e: e["status"] == 2)
    assert generating["queue_before_num"] == 0 and generating["start_gen_time"] > 0
    done = wire.wait(key)
    assert done["status"] == 4


def test_cancel_only_while_queued(sandbox_factory: Any, wire_for: Any) -> None:
    wire = _one_gpu(sandbox_factory, wire_for)
    running = wire.create(prompt="[slow] running")["keys"][0]
    queued = wire.create(num=2)["keys"]
    wire.wait(running, lambda e: e["status"] == 2)
    before = wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    assert wire.ok("POST", "/ai/cancel", json={"key": queued[1]}) == "success"
    after = wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    assert after - before == 2
    cancelled = wire.poll(queued[1])
    assert cancelled["status"] == -1 and cancelled["integral_cost_message"] == "积分已退还"
    assert cancelled["integral_cost"] == 0
    assert wire.poll(queued[0])["queue_before_num"] == 0
    refused = wire.error("POST", "/ai/cancel", json={"key": running})
    assert refused["code"] == "20110011"
    assert wire.error("POST", "/ai/cancel", json={"key": "X" * 32})["code"] == "20010001"
    ledger = {a["key"]: a for a in wire.srv.artworks()["artworks"]}
    assert ledger[queued[1]]["cost_refunded"] == ledger[queued[1]]["cost_charged"] == 2


def test_accelerate_reduces_time_and_charges(fresh_wire: Wire) -> None:
    key = fresh_wire.create(prompt="[slow] a long one")["keys"][0]
    before = fresh_wire.wait(key, lambda e: e["status"] == 2)
    balance = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    assert fresh_wire.ok("POST", "/ai/accelerate", json={"key": key, "step_num": 3}) == "success"
    after = fresh_wire.poll(key)
    assert after["reduce_time"] > 0
    assert after["expected_seconds"] < before["expected_seconds"] / 2
    assert after["integral_cost"] == before["integral_cost"] + 3
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == balance - 3
    fresh_wire.wait(key)
    again = fresh_wire.error("POST", "/ai/accelerate", json={"key": key})
    assert again["code"] == "20110009"


def test_insufficient_balance_charges_nothing(fresh_wire: Wire) -> None:
    fresh_wire.srv.set_balance(5)
    refused = fresh_wire.error("POST", "/ai/create", json={"model": 1, "prompt": "x", "num": 3})
    assert refused["code"] == "20110010"
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == 5
    assert fresh_wire.srv.artworks()["artworks"] == []
    fresh_wire.create(num=2)
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == 1
    assert fresh_wire.admin("POST", "/balance", json={"balance": 50}) == {"balance": 50}
    assert fresh_wire.srv.counters()["balance"] == 50


def test_failures_are_refunded(fresh_wire: Wire) -> None:
    keys = [fresh_wire.create(prompt=p)["keys"][0] for p in ("[fail] x", "[drawfail] x")]
    entries = [fresh_wire.wait(k) for k in keys]
    assert [e["status"] for e in entries] == [3, 12]
    for entry in entries:
        assert entry["integral_cost"] == 0 and entry["integral_cost_message"] == "积分已退还"
        assert entry["fail_message"]["fail_code"] != 0 and entry["picture_url"] == ""
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == 100000
    info = fresh_wire.ok("GET", "/ai/info", params={"key": keys[0]})
    assert info["technology_info"] is None and info["status"] == 3
