"""The AI lab (``/ai/pro/lab/*``): segment anything, infinite zoom and vectorisation.

camelCase JSON; create bodies wrap their fields in ``input`` and replies in
``aiLabMutation``; a job is read back by (``serviceKey``, ``aiType``). Segmentation returns
a PNG mask (white where the picked points' colours are) listed in ``segmentInfo.imageUrls``;
infinite zoom returns an animated WebP zooming into the init image (``videoUrl``);
vectorisation returns an SVG and a PNG preview in ``vectorInfo.vectorRes``. ``status`` is a
string (``WAITING``, ``RUNNING``, ``SUCCESS``, ``FAILED``: the sandbox's assumption).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image
from starlette.requests import Request
from starlette.routing import Route

from wjnb.models_more import LabAiType, LabOptionType, LabStatus

from . import media
from .fields import json_object, request_text
from .images import Encoded, encoded
from .shapes import conform
from .sources import Drawing, picture, png
from .state import SandboxState
from .tasks import INTEGRAL, Phases, Task
from .validate import invalid
from .wujie_routes import envelope

PHASES = Phases(
    waiting=LabStatus.WAITING.value,
    running=LabStatus.RUNNING.value,
    success=LabStatus.SUCCESS.value,
    failed=LabStatus.FAILED.value,
)
LAB_PRICE = 2
OPTIONS = {
    LabOptionType.INFINITE_ZOOM_MODEL: ((1, "写实 zoom"), (2, "幻想 zoom")),
    LabOptionType.INFINITE_ZOOM_SAMPLER: ((0, "Euler a"), (2, "DPM++ 2M Karras")),
    LabOptionType.SEGMENT_ANYTHING_MODEL: ((1, "sam_vit_b"), (2, "sam_vit_h")),
    LabOptionType.VECTOR_STUDIO_STYLE: ((1, "扁平"), (2, "剪影"), (3, "海报")),
}
_ZOOM = {
    "cfg": int,
    "creativity": int,
    "exitImageUrl": str,
    "fps": [{"prompt": str, "second": int}],
    "imageHeight": int,
    "imageSeed": int,
    "imageWidth": int,
    "initImageUrl": str,
    "maskFeathering": int,
    "modelCode": int,
    "movementSpeed": int,
    "promptPrefix": str,
    "promptSuffix": str,
    "sampler": int,
    "ucPrompt": str,
    "videoEndFreezeFrameNumber": int,
    "videoFrameRate": int,
    "videoSecond": int,
    "videoStartFreezeFrameNumber": int,
    "videoZoomMode": int,
}
_VECTOR = {
    "vectorization": bool,
    "style": int,
    "threshold": int,
    "whiteOpaque": bool,
    "whiteMarginFormat": bool,
    "transparentPNG": bool,
    "noiseTolerance": int,
    "quantize": int,
}


def _input(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("input")
    if not isinstance(value, dict):
        raise invalid("input must be an object")
    return value


def _image_url(given: dict[str, Any], name: str) -> str:
    """``name`` or its ``…Param.url`` twin, whichever is set."""
    direct = given.get(name)
    param = given.get(f"{name}Param")
    found = direct or (param.get("url") if isinstance(param, dict) else None)
    if not isinstance(found, str) or not found.startswith(("http://", "https://")):
        raise invalid(f"{name} (or {name}Param.url) must be an http(s) URL")
    return found


def _points(value: object) -> list[tuple[int, int]]:
    """Points that carry both coordinates (the SDK sends ``{}``: those are skipped)."""
    points = value if isinstance(value, list) else []
    return [
        (p["x"], p["y"])
        for p in points
        if isinstance(p, dict) and isinstance(p.get("x"), int) and isinstance(p.get("y"), int)
    ]


def _mask(source: Drawing, points: list[tuple[int, int]], threshold: int) -> Drawing:
    return lambda: media.mask(source(), points, threshold)


def _zoom_clip(source: Drawing, seconds: int) -> Callable[[], Encoded]:
    return lambda: encoded(
        media.encode_clip(media.clip_frames(source(), seconds, "MOVE_ZOOMIN", 2.5)), "image/webp"
    )


def _svg(source: Drawing, colours: int) -> Callable[[], Encoded]:
    return lambda: encoded(media.vector_svg(source(), colours).encode(), "image/svg+xml")


def _preview(source: Drawing, colours: int) -> Drawing:
    def draw() -> Image.Image:
        return source().quantize(colours).convert("RGB")

    return draw


def routes(state: SandboxState) -> list[Route]:
    """The lab routes."""
    tasks = state.tasks

    def info_view(task: Task) -> dict[str, Any]:
        p, done = task.params, tasks.succeeded(task)
        out: dict[str, Any] = {
            "aiType": p["aiType"],
            "serviceKey": task.key,
            "checkIsViolation": 0,
            "completePercent": int(tasks.percent(task)),
            "failMessage": tasks.fail_message(task)["fail_message"] if task.failed else None,
            "status": tasks.status(task),
            "segmentInfo": None,
            "infiniteZoomInfo": None,
            "vectorInfo": None,
        }
        if p["aiType"] == LabAiType.AI_LAB_SEGMENTATION.value:
            out["segmentInfo"] = {
                "imageUrl": p["imageUrl"],
                "modelCode": p["modelCode"],
                "modelName": dict(OPTIONS[LabOptionType.SEGMENT_ANYTHING_MODEL])[p["modelCode"]],
                "negativePoints": [f"{x},{y}" for x, y in p["negative"]],
                "positivePoints": [{"x": x, "y": y} for x, y in p["positive"]],
                "prompt": p["prompt"],
                "threshold": p["threshold"],
                "imageUrls": [task.result["url"]] if done else [],
            }
        elif p["aiType"] == LabAiType.AI_LAB_INFINITE_ZOOM.value:
            zoom = p["zoom"]
            out["infiniteZoomInfo"] = {
                **zoom,
                "videoUrl": task.result["url"] if done else "",
                "modelName": dict(OPTIONS[LabOptionType.INFINITE_ZOOM_MODEL])[zoom["modelCode"]],
                "samplerName": dict(OPTIONS[LabOptionType.INFINITE_ZOOM_SAMPLER])[zoom["sampler"]],
            }
        else:
            vector = p["vector"]
            out["vectorInfo"] = {
                **vector,
                "miniArtWorkUrl": task.result["preview"] if done else "",
                "styleName": dict(OPTIONS[LabOptionType.VECTOR_STUDIO_STYLE])[vector["style"]],
                "aiArtworkId": None,
                "vectorRes": [
                    {"url": task.result["url"], "showName": "SVG", "type": "SVG"},
                    {"url": task.result["preview"], "showName": "PNG", "type": "PNG"},
                ]
                if done
                else [],
            }
        return out

    def submit(kind: LabAiType, params: dict[str, Any], given: dict[str, Any]) -> Task:
        notify = given.get("notifyUrl")
        task = tasks.submit(
            "lab", PHASES, {**params, "aiType": kind.value}, seconds=6.0, cost=LAB_PRICE,
            unit=INTEGRAL, triggers=tasks.admissible(request_text(given)),
            notify_url=notify if isinstance(notify, str) and notify else None,
        )  # fmt: skip
        task.callback = info_view
        state.counters.creates[f"POST lab {kind.value}"] += 1
        return task

    def option(given: dict[str, Any], name: str, choices: LabOptionType) -> int:
        """A code among the tool's options (0 or null: the first one)."""
        known = dict(OPTIONS[choices])
        code = given.get(name) or OPTIONS[choices][0][0]
        if code not in known:
            raise invalid(f"{name} must be one of {sorted(known)}")
        return int(code)

    async def options(request: Request) -> Any:
        body = await json_object(request)
        given = body.get("input") or {}
        kind = given.get("optionType") if isinstance(given, dict) else None
        if kind not in {t.value for t in LabOptionType}:
            raise invalid(f"input.optionType must be one of {[t.value for t in LabOptionType]}")
        found = OPTIONS[LabOptionType(kind)]
        return {"aiLabQuery": {"options": [{"code": c, "name": n} for c, n in found]}}

    async def info(request: Request) -> Any:
        body = await json_object(request)
        task = tasks.get(body.get("serviceKey"), "lab")
        if body.get("aiType") != task.params["aiType"]:
            raise invalid(f"aiType does not match the job ({task.params['aiType']})")
        return info_view(task)

    async def segmentation(request: Request) -> Any:
        given = _input(await json_object(request))
        image = _image_url(given, "imageUrl")
        threshold = conform(given.get("threshold"), int)
        params = {
            "imageUrl": image,
            "modelCode": option(given, "modelCode", LabOptionType.SEGMENT_ANYTHING_MODEL),
            "positive": _points(given.get("positivePoints")),
            "negative": _points(given.get("negativePoints")),
            "prompt": given.get("prompt") if isinstance(given.get("prompt"), str) else "",
            "threshold": threshold,
        }
        task = submit(LabAiType.AI_LAB_SEGMENTATION, params, given)
        draw = _mask(picture(state, image), params["positive"], threshold)
        task.result["url"] = tasks.add_file(task, f"{task.key}-mask.png", png(draw))
        key = {"aiType": LabAiType.AI_LAB_SEGMENTATION.value, "key": task.key}
        return {"aiLabMutation": {"segmentAnythingCreateV2": key}}

    async def infinite_zoom(request: Request) -> Any:
        given = _input(await json_object(request))
        image = _image_url(given, "initImageUrl")
        zoom = conform(given, _ZOOM)
        zoom["initImageUrl"] = image
        zoom["modelCode"] = option(given, "modelCode", LabOptionType.INFINITE_ZOOM_MODEL)
        zoom["sampler"] = option(given, "sampler", LabOptionType.INFINITE_ZOOM_SAMPLER)
        zoom["videoSecond"] = min(max(zoom["videoSecond"], 1), 8) if zoom["videoSecond"] else 3
        task = submit(LabAiType.AI_LAB_INFINITE_ZOOM, {"zoom": zoom}, given)
        clip = _zoom_clip(picture(state, image), zoom["videoSecond"])
        task.result["url"] = tasks.add_file(task, f"{task.key}-zoom.webp", clip)
        key = {"key": task.key, "aiType": LabAiType.AI_LAB_INFINITE_ZOOM.value}
        return {"aiLabMutation": {"infiniteZoomCreateV2": key}}

    async def vectorize(request: Request) -> Any:
        given = _input(await json_object(request))
        image = _image_url(given, "initImage")
        vector = conform(given, _VECTOR)
        vector["style"] = option(given, "style", LabOptionType.VECTOR_STUDIO_STYLE)
        colours = min(max(vector["quantize"], 2), 16) if vector["quantize"] else 8
        task = submit(LabAiType.VECTOR, {"vector": vector}, given)
        source = picture(state, image)
        task.result["url"] = tasks.add_file(task, f"{task.key}.svg", _svg(source, colours))
        preview = png(_preview(source, colours))
        task.result["preview"] = tasks.add_file(task, f"{task.key}-vec.png", preview)
        key = {"key": task.key, "aiType": LabAiType.VECTOR.value}
        return {"aiLabMutation": {"vectorStudioCreateV2": key}}

    return [
        Route(path, envelope(handler), methods=["POST"])
        for path, handler in (
            ("/ai/pro/lab/options", options),
            ("/ai/pro/lab/info", info),
            ("/ai/pro/lab/create/segmentation", segmentation),
            ("/ai/pro/lab/createInfiniteZoom", infinite_zoom),
            ("/ai/pro/lab/createVectorsStudio", vectorize),
        )
    ]
