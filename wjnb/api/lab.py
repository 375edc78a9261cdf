"""The AI lab (``/ai/pro/lab/*``): routes in, typed models out (``client.wujie.lab``).

Lab bodies are camelCase and wrapped in ``input``; create replies are unwrapped from
``aiLabMutation`` into a ``LabCreated`` (key and ``aiType``) for ``info``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import validate as check
from ..errors import AmbiguousCreate, InvalidArgument
from ..models_more import LabAiType, LabCreated, LabInfo, LabOption, LabOptionType
from . import readable_id
from .envelope import Routes, items

Point = tuple[int, int] | Mapping[str, int]


def _points(name: str, value: Sequence[Point] | None) -> list[dict[str, int]]:
    """Points as ``{x, y}`` from ``(x, y)`` pairs or mappings (None: no points)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgument(name, "expected a list of (x, y) points")
    out = []
    for i, point in enumerate(value):
        where = f"{name}[{i}]"
        if isinstance(point, Mapping):
            pair = (point.get("x"), point.get("y"))
        elif isinstance(point, tuple) and len(point) == 2:
            pair = point
        else:
            raise InvalidArgument(where, "expected an (x, y) pair or {x, y}")
        out.append(
            {"x": check.integer(f"{where}.x", pair[0]), "y": check.integer(f"{where}.y", pair[1])}
        )
    return out


class LabApi(Routes):
    """``client.wujie.lab``: options, segment anything, infinite zoom, vectorise, job detail."""

    async def _create(self, route: str, mutation: str, given: dict[str, Any]) -> LabCreated:
        body = {"input": given}
        data = await self._data("POST", route, json_body=body, idempotent=False)
        outer = data.get("aiLabMutation") if isinstance(data, Mapping) else None
        inner = outer.get(mutation) if isinstance(outer, Mapping) else None
        result = LabCreated.from_dict(inner)
        if not readable_id(result.key):
            raise AmbiguousCreate(
                f"{route}: the create was accepted but its reply names no readable key",
                route=route,
                request=body,
            )
        return result

    async def options(self, option_type: LabOptionType | str) -> list[LabOption]:
        """``POST /ai/pro/lab/options``: the models, samplers or styles a tool offers."""
        body = {"input": {"optionType": check.choice("option_type", option_type, LabOptionType)}}
        data = await self._data("POST", "/ai/pro/lab/options", json_body=body)
        query = data.get("aiLabQuery") if isinstance(data, Mapping) else None
        return [LabOption.from_dict(x) for x in items(query, "/ai/pro/lab/options", "options")]

    async def info(self, key: str, ai_type: LabAiType | str) -> LabInfo:
        """``POST /ai/pro/lab/info``: one lab job by (``serviceKey``, ``aiType``)."""
        body = {
            "serviceKey": check.nonblank("key", key),
            "aiType": check.choice("ai_type", ai_type, LabAiType),
        }
        return LabInfo.from_dict(await self._data("POST", "/ai/pro/lab/info", json_body=body))

    async def segment(
        self,
        image_url: str,
        *,
        positive_points: Sequence[Point] = (),
        negative_points: Sequence[Point] = (),
        model_code: int = 0,
        threshold: int = 0,
        prompt: str = "",
        notify_url: str = "",
    ) -> LabCreated:
        """``POST /ai/pro/lab/create/segmentation``: a mask of what the points pick."""
        given = {
            "imageUrl": check.nonblank("image_url", image_url),
            "imageUrlParam": None,
            "imageUrls": [],
            "modelCode": check.non_negative("model_code", model_code),
            "negativePoints": _points("negative_points", negative_points),
            "positivePoints": _points("positive_points", positive_points),
            "notifyUrl": check.text("notify_url", notify_url),
            "prompt": check.text("prompt", prompt),
            "threshold": check.non_negative("threshold", threshold),
        }
        return await self._create(
            "/ai/pro/lab/create/segmentation", "segmentAnythingCreateV2", given
        )

    async def infinite_zoom(
        self, /, init_image_url: str, *, video_second: int = 3, notify_url: str = "", **fields: Any
    ) -> LabCreated:
        """``POST /ai/pro/lab/createInfiniteZoom``: a zoom video into a picture.

        ``fields`` are further camelCase input fields (``promptPrefix``, ``fps``...).
        """
        given = {
            "initImageUrl": check.nonblank("init_image_url", init_image_url),
            "videoSecond": check.positive("video_second", video_second),
            "notifyUrl": check.text("notify_url", notify_url),
            **{k: check.json_value(k, v) for k, v in fields.items()},
        }
        return await self._create("/ai/pro/lab/createInfiniteZoom", "infiniteZoomCreateV2", given)

    async def vectorize(
        self, /, init_image: str, *, quantize: int = 8, notify_url: str = "", **fields: Any
    ) -> LabCreated:
        """``POST /ai/pro/lab/createVectorsStudio``: the picture as SVG (``quantize`` colours).

        ``fields`` are further camelCase input fields (``style``, ``transparentPNG``...).
        """
        given = {
            "initImage": check.nonblank("init_image", init_image),
            "quantize": check.positive("quantize", quantize),
            "notifyUrl": check.text("notify_url", notify_url),
            **{k: check.json_value(k, v) for k, v in fields.items()},
        }
        return await self._create("/ai/pro/lab/createVectorsStudio", "vectorStudioCreateV2", given)
