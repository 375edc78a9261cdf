"""Contract tests: every sandbox reply, and the seed samples, through the strict decoder.

Raw HTTP (httpx, the test's own RSA signing): every route of both references is driven
through its states (queued, running, done, failed) and every reply is checked — its
envelope, its ``data`` against the reference's types, its ``TRACE_ID`` header. The test
fails on any mismatch and on any route of the references left unexercised.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import DEADLINE, Wire
from contract_spec import (
    AVATAR_CREATE,
    ENVELOPE,
    FAILURE_CALLBACK,
    INFO,
    ROUTES,
    SUCCESS_CALLBACK,
    decoder,
)
from test_sandbox_callbacks import Receiver

import wjnb.sandbox
from wjnb.models import repair_json

SEED_DATA = Path(__file__).resolve().parents[1] / "client" / "data"
CHECKS = {route: decoder(text) for route, text in ROUTES.items()}
ERROR = decoder("{code: string, message: string, success: bool, data: any}")


class Checked(Wire):
    """A ``Wire`` that runs every Wujie reply through the strict decoder."""

    def __init__(self, srv: wjnb.sandbox.Sandbox) -> None:
        super().__init__(srv)
        self.seen: set[tuple[str, str]] = set()
        self.problems: list[str] = []
        self.replies = 0

    def wj(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        reply = super().wj(method, path, **kwargs)
        where = f"{method} {path}"
        self.replies += 1
        if not reply.headers.get("TRACE_ID"):
            self.problems.append(f"{where}: no TRACE_ID header")
        body = reply.json()
        self.problems += decoder(ENVELOPE)(body, where)
        if body.get("code") == "200":
            check = CHECKS.get((method, path))
            if check is None:
                self.problems.append(f"{where}: a route no reference lists")
            else:
                self.seen.add((method, path))
                self.problems += check(body["data"], f"{where} data")
        else:
            self.problems += ERROR(body, where)
            if body.get("data") is not None:
                self.problems.append(f"{where}: an error envelope with data")
        return reply

    def until(self, read: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
        """Call ``read`` until ``done`` holds (every reply on the way is checked too)."""
        deadline = time.monotonic() + DEADLINE
        while True:
            value = read()
            if done(value):
                return value
            assert time.monotonic() < deadline, value
            time.sleep(0.005)


@pytest.fixture
def checked(fresh_sandbox: wjnb.sandbox.Sandbox) -> Iterator[Checked]:
    w = Checked(fresh_sandbox)
    yield w
    w.http.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _artwork_routes(w: Checked, hook: str) -> str:
    """Every route of ``wujie-api.md``; returns a finished picture's URL."""
    w.ok("GET", "/ai/model_base_infos")
    w.ok("GET", "/ai/default_resource", params={"model": 1})
    w.ok("GET", "/ai/default_resource_style_model")
    body = {"model": 1, "prompt": "a lighthouse at dusk", "width": 512, "height": 512}
    w.ok("POST", "/ai/price_info", json=body)
    w.ok("GET", "/ai/model_info", params={"model": 1})
    good = w.ok("POST", "/ai/create", json={**body, "notify_url": hook, "extra_x": 1})["keys"]
    bad = w.ok("POST", "/ai/create", json={**body, "prompt": "[fail] a ship", "notify_url": hook})
    slow = w.ok("POST", "/ai/create", json={**body, "prompt": "[slow] fog", "num": 5})["keys"]
    w.ok("POST", "/ai/accelerate", json={"key": slow[0], "step_num": 1})
    w.ok("POST", "/ai/cancel", json={"key": slow[-1]})  # 7 jobs, 4 GPUs: the last one waits
    mj = w.ok("POST", "/ai/create/midjourney", json={"prompt": "pig", "mj_param": {"chaos": 5}})
    flux = w.ok("POST", "/ai/create/flux", json={"prompt": "pig", "width": 512, "height": 512})
    keys = [*good, *bad["keys"], *slow, *mj["keys"], *flux["keys"]]
    for key in keys:
        w.wait(key)
        w.ok("GET", "/ai/info", params={"key": key})
    w.ok("POST", "/ai/create_params", json=keys[:6])
    w.ok("POST", "/ai/create_params", json={"key": keys[:2]})
    w.ok("GET", "/account/availableIntegralBalance")
    resource = w.ok("GET", "/avatar/artwork/default_resource")
    w.ok(
        "POST",
        "/avatar/artwork/create",
        json={"avatar_key": resource["avatar_key"], "prompt": "me", "notify_url": ""},
    )
    w.error("GET", "/ai/info", params={"key": "F" * 32})
    return str(w.poll(good[0])["picture_url"])


def _more_routes(w: Checked, picture: str) -> None:
    """Every route of ``wujie-api-more.md``, each job followed to its end."""
    w.ok(
        "POST",
        "/account/integral/exchange",
        json={"exchange_target_mobile": "13800000000", "amount": 1},
    )
    w.ok("POST", "/ai/pro/account/balance", json={"resourceType": "AI_PRO_ACCOUNT"})
    models = w.ok("GET", "/ai/pro/model_base_infos")
    units = w.ok("GET", "/ai/pro/controlNetOption")
    pro = {
        "model_code": models[0]["model_code"],
        "prompt": "a harbour",
        "width": 512,
        "height": 512,
        "supersize_multiple": 1.0,
        "prefine_multiple": 1.0,
        "batch_count": 1,
        "option_param": {"model_fusion": [{"key": "K", "weight": 0.5}], "character": None},
        "advanced_param": {"cfg": 7, "sampler_steps": 20, "seed": "3", "uc_prompt": ""},
        "img_to_img_param": None,
        "control_net_params": [
            {"type": units[0]["code"], "control_weight": 1, "image_url": picture}
        ],
        "inpainting_plugin_d_t_o": None,
        "tiled_diffusion_d_t_o": {"enabled": True, "bbox_control_states": [{"x": 0.1}]},
        "face_editor_d_t_o": None,
        "ultimate_upscale_d_t_o": None,
        "adetailer_d_t_o_s": None,
    }
    pro_keys = [r["key"] for r in w.ok("POST", "/ai/pro/create", json=pro)["results"]]
    failing = w.ok("POST", "/ai/pro/create", json={**pro, "prompt": "[fail] a harbour"})
    pro_keys.append(failing["results"][0]["key"])
    w.until(
        lambda: w.ok("POST", "/ai/pro/generating_info", json=pro_keys)["infos"],
        lambda infos: all(i["status"] in (3, 4) for i in infos),
    )
    for key in pro_keys:
        w.ok("GET", "/ai/pro/info", params={"key": key})

    up = w.ok("POST", "/ai/supersize", json={"url": picture, "multiple": 1.5})["key"]
    up2 = w.ok(
        "POST", "/ai/supersize", json={"url": picture, "multiple": 2, "cost_type": "DURATION"}
    )
    w.until(
        lambda: w.ok("GET", "/ai/supersize", params=[("key", up), ("key", up2["key"])]),
        lambda infos: all(i["status"] in (2, 3) for i in infos),
    )
    young = w.ok("POST", "/ai/youthify", json={"image_url": picture, "width": 512, "height": 512})
    for key in young["keys"].split(","):
        w.wait(key)
    w.ok(
        "POST",
        "/ai/optimize/prompt/submit",
        json={
            "task_id": "contract-1",
            "type": 2,
            "original": "a cat",
            "language": 1,
            "callback_url": "",
        },
    )
    w.until(
        lambda: w.ok("GET", "/ai/optimize/prompt/result", params={"taskId": "contract-1"}),
        lambda r: r["code"] != 0,
    )
    w.ok("GET", "/ai/spell")
    spell = w.ok("POST", "/ai/spell_analysis/create", json={"image_url": picture, "notify_url": ""})
    w.until(
        lambda: w.ok("GET", "/ai/spell_analysis/info", params={"spellAnalysisKey": spell["key"]}),
        lambda r: r["status"] != 0,
    )
    themes = w.ok("GET", "/ai/magic_dice/theme")
    dice = {"type": "MAGIC_DICE", "model": "STYLE", "keyword": "", "language": "ENGLISH"}
    w.ok("POST", "/ai/magic_dice/search", json={**dice, "theme_id": themes[0]["theme_id"]})

    menu = w.ok("GET", "/ai/video/option_menu")
    code = menu["ai_video_model_option_vos"][0]["model_code"]
    w.ok("GET", "/ai/video/wait_time", params={"modelCode": code})
    video = w.ok(
        "POST",
        "/ai/video/create",
        json={
            "origin_video_url": picture,
            "video_duration": 2,
            "model_code": code,
            "queue_type": 0,
            "notify_url": "",
        },
    )["key"]
    w.until(
        lambda: w.ok("POST", "/ai/video/generating_info", json=[video])["list"],
        lambda infos: infos[0]["status"] in (3, 4),
    )
    w.ok("GET", "/ai/video/info", params={"key": video})
    svd = w.ok("POST", "/ai/pro/svd/create", json={"init_image_url": picture, "duration": 2})["key"]
    w.until(
        lambda: w.ok("GET", "/ai/pro/svd/info", params={"key": svd}),
        lambda r: r["status"] in (3, 4),
    )

    w.ok(
        "POST",
        "/avatar/image_check_batch",
        json={"image_url_list": [picture, "http://x/[noface].jpg"]},
    )
    avatar = w.ok(
        "POST", "/avatar/create", json={"train_image_url_list": [picture], "notify_url": ""}
    )
    w.until(
        lambda: w.ok("GET", "/avatar/info", params={"key": avatar["key"]}),
        lambda r: r["status"] in (10, 14),
    )
    templates = w.ok("GET", "/avatar/camera/template_options")
    camera = w.ok(
        "POST",
        "/avatar/camera/create",
        json={
            "avtar_key": avatar["key"],
            "camera_artwork_advanced": None,
            "template_create_param": {
                "template_key": templates[0]["_key"],
                "template_url": "",
                "count": 2,
            },
        },
    )
    for prefix in ("/avatar", "/ai"):
        w.until(
            lambda p=prefix: w.ok("POST", f"{p}/camera/generating_info", json=camera["keys"])[
                "infos"
            ],
            lambda infos: all(i["status"] in (3, 4, -1) for i in infos),
        )
        w.ok("GET", f"{prefix}/camera/info", params={"key": camera["keys"][0]})
    w.ok("POST", "/avatar/delete", json={"avatar_key": avatar["key"]})

    for option in ("SEGMENT_ANYTHING_MODEL", "INFINITE_ZOOM_MODEL", "VECTOR_STUDIO_STYLE"):
        w.ok("POST", "/ai/pro/lab/options", json={"input": {"optionType": option}})
    made = [
        w.ok(
            "POST",
            "/ai/pro/lab/create/segmentation",
            json={"input": {"imageUrl": picture, "positivePoints": [{"x": 5, "y": 5}, {}]}},
        )["aiLabMutation"]["segmentAnythingCreateV2"],
        w.ok(
            "POST",
            "/ai/pro/lab/createInfiniteZoom",
            json={"input": {"initImageUrl": picture, "videoSecond": 1}},
        )["aiLabMutation"]["infiniteZoomCreateV2"],
        w.ok(
            "POST",
            "/ai/pro/lab/createVectorsStudio",
            json={"input": {"initImage": picture, "quantize": 4}},
        )["aiLabMutation"]["vectorStudioCreateV2"],
    ]
    for job in made:
        body = {"serviceKey": job["key"], "aiType": job["aiType"]}
        w.until(
            lambda b=body: w.ok("POST", "/ai/pro/lab/info", json=b),
            lambda r: r["status"] in ("SUCCESS", "FAILED"),
        )


def test_every_reply_of_every_route_decodes_strictly(checked: Checked, receiver: Receiver) -> None:
    picture = _artwork_routes(checked, receiver.url)
    _more_routes(checked, picture)
    assert sorted(set(checked.problems)) == []
    assert set(ROUTES) - checked.seen == set(), "routes of the references never exercised"
    assert checked.replies > len(ROUTES)
    bodies = receiver.wait_for(lambda b: len(b) >= 2)
    success = [b for b in bodies if b["success"]]
    failure = [b for b in bodies if not b["success"]]
    assert success and failure
    errors = [e for b in success for e in decoder(SUCCESS_CALLBACK)(b, "success callback")]
    errors += [e for b in failure for e in decoder(FAILURE_CALLBACK)(b, "failure callback")]
    assert errors == []


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("{a: int}", {"x": {"a": 1.0}}),
        ("{a: int}", {"x": {"a": "1"}}),
        ("{a: string}", {"x": {"a": 1}}),
        ("{a: bool}", {"x": {"a": 0}}),
        ("{a: float}", {"x": {"a": "1.5"}}),
        ("{a: [int]}", {"x": {"a": [1, 2.5]}}),
        ("{a: {b: string}}", {"x": {"a": {}}}),
        ("{a: string}", {"x": {"a": None}}),
    ],
)
def test_the_decoder_refuses_what_go_would_not_read(text: str, errors: dict[str, Any]) -> None:
    assert decoder(text)(errors["x"], "x") != []


def test_the_decoder_accepts_what_the_types_allow() -> None:
    check = decoder("{a: int, b: float, c?: string, d: [int], e: {f: any}, g: any}")
    assert check({"a": 1, "b": 1, "d": None, "e": None, "g": None, "extra": 1}, "x") == []
    assert check({"a": 1, "b": 2.5, "c": "x", "d": [], "e": {"f": [1]}, "g": {}}, "x") == []


def _seed(name: str) -> Any:
    return repair_json((SEED_DATA / name).read_text(encoding="utf-8"))


def test_the_seed_samples_decode_strictly() -> None:
    """Seeds 000 (``/ai/info``) and 001 (avatar create reply, success callback).

    Seed 000 prints ``audit_info`` unescaped, so it is repaired into JSON text first.
    """
    info = _seed("seed_000_info.json")
    assert decoder(ENVELOPE)(info, "seed 000") == []
    assert decoder(INFO)(info["data"], "seed 000 data") == []
    reply = _seed("seed_001_create_reply.json")
    assert decoder(ENVELOPE)(reply, "seed 001") == []
    assert decoder(AVATAR_CREATE)(reply["data"], "seed 001 data") == []
    callback = _seed("seed_001_callback.json")
    assert decoder(SUCCESS_CALLBACK)(callback, "seed 001 callback") == []
    assert json.loads(info["data"]["audit_info"])["total_suggestion"] == "PASS"
