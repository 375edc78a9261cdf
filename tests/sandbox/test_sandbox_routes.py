"""The remaining Wujie routes: resources, model info, create variants, params, avatar camera."""

from __future__ import annotations

from conftest import Wire


def test_resources(wire: Wire) -> None:
    models = wire.ok("GET", "/ai/model_base_infos")
    assert {m["type"] for m in models} == {1, 3, 4, 7}
    assert all(
        {"model_code", "model_version", "model_desc", "controlnet_support"} <= set(m)
        for m in models
    )
    menu = wire.ok("GET", "/ai/default_resource", params={"model": 3})["create_option_menu"]
    assert {"width", "height", "size_ratio"} <= set(menu["resolution"][0])
    samplers = menu["sampler_models"]
    assert [s["sampler_index"] for s in samplers] == list(range(len(samplers)))
    assert wire.error("GET", "/ai/default_resource", params={"model": 9})["code"] == "20010001"
    styles = wire.ok("GET", "/ai/default_resource_style_model")["style_model"]
    assert {"key", "name", "model_code", "sample_image_url"} <= set(styles[0])
    queue = wire.ok("GET", "/ai/model_info", params={"model": 7})
    assert set(queue) == {"expected_seconds", "queue_num", "reduce_time"}


def test_create_variants_and_params_passthrough(wire: Wire) -> None:
    mj = wire.ok(
        "POST",
        "/ai/create/midjourney",
        json={"prompt": "pig", "mj_param": {"chaos": 10, "stylize": 100}},
    )
    flux = wire.ok("POST", "/ai/create/flux", json={"prompt": "pig"})
    assert mj["expected_integral_cost"] == 6 and flux["expected_integral_cost"] == 3
    assert (
        wire.error("POST", "/ai/create/midjourney", json={"prompt": "pig", "model": 1})["code"]
        == "20010001"
    )
    plain = wire.create(num=2, unknown_field={"x": [1, 2]}, style=["油画"])
    keys = [mj["keys"][0], flux["keys"][0], *plain["keys"]]
    params = wire.ok("POST", "/ai/create_params", json=[*keys, "F" * 32])
    assert [p["key"] for p in params] == keys
    assert params[0]["mj_param"] == {"chaos": 10, "stylize": 100}
    assert params[2]["unknown_field"] == {"x": [1, 2]} and params[3]["style"] == ["油画"]
    assert wire.error("POST", "/ai/create_params", json=keys * 2)["code"] == "20010001"
    assert wire.ok("GET", "/ai/info", params={"key": mj["keys"][0]})["model"] == 7


def test_avatar_camera(wire: Wire) -> None:
    resource = wire.ok("GET", "/avatar/artwork/default_resource")
    avatar, options = resource["avatar_key"], resource["template_options"]
    assert len(avatar) == 32 and len(options) >= 6
    assert {"template_key", "template_name", "theme_key", "theme_name"} <= set(options[0])
    body = {
        "avatar_key": avatar,
        "prompt": "夜幕下的赛博朋克城市",
        "artwork_templates": [
            {"template_key": options[0]["template_key"], "number": 2},
            {"template_key": options[1]["template_key"], "number": 1},
        ],
    }
    created = wire.ok("POST", "/avatar/artwork/create", json=body)
    assert len(created["keys"]) == 3 and created["expected_integral_cost"] == 3
    assert [r["template_key"] for r in created["results"]] == [options[0]["template_key"]] * 2 + [
        options[1]["template_key"]
    ]
    assert all(r["expected_second"] > 0 for r in created["results"])
    entry = wire.wait(created["keys"][0])
    assert entry["status"] == 4
    info = wire.ok("GET", "/ai/info", params={"key": created["keys"][2]})
    assert options[1]["template_name"] in info["prompt"]

    def refused(**changes: object) -> str:
        return str(wire.error("POST", "/avatar/artwork/create", json={**body, **changes})["code"])

    assert refused(avatar_key=None) == "20010001"
    assert refused(avatar_key="0" * 32) == "20110017"
    assert refused(prompt="x" * 501) == "20010001"
    assert (
        refused(artwork_templates=[{"template_key": options[0]["template_key"]}] * 6) == "20010001"
    )
    assert (
        refused(artwork_templates=[{"template_key": options[0]["template_key"], "number": 0}])
        == "20010001"
    )
    assert refused(artwork_templates=[{"template_key": "nope"}]) == "20010001"
    assert refused(prompt="[sensitive]") == "20110001"


def test_unknown_route_gets_an_envelope(wire: Wire) -> None:
    reply = wire.wj("GET", "/ai/nothing")
    assert reply.status_code == 404 and reply.json()["success"] is False
    assert wire.http.get(wire.srv.url + "/elsewhere").status_code == 404


def test_counters_track_requests_and_creates(fresh_wire: Wire) -> None:
    fresh_wire.create(num=2)
    fresh_wire.ok("POST", "/ai/generating_info", json=[])
    fresh_wire.mj("GET", "/mj/task/123/fetch")
    counters = fresh_wire.admin("GET", "/counters")
    assert counters["requests"]["POST /ai/create"] == 1
    assert counters["requests"]["GET /mj/task/{id}/fetch"] == 1
    assert counters["creates"] == 1 and counters["creates_by_route"] == {"POST /ai/create": 1}
    assert counters["speed"] == 200.0 and counters["balance"] == 100000 - 4
    ledger = fresh_wire.admin("GET", "/artworks")
    assert len(ledger["artworks"]) == 2 and ledger["tasks"] == []
