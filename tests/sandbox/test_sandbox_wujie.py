"""The Wujie artwork lifecycle over real HTTP: create, poll, detail, credits."""

from __future__ import annotations

import json

from conftest import Wire


def test_create_poll_info_roundtrip(wire: Wire) -> None:
    body = {
        "model": 1,
        "prompt": "a lighthouse at dusk",
        "steps": 30,
        "cfg": 7,
        "seed": "42",
        "width": 1024,
        "height": 768,
        "style": ["水彩"],
        "my_extra": {"a": 1},
    }
    created = wire.ok("POST", "/ai/create", json=body)
    (key,) = created["keys"]
    assert len(key) == 32 and key == key.upper()
    (result,) = created["results"]
    assert result["key"] == key and result["expected_second"] > 0 and result["batch_task_key"]
    first = wire.poll(key)
    assert first["status"] in (0, 1, 2)
    seen = {first["status"]}
    percents = []
    while True:
        entry = wire.poll(key)
        seen.add(entry["status"])
        if entry["status"] == 2:
            percents.append(entry["complete_percent"])
        if entry["status"] == 4:
            break
    assert 2 in seen
    assert percents == sorted(percents)
    assert entry["complete_percent"] == 100.0 and entry["expected_seconds"] == 0
    assert entry["picture_url"].endswith(f"/cdn/ai/{key}-01.png")
    assert isinstance(entry["audit_info"], str)
    assert json.loads(entry["audit_info"])["total_suggestion"] == "PASS"
    assert entry["integral_cost_message"] == "积分已扣除"
    assert entry["model_prompt"] == "a lighthouse at dusk; 水彩"
    info = wire.ok("GET", "/ai/info", params={"key": key})
    assert info["seed"] == "42" and isinstance(info["cfg"], float) and info["cfg"] == 7.0
    assert (info["width"], info["height"], info["steps"], info["model"]) == (1024, 768, 30, 1)
    assert isinstance(info["audit_info"], str)
    assert info["technology_info"]["gpu_type"]
    assert info["fail_message"] == {"fail_code": 0, "fail_message": "success"}
    assert info["start_gen_time"] >= info["generate_time"] > 1_600_000_000
    generation = info["complete_time"] - info["start_gen_time"]
    assert 7 <= generation <= 12  # virtual seconds: ~10 s for 30 steps at 1024x768-ish
    assert info["mini_picture_url"] == ""


def test_unknown_keys_are_absent(wire: Wire) -> None:
    key = wire.create()["keys"][0]
    listed = wire.ok("POST", "/ai/generating_info", json=[key, "0" * 32])["list"]
    assert [e["key"] for e in listed] == [key]
    assert wire.ok("POST", "/ai/generating_info", json={"keys": [key]})["list"][0]["key"] == key


def test_validation_errors(wire: Wire) -> None:
    cases = [
        ({"prompt": "x"}, "20010001", "model"),
        ({"model": 2, "prompt": "x"}, "20010001", "model"),
        ({"model": 1}, "20010001", "prompt"),
        ({"model": 1, "prompt": "  "}, "20010001", "prompt"),
        ({"model": 1, "prompt": "x", "steps": 0}, "20010001", "steps"),
        ({"model": 1, "prompt": "x", "steps": "many"}, "20010001", "steps"),
        ({"model": 1, "prompt": "x", "cfg": -1}, "20010001", "cfg"),
        ({"model": 1, "prompt": "x", "width": "wide"}, "20010001", "width"),
        ({"model": 1, "prompt": "x", "width": 1001}, "20010015", "size"),
        ({"model": 1, "prompt": "x", "height": 8192}, "20010015", "size"),
        ({"model": 1, "prompt": "x", "num": 0}, "20010001", "num"),
        ({"model": 1, "prompt": "x", "seed": [1]}, "20010001", "seed"),
        ({"model": 1, "prompt": "x", "notify_url": "ftp://x"}, "20010001", "notify_url"),
    ]
    for body, code, word in cases:
        error = wire.error("POST", "/ai/create", json=body)
        assert error["code"] == code and word in error["message"], (body, error)
    assert wire.error("POST", "/ai/create", content=b"{not json")["code"] == "20010001"
    assert wire.error("POST", "/ai/generating_info", json={"k": 1})["code"] == "20010001"
    assert wire.error("GET", "/ai/info", params={"key": "nope"})["code"] == "20010001"


def test_price_matches_charge(fresh_wire: Wire) -> None:
    body = {
        "model": 4,
        "prompt": "x",
        "num": 3,
        "width": 2048,
        "height": 1536,
        "steps": 45,
        "accelerate_times": 1,
        "style_model": "肤若凝脂",
        "super_size_multiple": 2,
    }
    price = fresh_wire.ok("POST", "/ai/price_info", json=body)
    parts = price["integral_use"]
    total = (
        sum(v for k, v in parts.items() if k != "discount_integral") - parts["discount_integral"]
    )
    before = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    created = fresh_wire.ok("POST", "/ai/create", json=body)
    assert created["expected_integral_cost"] == total == 3 * (3 + 2 + 1 + 2 + 1 + 2)
    after = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    assert before - after == total
    per = [fresh_wire.poll(k)["integral_cost"] for k in created["keys"]]
    assert sum(per) == total
    ledger = fresh_wire.srv.artworks()["artworks"]
    assert sum(a["cost_charged"] for a in ledger) == total
    assert {a["request_id"] for a in ledger} == {1}
