"""The newer Wujie routes in the sandbox: results derived from the source, charges and
refunds, queues, callbacks, trigger words, faults and the ``TRACE_ID`` header."""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from conftest import DEADLINE, Wire
from PIL import Image, ImageChops
from test_sandbox_callbacks import Receiver, wait_callbacks

from wjnb.sandbox import callbacks, media


def until(read: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + DEADLINE
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, value
        time.sleep(0.005)


def picture_of(wire: Wire, prompt: str, size: int = 512) -> tuple[str, Image.Image]:
    key = wire.create(prompt=prompt, width=size, height=size)["keys"][0]
    url = wire.wait(key)["picture_url"]
    return url, image(wire, url)


def image(wire: Wire, url: str) -> Image.Image:
    reply = wire.http.get(url)
    assert reply.status_code == 200, url
    img = Image.open(io.BytesIO(reply.content))
    img.load()
    return img


def supersize(wire: Wire, **body: Any) -> dict[str, Any]:
    key = wire.ok("POST", "/ai/supersize", json=body)["key"]
    return dict(
        until(
            lambda: wire.ok("GET", "/ai/supersize", params={"key": key})[0],
            lambda i: i["status"] in (2, 3),
        )
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_upscales_are_larger_and_sharper(wire: Wire) -> None:
    url, source = picture_of(wire, "a lighthouse at dusk")
    done = supersize(wire, url=url, multiple=2)
    assert done["status"] == 2 and done["url"] == url and done["multiple"] == 2.0
    big = image(wire, done["sr_url"])
    assert big.size == (source.width * 2, source.height * 2)
    plain = source.convert("RGB").resize(big.size, Image.Resampling.BICUBIC)
    assert media.sharpness(big) > media.sharpness(plain) * 1.1
    shrunk = big.convert("RGB").resize(source.size, Image.Resampling.LANCZOS)
    diff = np.asarray(ImageChops.difference(shrunk, source.convert("RGB")), dtype=float)
    assert diff.mean() < 12  # the same picture, larger


def youthified(wire: Wire, url: str, size: int) -> Image.Image:
    body = {"image_url": url, "width": size, "height": size}
    key = wire.ok("POST", "/ai/youthify", json=body)["keys"].split(",")[0]
    entry = wire.wait(key)
    assert entry["status"] == 4, entry  # success
    return image(wire, entry["picture_url"]).convert("RGB")


def test_youthify_softens_brightens_and_warms_the_source_picture(wire: Wire) -> None:
    def grey(img: Image.Image) -> np.ndarray:
        return np.asarray(img.convert("L").resize((64, 64), Image.Resampling.BOX), dtype=float)

    url, source = picture_of(wire, "a lighthouse at dusk")
    young = youthified(wire, url, 512)
    assert young.size == (512, 512) == source.size
    diff = np.abs(grey(young) - grey(source)).mean()
    assert 1 < diff < 14, diff  # the same picture, changed
    assert grey(young).mean() > grey(source).mean()  # brighter
    assert media.sharpness(young) < media.sharpness(source)  # softer
    r, _, b = np.asarray(young, dtype=float).reshape(-1, 3).mean(axis=0) - np.asarray(
        source.convert("RGB"), dtype=float
    ).reshape(-1, 3).mean(axis=0)
    assert r > b + 4  # warmer: red gains more than blue
    assert youthified(wire, url, 512).tobytes() == young.tobytes()  # deterministic
    other_url, _ = picture_of(wire, "a green forest at noon")
    other = youthified(wire, other_url, 256)
    assert other.size == (256, 256)
    assert np.abs(grey(other) - grey(young)).mean() > 10  # another source, another result


def test_supersize_charges_credits_or_pro_time_and_refunds_failures(fresh_wire: Wire) -> None:
    url, _ = picture_of(fresh_wire, "a quiet harbour")
    credits = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    time_left = fresh_wire.ok("POST", "/ai/pro/account/balance", json={})["resourceBalance"]
    paid = supersize(fresh_wire, url=url, multiple=1.5)
    assert paid["integral"] == 4
    after = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    assert after == credits - 4
    timed = supersize(fresh_wire, url=url, multiple=2, cost_type="DURATION")
    assert timed["integral"] == 0
    spent = time_left - fresh_wire.ok("POST", "/ai/pro/account/balance", json={})["resourceBalance"]
    assert spent == 11  # ceil(3 + 2 * 2²) GPU seconds
    failed = supersize(fresh_wire, url=url + "?[fail]", multiple=2)
    assert failed["status"] == 3 and failed["sr_url"] == "" and failed["integral"] == 0
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == after
    unserved = fresh_wire.http.get(f"{fresh_wire.srv.url}/cdn/x/{failed['key']}-sr.png")
    assert unserved.status_code == 404


def test_spell_analysis_reads_tags_from_the_picture(wire: Wire) -> None:
    def tags(url: str) -> list[str]:
        key = wire.ok("POST", "/ai/spell_analysis/create", json={"image_url": url})["key"]
        info = until(
            lambda: wire.ok("GET", "/ai/spell_analysis/info", params={"spellAnalysisKey": key}),
            lambda i: i["status"] != 0,
        )
        assert info["status"] == 1 and info["tags"] == ",".join(info["tag_list"])
        return list(info["tag_list"])

    url, pic = picture_of(wire, "a lighthouse at dusk")
    found = tags(url)
    assert found == media.tags(media.small(pic.convert("RGB")))
    assert tags(url) == found  # deterministic
    wide_key = wire.create(prompt="a green forest at noon", width=1024, height=512)["keys"][0]
    wide = wire.wait(wide_key)["picture_url"]
    assert "landscape" in tags(wide) and "square" in found


def test_svd_clips_move_over_the_source(wire: Wire) -> None:
    url, source = picture_of(wire, "a city of glass towers")
    key = wire.ok(
        "POST",
        "/ai/pro/svd/create",
        json={"init_image_url": url, "duration": 2, "camera_move_type": "MOVE_ZOOMIN"},
    )["key"]
    info = until(
        lambda: wire.ok("GET", "/ai/pro/svd/info", params={"key": key}),
        lambda i: i["status"] in (3, 4),
    )
    assert info["status"] == 4 and info["duration"] == 2
    clip = image(wire, info["video_url"])
    assert clip.format == "WEBP" and getattr(clip, "n_frames", 1) == 2 * media.CLIP_FPS
    first = clip.convert("RGB")
    clip.seek(clip.n_frames - 1)
    last = clip.convert("RGB")
    small = source.convert("RGB").resize(first.size)
    assert np.asarray(ImageChops.difference(first, small), dtype=float).mean() < 20
    assert np.asarray(ImageChops.difference(first, last), dtype=float).mean() > 2  # it moves


def test_video_to_video_restyles_and_reports_its_file(wire: Wire) -> None:
    url, _ = picture_of(wire, "a quiet harbour")
    body = {"origin_video_url": url, "video_duration": 3, "model_code": 1, "queue_type": 0}
    key = wire.ok("POST", "/ai/video/create", json=body)["key"]
    first = wire.ok("POST", "/ai/video/generating_info", json=[key])
    assert first["next_polling_time"] >= 1 and first["list"][0]["expected_seconds"] > 0
    done = until(
        lambda: wire.ok("POST", "/ai/video/generating_info", json=[key]),
        lambda r: r["list"][0]["status"] == 4,
    )
    assert done["next_polling_time"] == 0
    info = done["list"][0]
    meta = info["ai_video_meta_info"]
    body_bytes = wire.http.get(info["ai_video_url"]).content
    assert meta["size"] == len(body_bytes) and meta["format"] == "webp"
    assert image(wire, meta["cover"]["url"]).size == (meta["width"], meta["height"])


def test_segmentation_masks_and_vector_svg(wire: Wire) -> None:
    url, source = picture_of(wire, "a lighthouse at dusk")

    def lab(route: str, field: str, given: dict[str, Any]) -> dict[str, Any]:
        made = wire.ok("POST", route, json={"input": given})["aiLabMutation"][field]
        body = {"serviceKey": made["key"], "aiType": made["aiType"]}
        return dict(
            until(
                lambda: wire.ok("POST", "/ai/pro/lab/info", json=body),
                lambda i: i["status"] in ("SUCCESS", "FAILED"),
            )
        )

    seg = lab(
        "/ai/pro/lab/create/segmentation",
        "segmentAnythingCreateV2",
        {"imageUrl": url, "positivePoints": [{"x": 256, "y": 40}], "threshold": 10},
    )
    (mask_url,) = seg["segmentInfo"]["imageUrls"]
    mask = image(wire, mask_url)
    values = set(np.unique(np.asarray(mask)))
    assert mask.mode == "L" and mask.size == source.size and values <= {0, 255}
    assert mask.getpixel((256, 40)) == 255 and len(values) == 2
    vec = lab(
        "/ai/pro/lab/createVectorsStudio",
        "vectorStudioCreateV2",
        {"initImage": url, "quantize": 4},
    )
    svg = next(r for r in vec["vectorInfo"]["vectorRes"] if r["type"] == "SVG")
    reply = wire.http.get(svg["url"])
    assert reply.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(reply.content)
    fills = {r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert root.get("width") == "512" and 2 <= len(fills) <= 4


def test_pro_time_is_charged_and_failures_refunded(fresh_wire: Wire) -> None:
    def pro_balance() -> int:
        return int(fresh_wire.ok("POST", "/ai/pro/account/balance", json={})["resourceBalance"])

    start = pro_balance()
    body = {"model_code": 101, "prompt": "a harbour", "width": 512, "height": 512}
    keys = [
        r["key"]
        for prompt in ("a harbour", "[fail] a harbour")
        for r in fresh_wire.ok(
            "POST", "/ai/pro/create", json={**body, "prompt": prompt, "batch_count": 2}
        )["results"]
    ]
    assert pro_balance() == start - 4 * 4  # ceil(2 + 8 * 30/30 * 0.25) each
    infos = until(
        lambda: fresh_wire.ok("POST", "/ai/pro/generating_info", json=keys)["infos"],
        lambda i: all(x["status"] in (3, 4) for x in i),
    )
    assert [i["status"] for i in infos] == [4, 4, 3, 3]
    assert pro_balance() == start - 2 * 4
    detail = fresh_wire.ok("GET", "/ai/pro/info", params={"key": keys[0]})
    assert detail["cost_info"] == {"duration_cost": 4} and detail["picture_url"]
    fresh_wire.srv.set_balance(0)
    assert fresh_wire.ok("POST", "/ai/pro/account/balance", json={})["resourceBalance"] > 0
    refused = fresh_wire.error(
        "POST", "/ai/spell_analysis/create", json={"image_url": "http://x/y.png"}
    )
    assert refused["code"] == "20110010"


def test_pro_images_follow_cfg_and_controlnet(wire: Wire) -> None:
    url, _ = picture_of(wire, "a red square")

    def picture(**extra: Any) -> Image.Image:
        body = {
            "model_code": 101,
            "prompt": "a lighthouse",
            "width": 512,
            "height": 512,
            "advanced_param": {"seed": "7", "cfg": extra.pop("cfg", 7)},
            **extra,
        }
        (key,) = [r["key"] for r in wire.ok("POST", "/ai/pro/create", json=body)["results"]]
        (info,) = until(
            lambda: wire.ok("POST", "/ai/pro/generating_info", json=[key])["infos"],
            lambda i: i[0]["status"] == 4,
        )
        return image(wire, info["picture_url"]).convert("RGB")

    base = picture()
    assert ImageChops.difference(base, picture()).getbbox() is None  # deterministic
    assert ImageChops.difference(base, picture(cfg=12)).getbbox() is not None
    guided = picture(control_net_params=[{"type": 1, "control_weight": 2, "image_url": url}])
    assert ImageChops.difference(base, guided).getbbox() is not None


def test_sensitive_words_refuse_and_nothing_is_charged(fresh_wire: Wire) -> None:
    before = fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"]
    for route, body in (
        ("/ai/supersize", {"url": "http://x/[sensitive].png", "multiple": 2}),
        ("/ai/pro/svd/create", {"init_image_url": "http://x/[sensitive].png"}),
        ("/ai/pro/create", {"model_code": 101, "prompt": "[sensitive] cat"}),
    ):
        assert fresh_wire.error("POST", route, json=body)["code"] == "20110001", route
    assert fresh_wire.ok("GET", "/account/availableIntegralBalance")["balance"] == before


def test_new_kinds_call_back_on_the_published_schedule(
    fresh_wire: Wire, receiver: Receiver
) -> None:
    receiver.failures = 1
    url, _ = picture_of(fresh_wire, "a quiet harbour")
    svd = fresh_wire.ok(
        "POST",
        "/ai/pro/svd/create",
        json={"init_image_url": url, "duration": 1, "notify_url": receiver.url},
    )["key"]
    train = fresh_wire.ok(
        "POST", "/avatar/create", json={"train_image_url_list": [url], "notify_url": receiver.url}
    )["key"]
    bodies = {b["key"]: b for b in receiver.wait_for(lambda b: len(b) == 2)}
    assert bodies[svd]["status"] == 4 and bodies[svd]["video_url"]
    assert bodies[train]["status"] == 10 and bodies[train]["model_fusion_name"]
    counters = wait_callbacks(fresh_wire, lambda c: c["sent"] == 2)
    assert counters["attempts"] == 3 and len(callbacks.WUJIE_RETRIES) == 5


def test_every_reply_carries_a_trace_id(wire: Wire, faults: Callable[[Any], None]) -> None:
    ok = wire.wj("GET", "/ai/spell")
    missing = wire.wj("GET", "/ai/nothing-here")
    refused = wire.http.get(wire.srv.wujie_base_url + "/ai/spell")
    faults({"rules": [{"kind": "5xx", "routes": ["/ai/supersize"]}]})
    failed = wire.wj("GET", "/ai/supersize", params={"key": "K"})
    traces = [r.headers.get("TRACE_ID") for r in (ok, missing, refused, failed)]
    assert [r.status_code for r in (ok, missing, refused, failed)] == [200, 404, 401, 503]
    assert all(traces) and len(set(traces)) == 4


def test_fault_plans_reach_the_new_routes(wire: Wire, faults: Callable[[Any], None]) -> None:
    faults({"rules": [{"kind": "429", "routes": ["/ai/pro/*"], "retry_after": 0.5}]})
    assert wire.wj("GET", "/ai/pro/model_base_infos").status_code == 429
    assert wire.wj("GET", "/ai/spell").status_code == 200
    counted = wire.srv.counters()
    assert counted["faults"]["429"] >= 1 and counted["requests"]["GET /ai/pro/model_base_infos"]


def test_camera_runs_on_a_trained_avatar_under_both_paths(fresh_wire: Wire) -> None:
    check = fresh_wire.ok(
        "POST",
        "/avatar/image_check_batch",
        json={"image_url_list": ["http://x/a.jpg", "http://x/[noface].jpg"]},
    )["image_check_info_list"]
    assert [c["pass"] for c in check] == [True, False] and check[1]["status"] == "NO_FACE"
    avatar = fresh_wire.ok(
        "POST", "/avatar/create", json={"train_image_url_list": ["http://x/a.jpg"]}
    )
    untrained = fresh_wire.error("POST", "/avatar/camera/create", json={"avtar_key": avatar["key"]})
    assert untrained["code"] == "20010001"
    states = [fresh_wire.ok("GET", "/avatar/info", params={"key": avatar["key"]})["status"]]
    until(
        lambda: (
            states.append(
                fresh_wire.ok("GET", "/avatar/info", params={"key": avatar["key"]})["status"]
            )
            or states[-1]
        ),
        lambda s: s == 10,
    )
    assert states[0] in (0, 3, 7) and states[-1] == 10
    made = fresh_wire.ok("POST", "/avatar/camera/create", json={"avtar_key": avatar["key"]})
    (key,) = made["keys"]
    assert made["expected_duration_cost"] == 8
    for prefix in ("/avatar", "/ai"):
        until(
            lambda p=prefix: fresh_wire.ok("POST", f"{p}/camera/generating_info", json=[key])[
                "infos"
            ][0],
            lambda i: i["status"] == 4,
        )
        info = fresh_wire.ok("GET", f"{prefix}/camera/info", params={"key": key})
        assert (info["width"], info["height"]) == (768, 1024)
    assert image(fresh_wire, info["artwork_url"]).size == (768, 1024)
    fresh_wire.ok("POST", "/avatar/delete", json={"avatar_key": avatar["key"]})
    assert (
        fresh_wire.error("GET", "/avatar/info", params={"key": avatar["key"]})["code"] == "20010001"
    )


def test_optimise_uses_the_callers_task_id(wire: Wire) -> None:
    body = {
        "task_id": "mine-42",
        "type": 3,
        "original": "a cat [slow]",
        "language": 1,
        "callback_url": "",
    }
    assert wire.ok("POST", "/ai/optimize/prompt/submit", json=body) is None
    assert wire.error("POST", "/ai/optimize/prompt/submit", json=body)["code"] == "20010001"
    first = wire.ok("GET", "/ai/optimize/prompt/result", params={"taskId": "mine-42"})
    assert first["code"] == 0 and first["result"] == ""
    done = until(
        lambda: wire.ok("GET", "/ai/optimize/prompt/result", params={"taskId": "mine-42"}),
        lambda r: r["code"] == 1,
    )
    assert done["result"] == "a cat, anime style, clean lineart, cel shading"


def test_create_params_accepts_both_shapes_and_super_size_floats(wire: Wire) -> None:
    keys = wire.create(num=2, super_size_multiple=1.5, width=512, height=512)["keys"]
    bare = wire.ok("POST", "/ai/create_params", json=keys)
    boxed = wire.ok("POST", "/ai/create_params", json={"key": keys})
    assert bare == boxed and [p["key"] for p in bare] == keys
    record = bare[0]
    assert record["sampler_index"] == "0" and record["steps_as_string"] == "30"
    assert record["size"] == "512x512" and record["super_size_multiple"] == 1.5
    price = wire.ok(
        "POST", "/ai/price_info", json={"model": 1, "prompt": "p", "super_size_multiple": 1.5}
    )
    assert price["integral_use"]["integral_use_on_super_size"] == 1
