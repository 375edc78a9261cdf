"""Upscale (supersize), youthify and the prompt tools: routes in, typed models out.

``client.wujie.tools``: supersize jobs are polled in batches with the key repeated in the
query; a prompt optimisation runs under the caller's own task id; spell analysis reads
tags from a picture; the magic dice suggests a prompt and its parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from .. import validate as check
from ..models_more import (
    CostType,
    MagicDiceLanguage,
    MagicDiceModel,
    MagicDiceResult,
    MagicDiceTheme,
    MagicDiceType,
    OptimizeLanguage,
    OptimizeResult,
    OptimizeType,
    Spell,
    SpellAnalysisInfo,
    SupersizeInfo,
    SupersizeType,
    YouthifyResult,
)
from .envelope import Routes, created, items, one_key

MAX_POLL_KEYS = 200


class ToolsApi(Routes):
    """``client.wujie.tools``: supersize, youthify, optimise, spells, describe, magic dice."""

    async def supersize(
        self,
        url: str,
        multiple: float = 2.0,
        *,
        super_size_type: SupersizeType | str | None = None,
        cost_type: CostType | str | None = None,
    ) -> str:
        """``POST /ai/supersize``: upscale any picture; returns the job's key.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        body: dict[str, Any] = {
            "url": check.nonblank("url", url),
            "multiple": float(check.number("multiple", multiple, minimum=1)),
        }
        if super_size_type is not None:
            body["super_size_type"] = check.choice(
                "super_size_type", super_size_type, SupersizeType
            )
        if cost_type is not None:
            body["cost_type"] = check.choice("cost_type", cost_type, CostType)
        data = await self._data("POST", "/ai/supersize", json_body=body, idempotent=False)
        return one_key(data, "/ai/supersize", body)

    async def supersize_info(self, keys: str | Iterable[str]) -> list[SupersizeInfo]:
        """``GET /ai/supersize?key=K1&key=K2``: the batch poll of upscale jobs."""
        params = {"key": check.keys("keys", keys, max_count=MAX_POLL_KEYS)}
        data = await self._data("GET", "/ai/supersize", params=params)
        return [SupersizeInfo.from_dict(x) for x in items(data, "/ai/supersize")]

    async def youthify(
        self,
        image_url: str,
        *,
        width: int = 0,
        height: int = 0,
        init_width: int = 0,
        init_height: int = 0,
        super_size_multiple: float = 1.0,
        notify_url: str = "",
    ) -> YouthifyResult:
        """``POST /ai/youthify``: a younger portrait, as artworks (poll them like ``create``)."""
        body = {
            "image_url": check.nonblank("image_url", image_url),
            "init_width": check.non_negative("init_width", init_width),
            "init_height": check.non_negative("init_height", init_height),
            "width": check.non_negative("width", width),
            "height": check.non_negative("height", height),
            "super_size_multiple": float(
                check.non_negative_number("super_size_multiple", super_size_multiple)
            ),
            "notify_url": check.text("notify_url", notify_url),
        }
        route = "/ai/youthify"
        data = await self._data("POST", route, json_body=body, idempotent=False)
        result = YouthifyResult.from_dict(data)
        created({"keys": result.key_list}, route, body)
        return result

    async def optimize_prompt(
        self,
        original: str,
        *,
        type: OptimizeType | int = OptimizeType.COMMON,
        language: OptimizeLanguage | int = OptimizeLanguage.ENGLISH,
        task_id: str | None = None,
        callback_url: str = "",
    ) -> str:
        """``POST /ai/optimize/prompt/submit``: rewrite a prompt; returns the task id.

        The id is the caller's (a new UUID when not given), so a re-send is harmless.
        """
        task = check.nonblank("task_id", task_id) if task_id is not None else uuid.uuid4().hex
        body = {
            "task_id": task,
            "type": int(check.choice("type", type, OptimizeType)),
            "original": check.nonblank("original", original),
            "language": int(check.choice("language", language, OptimizeLanguage)),
            "callback_url": check.text("callback_url", callback_url),
        }
        await self._data("POST", "/ai/optimize/prompt/submit", json_body=body)
        return task

    async def optimize_result(self, task_id: str) -> OptimizeResult:
        """``GET /ai/optimize/prompt/result``: the rewritten prompt once ``code`` is 1."""
        params = {"taskId": check.nonblank("task_id", task_id)}
        route = "/ai/optimize/prompt/result"
        return OptimizeResult.from_dict(await self._data("GET", route, params=params))

    async def spells(self) -> list[Spell]:
        """``GET /ai/spell``: ready-made prompt snippets."""
        return [
            Spell.from_dict(x) for x in items(await self._data("GET", "/ai/spell"), "/ai/spell")
        ]

    async def spell_analysis(self, image_url: str, *, notify_url: str = "") -> str:
        """``POST /ai/spell_analysis/create``: read tags from a picture; returns the job's key."""
        body = {
            "image_url": check.nonblank("image_url", image_url),
            "notify_url": check.text("notify_url", notify_url),
        }
        route = "/ai/spell_analysis/create"
        data = await self._data("POST", route, json_body=body, idempotent=False)
        return one_key(data, route, body)

    async def spell_analysis_info(self, key: str) -> SpellAnalysisInfo:
        """``GET /ai/spell_analysis/info``: status and tags of a spell analysis."""
        params = {"spellAnalysisKey": check.nonblank("key", key)}
        route = "/ai/spell_analysis/info"
        return SpellAnalysisInfo.from_dict(await self._data("GET", route, params=params))

    async def magic_dice_themes(self) -> list[MagicDiceTheme]:
        """``GET /ai/magic_dice/theme``: the themes the magic dice offers."""
        route = "/ai/magic_dice/theme"
        return [MagicDiceTheme.from_dict(x) for x in items(await self._data("GET", route), route)]

    async def magic_dice(
        self,
        keyword: str = "",
        *,
        theme_id: int = 0,
        type: MagicDiceType | str = MagicDiceType.MAGIC_DICE,
        model: MagicDiceModel | str = MagicDiceModel.STABLE_DIFFUSION,
        language: MagicDiceLanguage | str = MagicDiceLanguage.ENGLISH,
    ) -> MagicDiceResult:
        """``POST /ai/magic_dice/search``: a prompt with suggested parameters (paid).

        It spends credits, so it is never re-sent once it may have arrived.
        """
        body = {
            "type": check.choice("type", type, MagicDiceType),
            "model": check.choice("model", model, MagicDiceModel),
            "keyword": check.text("keyword", keyword),
            "theme_id": check.non_negative("theme_id", theme_id),
            "language": check.choice("language", language, MagicDiceLanguage),
        }
        route = "/ai/magic_dice/search"
        data = await self._data("POST", route, json_body=body, idempotent=False)
        return MagicDiceResult.from_dict(data)
