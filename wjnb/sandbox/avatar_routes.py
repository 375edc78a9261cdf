"""Avatar training (``/avatar/create``, ``/avatar/info``...) and the personal camera
(``/avatar/camera/*``, also served under ``/ai/camera/*`` as Apifox documents it).

A photo check fails for URLs carrying ``[noface]`` (status ``NO_FACE``, the sandbox's
assumption) and passes otherwise. Training costs credits and ends with a LoRA name; the
camera renders a trained avatar (or the demo account's avatar) into templates, charged in
pro time (one unit per GPU second).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from PIL import Image
from starlette.requests import Request
from starlette.routing import Route

from wjnb.models_more import AvatarStatus, CameraStatus

from . import catalog, render
from .fields import json_object, query, request_text
from .sources import png
from .state import SandboxState
from .tasks import DURATION, INTEGRAL, Phases, Task
from .validate import as_int, invalid, notify_url, parse_keys
from .wujie_routes import MAX_POLL_KEYS, envelope, read_json

TRAINING = Phases(
    waiting=int(AvatarStatus.QUEUED),
    running=int(AvatarStatus.TRAINING),
    success=int(AvatarStatus.SUCCESS),
    failed=int(AvatarStatus.FAILED),
    admitted=int(AvatarStatus.CREATED),
)
CAMERA = Phases(
    waiting=int(CameraStatus.QUEUED),
    running=int(CameraStatus.GENERATING),
    success=int(CameraStatus.SUCCESS),
    failed=int(CameraStatus.FAILED),
    admitted=int(CameraStatus.SUBMITTED),
)
TRAINING_PRICE = 20
MIN_PHOTOS, MAX_PHOTOS = 1, 30
MAX_CAMERA_COUNT = 4
CAMERA_SECONDS = 8.0
CAMERA_SIZE = (768, 1024)


def _similarity(image_url: str) -> float:
    return round(0.8 + int(hashlib.sha256(image_url.encode()).hexdigest()[:4], 16) / 0x10000 / 5, 4)


def image_check(body: dict[str, Any]) -> dict[str, Any]:
    """``/avatar/image_check_batch``: a verdict per photo."""
    urls = body.get("image_url_list")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise invalid("image_url_list must be a non-empty list of URLs")
    out = []
    for image_url in urls[:MAX_PHOTOS]:
        ok = "[noface]" not in image_url.lower()
        out.append(
            {
                "image_url": image_url,
                "pass": ok,
                "status": "PASS" if ok else "NO_FACE",
                "message": "" if ok else "未检测到人脸: no face found (sandbox trigger [noface])",
                "similarity": _similarity(image_url) if ok else 0.0,
            }
        )
    return {"image_check_info_list": out}


def routes(state: SandboxState) -> list[Route]:
    """The avatar-training and camera routes."""
    tasks = state.tasks
    templates = {t["template_key"]: t for t in catalog.avatar_templates(state.cdn_url)}

    def avatar_view(task: Task) -> dict[str, Any]:
        done = tasks.succeeded(task)
        return {
            "key": task.key,
            "model_fusion_name": f"wjnb_avatar_{task.key[:8].lower()}" if done else "",
            "status": tasks.status(task),
        }

    def camera_poll(task: Task) -> dict[str, Any]:
        return {
            "key": task.key,
            "status": tasks.status(task),
            "artwork_url": task.result["url"] if tasks.succeeded(task) else "",
            "expected_seconds": tasks.eta(task),
            "start_gen_time": int(task.started),
            "complete_time": int(task.completed),
            "complete_percent": tasks.percent(task),
            "fail_message": tasks.fail_message(task),
        }

    def camera_view(task: Task) -> dict[str, Any]:
        done = tasks.succeeded(task)
        width, height = CAMERA_SIZE if done else (0, 0)
        return {
            "key": task.key,
            "status": tasks.status(task),
            "artwork_url": task.result["url"] if done else "",
            "width": width,
            "height": height,
            "seed": str(task.params["seed"]),
            "fail_message": tasks.fail_message(task),
        }

    def trained(key: object) -> str:
        if key == state.wujie.avatar_key:
            return key
        task = tasks.get(key, "avatar")
        if not tasks.succeeded(task):
            raise invalid("the avatar is not trained yet (status must be 10)")
        return task.key

    @envelope
    async def check(request: Request) -> Any:
        return image_check(await json_object(request))

    @envelope
    async def train(request: Request) -> Any:
        body = await json_object(request)
        photos = body.get("train_image_url_list")
        if not isinstance(photos, list) or not MIN_PHOTOS <= len(photos) <= MAX_PHOTOS:
            raise invalid(f"train_image_url_list must hold {MIN_PHOTOS}-{MAX_PHOTOS} URLs")
        for i, photo in enumerate(photos):
            if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
                raise invalid(f"train_image_url_list[{i}] must be an http(s) URL")
        task = tasks.submit(
            "avatar", TRAINING, {"photos": photos}, seconds=60.0 + 5.0 * len(photos),
            cost=TRAINING_PRICE, unit=INTEGRAL, triggers=tasks.admissible(request_text(body)),
            notify_url=notify_url(body),
        )  # fmt: skip
        task.callback = avatar_view
        state.counters.creates["POST /avatar/create"] += 1
        return {"key": task.key, "expected_second": tasks.eta(task)}

    @envelope
    async def info(request: Request) -> Any:
        return avatar_view(tasks.get(query(request, "key"), "avatar"))

    @envelope
    async def delete(request: Request) -> Any:
        body = await json_object(request)
        task = tasks.get(body.get("avatar_key"), "avatar")
        if not tasks.done(task):
            raise invalid("the avatar is still training; delete it once training ended")
        task.kind = "avatar-deleted"
        return None

    @envelope
    async def template_options(request: Request) -> Any:
        return [
            {"_key": key, "category": t["theme_name"], "url": t["sample_image_url"]}
            for key, t in templates.items()
        ]

    @envelope
    async def camera_create(request: Request) -> Any:
        body = await json_object(request)
        avatar = trained(body.get("avtar_key") or body.get("avatar_key"))
        param = body.get("template_create_param") or {}
        if not isinstance(param, dict):
            raise invalid("template_create_param must be an object or null")
        template = templates.get(param.get("template_key") or next(iter(templates)))
        if template is None:
            raise invalid(f"unknown template_key {param.get('template_key')!r}")
        count = as_int(param, "count", 0, 0, MAX_CAMERA_COUNT) or 1
        cost = math.ceil(CAMERA_SECONDS)
        tasks.require(DURATION, cost * count)
        triggers = tasks.admissible(request_text(body))
        keys = []
        for _ in range(count):
            seed = state.ids.seed()
            params = {"avatar": avatar, "template": template["template_key"], "seed": seed}
            task = tasks.submit(
                "camera", CAMERA, params, seconds=CAMERA_SECONDS, cost=cost, unit=DURATION,
                triggers=triggers,
            )  # fmt: skip
            prompt = f"{template['template_name']} portrait of avatar {avatar[:6]}"

            def draw(prompt: str = prompt, seed: int = seed) -> Image.Image:
                return render.render_artwork(prompt, seed, 1, 0, 30, 7.0, *CAMERA_SIZE)

            task.result["url"] = tasks.add_file(task, f"{task.key}.png", png(draw))
            keys.append(task.key)
        state.counters.creates["POST /avatar/camera/create"] += 1
        return {"keys": keys, "expected_duration_cost": cost * count}

    @envelope
    async def camera_generating(request: Request) -> Any:
        keys = parse_keys(await read_json(request), MAX_POLL_KEYS)
        found = [tasks.tasks.get(k) for k in keys]
        return {"infos": [camera_poll(t) for t in found if t is not None and t.kind == "camera"]}

    @envelope
    async def camera_info(request: Request) -> Any:
        return camera_view(tasks.get(query(request, "key"), "camera"))

    camera_reads = [
        Route(f"{prefix}/camera/{name}", handler, methods=[method])
        for prefix in ("/avatar", "/ai")
        for name, handler, method in (
            ("generating_info", camera_generating, "POST"),
            ("info", camera_info, "GET"),
        )
    ]
    return [
        Route("/avatar/image_check_batch", check, methods=["POST"]),
        Route("/avatar/create", train, methods=["POST"]),
        Route("/avatar/info", info, methods=["GET"]),
        Route("/avatar/delete", delete, methods=["POST"]),
        Route("/avatar/camera/template_options", template_options, methods=["GET"]),
        Route("/avatar/camera/create", camera_create, methods=["POST"]),
        *camera_reads,
    ]
