"""Pro artworks (专业版作画) and the account routes: ``/ai/pro/*``, ``/account/integral/exchange``.

A pro create makes ``batch_count`` jobs charged in pro time (one unit per GPU second,
rounded up), rendered from the prompt, sampler, steps, cfg and seed, with the first
ControlNet unit's picture blended in at its ``control_weight``. Status codes are the
artwork codes (0, 1, 2, 4; 3 on ``[fail]``), the reference's presumption.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from PIL import Image
from starlette.requests import Request
from starlette.routing import Route

from wjnb.models import ArtworkStatus

from . import render
from .fields import json_object, number, query, request_text, text
from .shapes import conform
from .sources import Drawing, picture, png
from .state import SandboxState
from .tasks import DURATION, Phases, Task
from .triggers import audit_info, strip_triggers
from .validate import as_int, invalid, parse_keys
from .wujie_routes import MAX_POLL_KEYS, envelope, read_json

PHASES = Phases(
    waiting=int(ArtworkStatus.QUEUED),
    running=int(ArtworkStatus.GENERATING),
    success=int(ArtworkStatus.SUCCESS),
    failed=int(ArtworkStatus.FAILED),
    admitted=int(ArtworkStatus.SUBMITTED),
)
MODELS = {  # model_code -> (type, version, description, controlnet_support)
    101: (1, "SD 1.5 写实", "写实模型", "SUPPORT"),
    102: (3, "Anything v5", "二次元模型", "SUPPORT"),
    103: (4, "国风 v3", "风格模型", "NOT_SUPPORT"),
}
MAX_BATCH = 4
MAX_SIDE = 2048

_SLIDER = {"name": str, "min": int, "max": int, "step": int, "value": int, "name_cn": str}
_UNIT = {
    "type": int,
    "preprocessor": int,
    "model": int,
    "control_weight": int,
    "starting_control_step": int,
    "ending_control_step": int,
    "control_mode": int,
    "image_url": str,
    "image_width": int,
    "image_height": int,
    "mask_url": str,
    "processor_res": int,
    "threshold_a": int,
    "threshold_b": int,
    "resize_mode": int,
    "pixel_perfect": bool,
}
_INPAINT = {
    "mask_zone_image_url": str,
    "mask_blur": int,
    "inpainting_fill": int,
    "inpainting_mask_invert": bool,
    "inpaint_full_res_padding": int,
    "inpaint_full_res": bool,
}
_FACE = {
    "enabled": bool,
    "use_minimal_area": bool,
    "affected_areas": [str],
    "mask_size": int,
    "mask_blur": int,
    "max_face_count": int,
    "confidence": float,
    "face_margin": float,
    "face_size": int,
    "ignore_larger_faces": bool,
    "strength1": float,
    "apply_inside_mask_only": bool,
    "strength2": float,
    "prompt_for_face": str,
}
_UPSCALE = {
    "enabled": bool,
    "target_size_type": int,
    "upscaler_index": int,
    "redraw_mode": int,
    "tile_width": int,
    "tile_height": int,
    "mask_blur": int,
    "seams_fix_type": int,
    "seams_fix_width": int,
    "seams_fix_denoise": float,
    "seams_fix_padding": int,
}
_FUSION = {"name": str, "weight": float}
_BBOX = {
    "enabled": bool,
    "x": float,
    "y": float,
    "w": float,
    "h": float,
    "prompt": str,
    "neg_prompt": str,
    "blend_mode": str,
    "seed": int,
}


def model_base_infos() -> list[dict[str, Any]]:
    """``/ai/pro/model_base_infos``."""
    return [
        {
            "type": t,
            "model_code": code,
            "model_version": v,
            "model_desc": d,
            "controlnet_support": c,
        }
        for code, (t, v, d, c) in MODELS.items()
    ]


def _slider(name: str, lo: int, hi: int, value: int) -> dict[str, Any]:
    return {"name": name, "min": lo, "max": hi, "step": 1, "value": value, "name_cn": name}


def controlnet_options() -> list[dict[str, Any]]:
    """``/ai/pro/controlNetOption``: three ControlNet types, one model and preprocessor each."""
    out = []
    for code, name in ((1, "canny"), (2, "depth"), (3, "openpose")):
        out.append(
            {
                "code": code,
                "name": name,
                "model": [
                    {"code": code * 10 + 1, "name": f"control_v11_{name}", "is_default": True}
                ],
                "preprocessor": [
                    {
                        "code": code * 100 + 1,
                        "name": name,
                        "resolution": _slider("processor_res", 64, 2048, 512),
                        "threshold_a": _slider("threshold_a", 1, 255, 100),
                        "threshold_b": _slider("threshold_b", 1, 255, 200),
                        "is_default": True,
                    }
                ],
            }
        )
    return out


def _seed(text_seed: str, fallback: int, index: int) -> int:
    if text_seed.strip().isdigit():
        return (int(text_seed) + index) % 2**32
    if text_seed.strip() in ("", "-1"):
        return (fallback + index) % 2**32
    return (int(hashlib.sha256(text_seed.encode()).hexdigest()[:8], 16) + index) % 2**32


def _drawing(
    params: dict[str, Any], seed: int, nsfw: bool, control: Drawing | None, weight: float
) -> Drawing:
    adv = params["advanced_param"]
    kind = MODELS[params["model_code"]][0]
    width, height = params["width"], params["height"]
    prompt, uc = strip_triggers(params["prompt"]), adv["uc_prompt"]

    def draw() -> Image.Image:
        if nsfw:
            return render.render_placeholder(width, height)
        img = render.render_artwork(
            prompt, seed, kind, adv["sampler_index"], adv["sampler_steps"], adv["cfg"],
            width, height, uc,
        )  # fmt: skip
        if control is not None and weight > 0:
            guide = control().convert("RGB").resize((width, height))
            img = Image.blend(img, guide, min(0.6, 0.25 * weight))
        return img

    return draw


def _parse(body: dict[str, Any]) -> dict[str, Any]:
    code = as_int(body, "model_code", 0, 0, 2**31)
    if code not in MODELS:
        raise invalid(f"model_code {code} is not a pro model; use one of {sorted(MODELS)}")
    width = as_int(body, "width", 0, 0, MAX_SIDE) or 1024
    height = as_int(body, "height", 0, 0, MAX_SIDE) or 1024
    if width % 8 or height % 8 or min(width, height) < 64:
        raise invalid(f"unsupported size {width}x{height}: 64-{MAX_SIDE} px, multiples of 8")
    adv = body.get("advanced_param") or {}
    if not isinstance(adv, dict):
        raise invalid("advanced_param must be an object")
    units = body.get("control_net_params")
    if units is not None and not isinstance(units, list):
        raise invalid("control_net_params must be a list or null")
    return {
        "model_code": code,
        "prompt": text(body, "prompt", required=True),
        "width": width,
        "height": height,
        "batch_count": as_int(body, "batch_count", 0, 0, MAX_BATCH) or 1,
        "supersize_multiple": number(body, "supersize_multiple", 1.0, 1.0, 4.0),
        "prefine_multiple": number(body, "prefine_multiple", 1.0, 1.0, 4.0),
        "advanced_param": {
            "uc_prompt": text(adv, "uc_prompt"),
            "restore_faces": bool(adv.get("restore_faces")),
            "tilling": bool(adv.get("tilling")),
            "seed": str(adv.get("seed") or ""),
            "vae_file": text(adv, "vae_file"),
            "cfg": number(adv, "cfg", 7.0, 0.0, 30.0),
            "sampler_steps": as_int(adv, "sampler_steps", 0, 0, 150) or 30,
            "sampler_index": as_int(adv, "sampler_index", 0, 0, 7),
            "clip_skip": as_int(adv, "clip_skip", 0, 0, 12),
            "ensd": number(adv, "ensd", 0.0, 0.0, 1e9),
        },
        "raw": body,
    }


def _info(task: Task) -> dict[str, Any]:
    """``/ai/pro/info`` of one job."""
    p, raw = task.params, task.params["raw"]
    adv = p["advanced_param"]
    option = raw.get("option_param") if isinstance(raw.get("option_param"), dict) else {}
    img2img = raw.get("img_to_img_param") if isinstance(raw.get("img_to_img_param"), dict) else {}
    tiled = conform(raw.get("tiled_diffusion_d_t_o"), {"enabled": bool, "draw_background": bool})
    tiled["bbox_control_states"] = [
        {
            **conform(b, _BBOX),
            "option_info": {"character_options": [], "model_fusion": []},
        }
        for b in (raw.get("tiled_diffusion_d_t_o") or {}).get("bbox_control_states") or []
    ]
    return {
        "model_code": p["model_code"],
        "prompt": p["prompt"],
        "width": p["width"],
        "height": p["height"],
        "supersize_multiple": p["supersize_multiple"],
        "prefine_multiple": p["prefine_multiple"],
        "option_info": {
            "style_model": "",
            "character": conform(option.get("character"), [str]),
            "model_fusion": [
                {"name": f.get("key", ""), "weight": float(f.get("weight") or 0)}
                for f in option.get("model_fusion") or []
                if isinstance(f, dict)
            ],
        },
        "advanced_info": {**adv, "hires_fix_info": {"denoising_strength": 0.0}},
        "img_to_img_info": {
            "init_image_url": conform(img2img.get("init_image_url"), str),
            "creativity_degree": conform(img2img.get("creativity_degree"), int),
            "resize_mode": str(conform(img2img.get("resize_mode"), int)),
        },
        "control_net_info": [
            {**conform(u, _UNIT), "pretreatment_image_url": conform(u.get("image_url"), str)}
            for u in raw.get("control_net_params") or []
            if isinstance(u, dict)
        ],
        "cost_info": {"duration_cost": task.cost - task.refunded},
        "inpainting_plugin": {
            **conform(raw.get("inpainting_plugin_d_t_o"), _INPAINT),
            "mask_image_url": "",
        },
        "tiled_diffusion": tiled,
        "face_editor": conform(raw.get("face_editor_d_t_o"), _FACE),
        "ultimate_upscale": conform(raw.get("ultimate_upscale_d_t_o"), _UPSCALE),
        "adetailer": conform(
            raw.get("adetailer_d_t_o_s"),
            [{"ad_model": str, "ad_negative_prompt": str, "ad_prompt": str}],
        ),
        "picture_url": task.result.get("url", "") if task.outcome == "success" else "",
    }


def routes(state: SandboxState) -> list[Route]:
    """The pro artwork and account routes."""
    tasks = state.tasks

    def generating(task: Task) -> dict[str, Any]:
        success = tasks.succeeded(task)
        return {
            "key": task.key,
            "status": tasks.status(task),
            "picture_url": task.result["url"] if success else "",
            "expected_seconds": tasks.eta(task),
            "start_gen_time": int(task.started),
            "complete_time": int(task.completed),
            "complete_percent": tasks.percent(task),
            "involve_yellow": int(success and task.triggers.nsfw),
            "audit_info": task.result["audit"] if success else "",
            "fail_message": tasks.fail_message(task),
        }

    @envelope
    async def create(request: Request) -> Any:
        body = await json_object(request)
        params = _parse(body)
        triggers = tasks.admissible(request_text(body))
        adv = params["advanced_param"]
        megapixels = params["width"] * params["height"] / (1024 * 1024)
        seconds = 2.0 + 8.0 * adv["sampler_steps"] / 30 * megapixels
        cost = math.ceil(seconds)
        tasks.require(DURATION, cost * params["batch_count"])  # all images or none
        units = [u for u in body.get("control_net_params") or [] if isinstance(u, dict)]
        control = (
            picture(state, units[0]["image_url"]) if units and units[0].get("image_url") else None
        )
        weight = float(units[0].get("control_weight") or 0) if units else 0.0
        fallback = state.ids.seed()
        results = []
        for index in range(params["batch_count"]):
            task = tasks.submit(
                "pro", PHASES, params, seconds=seconds, cost=cost, unit=DURATION, triggers=triggers
            )
            seed = _seed(adv["seed"], fallback, index)
            draw = _drawing(params, seed, triggers.nsfw, control, weight)
            task.result["url"] = tasks.add_file(task, f"{task.key}.png", png(draw))
            audit = audit_info(triggers, task.key, state.ids.number(6), task.result["url"])
            task.result["audit"] = json.dumps(audit, ensure_ascii=False, separators=(",", ":"))
            results.append({"key": task.key, "expected_second": tasks.eta(task)})
        state.counters.creates["POST /ai/pro/create"] += 1
        return {"results": results}

    @envelope
    async def poll(request: Request) -> Any:
        keys = parse_keys(await read_json(request), MAX_POLL_KEYS)
        known = [tasks.tasks[k] for k in keys if k in tasks.tasks and tasks.tasks[k].kind == "pro"]
        return {"infos": [generating(t) for t in known]}

    @envelope
    async def info(request: Request) -> Any:
        return _info(tasks.get(query(request, "key"), "pro"))

    @envelope
    async def models(request: Request) -> Any:
        return model_base_infos()

    @envelope
    async def controlnet(request: Request) -> Any:
        return controlnet_options()

    @envelope
    async def pro_balance(request: Request) -> Any:
        body = await json_object(request)
        if body.get("resourceType", "AI_PRO_ACCOUNT") != "AI_PRO_ACCOUNT":
            raise invalid("resourceType must be AI_PRO_ACCOUNT")
        return {"resourceBalance": tasks.balance(DURATION)}

    @envelope
    async def exchange(request: Request) -> Any:
        body = await json_object(request)
        mobile = text(body, "exchange_target_mobile", required=True)
        if not (mobile.isdigit() and len(mobile) == 11):
            raise invalid("exchange_target_mobile must be an 11-digit mobile number")
        amount = as_int(body, "amount", 0, 0, 2**31)
        if amount < 1:
            raise invalid("amount must be at least 1")
        tasks.charge("integral", amount)
        return None

    return [
        Route("/ai/pro/model_base_infos", models, methods=["GET"]),
        Route("/ai/pro/controlNetOption", controlnet, methods=["GET"]),
        Route("/ai/pro/create", create, methods=["POST"]),
        Route("/ai/pro/generating_info", poll, methods=["POST"]),
        Route("/ai/pro/info", info, methods=["GET"]),
        Route("/ai/pro/account/balance", pro_balance, methods=["POST"]),
        Route("/account/integral/exchange", exchange, methods=["POST"]),
    ]
