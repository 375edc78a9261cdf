"""Video to video (``/ai/video/*``) and image to video (``/ai/pro/svd/*``).

Results are short animated WebP clips whose frames derive from the source: a camera move
over the source picture (SVD: ``camera_move_type`` and ``motion_amplitude``), restyled by
the video model (video to video). The clip is encoded in a worker thread while the job runs;
the job ends once it is ready, so the reported ``size`` is the file's. Statuses use the
artwork codes (1 queued, 2 generating, 4 success, 3 failed): the sandbox's assumption.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from wjnb.models_more import CameraMove, VideoStatus

from . import media
from .fields import json_object, number, query, request_text, text, url
from .images import Encoded, encode, encoded
from .sources import Drawing, picture
from .state import SandboxState
from .tasks import INTEGRAL, Phases, Task
from .validate import as_int, invalid, notify_url, parse_keys
from .wujie_routes import MAX_POLL_KEYS, envelope, read_json

PHASES = Phases(
    waiting=int(VideoStatus.QUEUED),
    running=int(VideoStatus.GENERATING),
    success=int(VideoStatus.SUCCESS),
    failed=int(VideoStatus.FAILED),
)
VIDEO_MODELS = {1: "水彩", 2: "动漫", 3: "素描"}
PRICE, NIGHT_PRICE = 10, 5  # credits per started 5 s of source video
NIGHT_QUEUE = 1  # queue_type of the cheaper, slower night queue (the sandbox's assumption)
MAX_VIDEO_SECONDS = 60
SVD_PRICE = 2  # credits per second of clip
MAX_SVD_SECONDS = 8


def _clip(source: Drawing, seconds: float, move: str, amplitude: float, style: int | None) -> Any:
    """Work for a worker thread: the clip and its cover, encoded."""

    def work() -> tuple[Encoded, Encoded, tuple[int, int]]:
        frames = media.clip_frames(source(), seconds, move, amplitude)
        if style is not None:
            frames = media.restyle(frames, style)
        clip = encoded(media.encode_clip(frames), "image/webp")
        return clip, encode(frames[0], "jpg"), frames[0].size

    return work


def routes(state: SandboxState) -> list[Route]:
    """The video and SVD routes."""
    tasks = state.tasks

    def files(task: Task, name: str) -> str:
        """Register the clip (and cover) files served once the worker made them."""

        def part(index: int) -> Encoded:
            made: Encoded = task.result["work"][index]
            return made

        task.result["cover"] = tasks.add_file(task, f"{task.key}-cover.jpg", lambda: part(1))
        return tasks.add_file(task, name, lambda: part(0))

    def video_view(task: Task) -> dict[str, Any]:
        p = task.params
        done = tasks.succeeded(task)
        width, height = task.result["work"][2] if done else (0, 0)
        return {
            "key": task.key,
            "model_name": VIDEO_MODELS[p["model_code"]],
            "origin_video_url": p["origin_video_url"],
            "ai_video_url": task.result["url"] if done else "",
            "model_code": p["model_code"],
            "status": tasks.status(task),
            "create_time": int(task.created),
            "complete_time": int(task.completed),
            "expected_seconds": tasks.eta(task),
            "queue_type": p["queue_type"],
            "complete_percent": tasks.percent(task),
            "ai_video_meta_info": {
                "format": "webp" if done else "",
                "width": width,
                "height": height,
                "duration": p["video_duration"] if done else 0,
                "size": len(task.result["work"][0].body) if done else 0,
                "codec_type": "webp" if done else "",
                "frame_rate": media.CLIP_FPS if done else 0,
                "cover": {
                    "url": task.result["cover"] if done else "",
                    "width": width,
                    "height": height,
                },
            },
            "violation": False,
            "violation_info": {
                "check_fail": False,
                "total_suggestion": "PASS" if done else "",
                "data_id": task.key if done else "",
                "task_id": task.key,
                "url": p["origin_video_url"],
                "source_result": "",
                "vendor_app": "sandbox",
                "_screenshot_nums": 0,
                "screenshot_infos": [],
            },
            "fail_message": tasks.fail_message(task),
        }

    def svd_view(task: Task) -> dict[str, Any]:
        p = task.params
        return {
            "key": task.key,
            "video_url": task.result["url"] if tasks.succeeded(task) else "",
            "init_image_url": p["init_image_url"],
            "duration": p["duration"],
            "motion_amplitude": p["motion_amplitude"],
            "noise_intensity": p["noise_intensity"],
            "random_seed": p["random_seed"],
            "status": tasks.status(task),
            "fail_message": tasks.fail_message(task),
        }

    @envelope
    async def option_menu(request: Request) -> Any:
        return {
            "ai_video_model_option_vos": [
                {"model_code": c, "name": n} for c, n in VIDEO_MODELS.items()
            ],
            "pay_info_vo": {"price": PRICE, "night_price": NIGHT_PRICE},
        }

    @envelope
    async def wait_time(request: Request) -> Any:
        code = int(query(request, "modelCode")) if query(request, "modelCode").isdigit() else 0
        if code not in VIDEO_MODELS:
            raise invalid(f"modelCode must be one of {sorted(VIDEO_MODELS)}")
        wait = tasks.estimate_new(30.0)
        return {
            "free_expected_seconds": wait,
            "night_expected_time": wait * 2,
            "queue_num": tasks.waiting,
        }

    @envelope
    async def create(request: Request) -> Any:
        body = await json_object(request)
        source = url(body, "origin_video_url")
        seconds = as_int(body, "video_duration", 0, 0, MAX_VIDEO_SECONDS) or 5
        code = as_int(body, "model_code", 1, 0, 2**31)
        if code not in VIDEO_MODELS:
            raise invalid(f"model_code must be one of {sorted(VIDEO_MODELS)}")
        queue = as_int(body, "queue_type", 0, 0, 1)
        params = {
            "origin_video_url": source,
            "video_duration": seconds,
            "model_code": code,
            "queue_type": queue,
        }
        price = NIGHT_PRICE if queue == NIGHT_QUEUE else PRICE
        task = tasks.submit(
            "video", PHASES, params,
            seconds=(10.0 + 4.0 * seconds) * (2 if queue == NIGHT_QUEUE else 1),
            cost=price * math.ceil(seconds / 5), unit=INTEGRAL,
            triggers=tasks.admissible(request_text(body)), notify_url=notify_url(body),
        )  # fmt: skip
        task.callback = video_view
        tasks.wait_for(task, _clip(picture(state, source), seconds, "MOVE_RIGHT", 1.0, code))
        task.result["url"] = files(task, f"{task.key}.webp")
        state.counters.creates["POST /ai/video/create"] += 1
        return {"key": task.key}

    @envelope
    async def poll(request: Request) -> Any:
        keys = parse_keys(await read_json(request), MAX_POLL_KEYS)
        found = [tasks.tasks.get(k) for k in keys]
        mine = [t for t in found if t is not None and t.kind == "video"]
        pending = [tasks.eta(t) for t in mine if not tasks.done(t)]
        return {
            "list": [video_view(t) for t in mine],
            "next_polling_time": max(1, min(pending)) if pending else 0,
        }

    @envelope
    async def info(request: Request) -> Any:
        return video_view(tasks.get(query(request, "key"), "video"))

    @envelope
    async def svd_create(request: Request) -> Any:
        body = await json_object(request)
        image = url(body, "init_image_url")
        seconds = as_int(body, "duration", 0, 0, MAX_SVD_SECONDS) or 4
        move = body.get("camera_move_type") or CameraMove.DEFAULT.value
        if move not in {m.value for m in CameraMove}:
            raise invalid(f"camera_move_type must be one of {[m.value for m in CameraMove]}")
        amplitude = as_int(body, "motion_amplitude", 0, 0, 255) or 127
        params = {
            "init_image_url": image,
            "duration": seconds,
            "motion_amplitude": amplitude,
            "noise_intensity": number(body, "noise_intensity", 0.02, 0.0, 1.0),
            "random_seed": text(body, "random_seed") or str(state.ids.seed()),
            "camera_move_type": move,
        }
        task = tasks.submit(
            "svd", PHASES, params, seconds=8.0 + 3.0 * seconds, cost=SVD_PRICE * seconds,
            unit=INTEGRAL, triggers=tasks.admissible(request_text(body)),
            notify_url=notify_url(body),
        )  # fmt: skip
        task.callback = svd_view
        work = _clip(picture(state, image), seconds, move, amplitude / 127, None)
        tasks.wait_for(task, work)
        task.result["url"] = files(task, f"{task.key}.webp")
        state.counters.creates["POST /ai/pro/svd/create"] += 1
        return {"key": task.key}

    @envelope
    async def svd_info(request: Request) -> Any:
        return svd_view(tasks.get(query(request, "key"), "svd"))

    return [
        Route("/ai/video/option_menu", option_menu, methods=["GET"]),
        Route("/ai/video/wait_time", wait_time, methods=["GET"]),
        Route("/ai/video/create", create, methods=["POST"]),
        Route("/ai/video/generating_info", poll, methods=["POST"]),
        Route("/ai/video/info", info, methods=["GET"]),
        Route("/ai/pro/svd/create", svd_create, methods=["POST"]),
        Route("/ai/pro/svd/info", svd_info, methods=["GET"]),
    ]
