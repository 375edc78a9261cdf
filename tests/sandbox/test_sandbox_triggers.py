"""Prompt trigger words: NSFW, audit REVIEW/BLOCK, sensitive words, failures, slowness."""

from __future__ import annotations

import json

import httpx
from conftest import Wire
from PIL import Image

from wjnb.sandbox.triggers import Triggers, strip_triggers


def test_nsfw_gives_placeholder_and_flag(wire: Wire) -> None:
    key = wire.create(prompt="[nsfw] a beach", width=512, height=512, seed="5")["keys"][0]
    entry = wire.wait(key)
    assert entry["status"] == 4 and entry["involve_yellow"] == 1
    assert wire.ok("GET", "/ai/info", params={"key": key})["involve_yellow"] == 1
    flagged = httpx.get(entry["picture_url"]).content
    clean_key = wire.create(prompt="a beach", width=512, height=512, seed="5")["keys"][0]
    clean = httpx.get(wire.wait(clean_key)["picture_url"]).content
    assert flagged != clean
    assert Image.open(__import__("io").BytesIO(flagged)).size == (512, 512)


def test_review_and_block_audits(wire: Wire) -> None:
    for word, verdict, label in (("[review]", "REVIEW", "sexy"), ("[block]", "BLOCK", "porn")):
        entry = wire.wait(wire.create(prompt=f"{word} a statue")["keys"][0])
        assert entry["status"] == 4
        audit = json.loads(entry["audit_info"])
        assert audit["total_suggestion"] == verdict and audit["hit"] is True
        flagged = [s for s in audit["scan_scene_d_t_o_s"] if s["suggestion"] != "pass"]
        assert [s["label"] for s in flagged] == [label]
        assert {s["scene"] for s in audit["scan_scene_d_t_o_s"]} == {"TERRORISM", "PORN"}


def test_sensitive_is_refused_and_free(fresh_wire: Wire) -> None:
    refused = fresh_wire.error(
        "POST", "/ai/create", json={"model": 1, "prompt": "a [sensitive] flag"}
    )
    assert refused["code"] == "20110001"
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == 100000
    assert fresh_wire.srv.counters()["creates"] == 0
    price = fresh_wire.ok("POST", "/ai/price_info", json={"model": 1, "prompt": "[sensitive]"})
    assert price["integral_use"]["integral_use_on_create"] == 2


def test_slow_takes_ten_times_longer(wire: Wire) -> None:
    fast = wire.create(prompt="timing", seed="1")["keys"][0]
    slow = wire.create(prompt="[slow] timing", seed="1")["keys"][0]
    spans = []
    for key in (fast, slow):
        wire.wait(key)
        info = wire.ok("GET", "/ai/info", params={"key": key})
        spans.append(info["complete_time"] - info["start_gen_time"])
    assert abs(spans[1] - 10 * spans[0]) <= 12  # whole seconds on the wire


def test_triggers_are_stripped_from_model_prompt(wire: Wire) -> None:
    entry = wire.poll(wire.create(prompt="a [REVIEW] red  [slow] fox")["keys"][0])
    assert entry["model_prompt"] == "a red fox"
    assert Triggers.of("x [Drawfail]").drawfail and not Triggers.of("x [drawfail]").fail
    assert strip_triggers("[nsfw][block] cat") == "cat"
