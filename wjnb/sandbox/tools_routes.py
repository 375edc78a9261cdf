"""Upscale (supersize), youthify and the prompt tools: optimise, spells, spell analysis,
magic dice.

Supersize results are the source picture ``multiple`` times larger and sharper; a youthify
is the source picture softened, brighter and warmer at the requested size; a spell
analysis reads its tags from the picture; an optimised prompt is the original rewritten for
the chosen ``type`` and ``language``. Callback bodies (undocumented) are the job's read view.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from PIL import Image
from starlette.requests import Request
from starlette.routing import Route

from wjnb.models_more import (
    CostType,
    OptimizeCode,
    OptimizeLanguage,
    OptimizeType,
    SpellAnalysisStatus,
    SupersizeStatus,
    SupersizeType,
)

from . import media
from .fields import json_object, number, query, request_text, text, url
from .sources import Drawing, picture, png
from .state import SandboxState
from .tasks import DURATION, INTEGRAL, Phases, Task
from .triggers import strip_triggers
from .validate import as_int, invalid, notify_url
from .wujie_routes import MAX_POLL_KEYS, envelope

SUPERSIZE = Phases(
    waiting=int(SupersizeStatus.QUEUED),
    running=int(SupersizeStatus.RUNNING),
    success=int(SupersizeStatus.SUCCESS),
    failed=int(SupersizeStatus.FAILED),
)
SPELL = Phases(
    waiting=int(SpellAnalysisStatus.RUNNING),
    running=int(SpellAnalysisStatus.RUNNING),
    success=int(SpellAnalysisStatus.DONE),
    failed=int(SpellAnalysisStatus.FAILED),
)
OPTIMIZE = Phases(
    waiting=int(OptimizeCode.RUNNING),
    running=int(OptimizeCode.RUNNING),
    success=int(OptimizeCode.DONE),
    failed=int(OptimizeCode.FAILED),
)
SUPERSIZE_PRICE = 2  # credits per started multiple
SPELL_ANALYSIS_PRICE = 1
MAGIC_DICE_PRICE = 1
_SUFFIX = {
    (OptimizeType.COMMON, OptimizeLanguage.ENGLISH): "highly detailed, soft light, masterpiece",
    (OptimizeType.COLOR, OptimizeLanguage.ENGLISH): "vivid colours, rich palette, high contrast",
    (OptimizeType.ANIME, OptimizeLanguage.ENGLISH): "anime style, clean lineart, cel shading",
    (OptimizeType.COMMON, OptimizeLanguage.CHINESE): "细节丰富, 柔和光线, 杰作",
    (OptimizeType.COLOR, OptimizeLanguage.CHINESE): "色彩鲜艳, 丰富调色, 高对比度",
    (OptimizeType.ANIME, OptimizeLanguage.CHINESE): "动漫风格, 干净线条, 赛璐璐上色",
}
SPELLS = (
    ("赛博朋克", "cyberpunk", "风格", "热门"),
    ("水彩插画", "watercolor illustration", "风格", "推荐"),
    ("电影光效", "cinematic lighting", "光影", "热门"),
    ("黄金时刻", "golden hour", "光影", "推荐"),
    ("广角镜头", "wide angle lens", "镜头", "推荐"),
    ("微距摄影", "macro photography", "镜头", "新"),
)
THEMES = ((1, "风景"), (2, "人物"), (3, "建筑"), (4, "幻想"))
_DICE_WORDS = {
    1: ("misty mountains", "a calm lake", "autumn forest"),
    2: ("a portrait of a traveller", "a dancer in motion", "an old fisherman"),
    3: ("a lighthouse at dusk", "a glass tower", "a temple gate"),
    4: ("a dragon over clouds", "a floating island", "a crystal cave"),
}


def _digest(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _upscaled(source: Drawing, multiple: float, anime: bool) -> Drawing:
    def draw() -> Image.Image:
        img = source()
        if anime:
            img = media.smooth(img)
        return media.upscale(img, multiple)

    return draw


def _youthified(source: Drawing, width: int, height: int) -> Drawing:
    return lambda: media.youthify(source(), width, height)


def optimised(original: str, kind: int, language: int) -> str:
    """The rewritten prompt for ``type`` and ``language``."""
    base = strip_triggers(original).rstrip(" ,.;，。")
    suffix = _SUFFIX[(OptimizeType(kind), OptimizeLanguage(language))]
    return f"{base}, {suffix}" if base else suffix


def magic_dice(body: dict[str, Any]) -> dict[str, Any]:
    """``/ai/magic_dice/search``: a prompt and parameters derived from the request."""
    theme = as_int(body, "theme_id", 0, 0, 2**31)
    keyword = text(body, "keyword")
    pick = _digest(theme, keyword, body.get("type"), body.get("model"))
    subjects = _DICE_WORDS.get(theme) or _DICE_WORDS[1 + pick % 4]
    subject = keyword or subjects[pick % len(subjects)]
    style = ("水彩", "油画", "赛博朋克", "浮世绘")[pick % 4]
    model = str(body.get("model") or "STABLE_DIFFUSION")
    return {
        "prompt_chinese": f"{subject}，{style}，细节丰富",
        "prompt_english": f"{subject}, {style} style, highly detailed",
        "model": model,
        "model_code": 3 if model == "ANIME_DIFFUSION" else 4 if model == "STYLE" else 1,
        "cfg": 5 + pick % 6,
        "image_type": ["插画"],
        "style": [style],
        "artists": [("莫奈", "宫崎骏", "梵高")[pick % 3]],
        "element_magic": [],
        "character": [],
        "model_fusion": [{"key": f"{pick:08X}", "weight": 0.6}],
    }


def routes(state: SandboxState) -> list[Route]:
    """The supersize, youthify and prompt-tool routes."""
    tasks = state.tasks

    def supersize_view(task: Task) -> dict[str, Any]:
        p = task.params
        done = tasks.succeeded(task)
        return {
            "key": task.key,
            "url": p["url"],
            "sr_url": task.result["url"] if done else "",
            "multiple": p["multiple"],
            "status": tasks.status(task),
            "integral": task.cost - task.refunded if task.unit == INTEGRAL else 0,
            "duration": round(task.completed - task.started) if tasks.done(task) else 0,
        }

    def spell_view(task: Task) -> dict[str, Any]:
        found = task.result["work"] if tasks.succeeded(task) else []
        return {
            "spell_analysis_info_key": task.key,
            "tags": ",".join(found),
            "image_url": task.params["image_url"],
            "status": tasks.status(task),
            "tag_list": found,
        }

    def optimize_view(task: Task) -> dict[str, Any]:
        return {
            "task_id": task.key,
            "code": tasks.status(task),
            "result": task.result["text"] if tasks.succeeded(task) else "",
        }

    @envelope
    async def supersize(request: Request) -> Any:
        body = await json_object(request)
        source = url(body, "url")
        if body.get("multiple") is None:
            raise invalid("multiple is required")
        multiple = number(body, "multiple", 0.0, 1.0, 4.0)
        kind = body.get("super_size_type") or SupersizeType.GENERAL.value
        cost_type = body.get("cost_type") or CostType.INTEGRAL.value
        if kind not in {t.value for t in SupersizeType}:
            raise invalid("super_size_type must be GENERAL or ANIME")
        if cost_type not in {t.value for t in CostType}:
            raise invalid("cost_type must be INTEGRAL or DURATION")
        seconds = 3.0 + 2.0 * multiple**2
        unit = DURATION if cost_type == CostType.DURATION.value else INTEGRAL
        cost = math.ceil(seconds) if unit == DURATION else SUPERSIZE_PRICE * math.ceil(multiple)
        params = {"url": source, "multiple": multiple, "super_size_type": kind}
        triggers = tasks.admissible(request_text(body))
        task = tasks.submit(
            "supersize", SUPERSIZE, params, seconds=seconds, cost=cost, unit=unit,
            triggers=triggers,
        )  # fmt: skip
        draw = _upscaled(picture(state, source), multiple, kind == SupersizeType.ANIME.value)
        task.result["url"] = tasks.add_file(task, f"{task.key}-sr.png", png(draw))
        state.counters.creates["POST /ai/supersize"] += 1
        return {"key": task.key}

    @envelope
    async def supersize_info(request: Request) -> Any:
        keys = request.query_params.getlist("key")
        if not keys:
            raise invalid("key is required (repeat it: ?key=K1&key=K2)")
        if len(keys) > MAX_POLL_KEYS:
            raise invalid(f"at most {MAX_POLL_KEYS} keys per request, got {len(keys)}")
        found = [tasks.tasks.get(k) for k in keys]
        return [supersize_view(t) for t in found if t is not None and t.kind == "supersize"]

    @envelope
    async def youthify(request: Request) -> Any:
        body = await json_object(request)
        image = url(body, "image_url")
        size = {k: as_int(body, k, 0, 0, 4096) for k in ("width", "height")}
        create = {
            "model": 1,
            "prompt": f"a youthful portrait, fresh skin, soft light ({image})",
            "width": size["width"] or 1024,
            "height": size["height"] or 1024,
            "super_size_multiple": body.get("super_size_multiple") or 1,
            "notify_url": notify_url(body),
        }
        data = state.wujie.create("/ai/create", create)
        source = picture(state, image)
        for key in data["keys"]:
            art = state.wujie.artworks[key]
            art.derived = _youthified(source, art.spec.width, art.spec.height)
        state.counters.creates["POST /ai/youthify"] += 1
        return {**data, "keys": ",".join(data["keys"])}  # the SDK declares a string

    @envelope
    async def optimize_submit(request: Request) -> Any:
        body = await json_object(request)
        task_id = text(body, "task_id", required=True)
        if task_id in tasks.tasks:
            raise invalid(f"task_id {task_id[:64]!r} is already used")
        kind = as_int(body, "type", 1, 1, 3)
        language = as_int(body, "language", 0, 0, 1)
        original = text(body, "original", required=True)
        params = {"original": original, "type": kind, "language": language}
        task = tasks.submit(
            "optimize", OPTIMIZE, params, seconds=2.0, cost=0, unit=INTEGRAL,
            triggers=tasks.admissible(original), key=task_id,
            notify_url=url(body, "callback_url", required=False) or None,
        )  # fmt: skip
        task.result["text"] = optimised(original, kind, language)
        task.callback = optimize_view
        return None

    @envelope
    async def optimize_result(request: Request) -> Any:
        return optimize_view(tasks.get(query(request, "taskId"), "optimize"))

    @envelope
    async def spells(request: Request) -> Any:
        return [
            {
                "spell_name": name,
                "spell_en_name": en,
                "icon": f"{state.cdn_url}/ai/sample-{_digest(name):08X}.png",
                "category": category,
                "label": label,
            }
            for name, en, category, label in SPELLS
        ]

    @envelope
    async def spell_create(request: Request) -> Any:
        body = await json_object(request)
        image = url(body, "image_url")
        task = tasks.submit(
            "spell_analysis", SPELL, {"image_url": image}, seconds=4.0,
            cost=SPELL_ANALYSIS_PRICE, unit=INTEGRAL,
            triggers=tasks.admissible(request_text(body)), notify_url=notify_url(body),
        )  # fmt: skip
        task.callback = spell_view
        source = picture(state, image)
        tasks.wait_for(task, lambda: media.tags(media.small(source())))
        state.counters.creates["POST /ai/spell_analysis/create"] += 1
        return {"key": task.key}

    @envelope
    async def spell_info(request: Request) -> Any:
        return spell_view(tasks.get(query(request, "spellAnalysisKey"), "spell_analysis"))

    @envelope
    async def themes(request: Request) -> Any:
        return [{"theme_id": t, "name": n} for t, n in THEMES]

    @envelope
    async def dice(request: Request) -> Any:
        body = await json_object(request)
        tasks.admissible(request_text(body))
        tasks.charge(INTEGRAL, MAGIC_DICE_PRICE)
        return magic_dice(body)

    return [
        Route("/ai/supersize", supersize, methods=["POST"]),
        Route("/ai/supersize", supersize_info, methods=["GET"]),
        Route("/ai/youthify", youthify, methods=["POST"]),
        Route("/ai/optimize/prompt/submit", optimize_submit, methods=["POST"]),
        Route("/ai/optimize/prompt/result", optimize_result, methods=["GET"]),
        Route("/ai/spell", spells, methods=["GET"]),
        Route("/ai/spell_analysis/create", spell_create, methods=["POST"]),
        Route("/ai/spell_analysis/info", spell_info, methods=["GET"]),
        Route("/ai/magic_dice/theme", themes, methods=["GET"]),
        Route("/ai/magic_dice/search", dice, methods=["POST"]),
    ]
