"""Video to video (``/ai/video/*``) and image to video (``/ai/pro/svd/*``): routes in,
typed models out (``client.wujie.video``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import validate as check
from ..models_more import (
    CameraMove,
    SvdInfo,
    VideoInfo,
    VideoOptionMenu,
    VideoPoll,
    VideoWaitTime,
)
from .envelope import Routes, one_key

MAX_POLL_KEYS = 200


class VideoApi(Routes):
    """``client.wujie.video``: models and prices, queue, create, batch poll, detail; SVD."""

    async def option_menu(self) -> VideoOptionMenu:
        """``GET /ai/video/option_menu``: the video models and the price table."""
        return VideoOptionMenu.from_dict(await self._data("GET", "/ai/video/option_menu"))

    async def wait_time(self, model_code: int) -> VideoWaitTime:
        """``GET /ai/video/wait_time``: the normal and night queues' expected waits."""
        params = {"modelCode": check.non_negative("model_code", model_code)}
        return VideoWaitTime.from_dict(
            await self._data("GET", "/ai/video/wait_time", params=params)
        )

    async def create(
        self,
        origin_video_url: str,
        *,
        model_code: int,
        video_duration: int,
        queue_type: int = 0,
        notify_url: str = "",
    ) -> str:
        """``POST /ai/video/create``: restyle a video; returns the job's key.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        body = {
            "origin_video_url": check.nonblank("origin_video_url", origin_video_url),
            "video_duration": check.positive("video_duration", video_duration),
            "model_code": check.non_negative("model_code", model_code),
            "queue_type": check.non_negative("queue_type", queue_type),
            "notify_url": check.text("notify_url", notify_url),
        }
        data = await self._data("POST", "/ai/video/create", json_body=body, idempotent=False)
        return one_key(data, "/ai/video/create", body)

    async def generating_info(self, keys: str | Iterable[str]) -> VideoPoll:
        """``POST /ai/video/generating_info``: the batch poll and ``next_polling_time``."""
        body = check.keys("keys", keys, max_count=MAX_POLL_KEYS)
        data = await self._data("POST", "/ai/video/generating_info", json_body=body)
        return VideoPoll.from_dict(data)

    async def info(self, key: str) -> VideoInfo:
        """``GET /ai/video/info``: one video job."""
        params = {"key": check.nonblank("key", key)}
        return VideoInfo.from_dict(await self._data("GET", "/ai/video/info", params=params))

    async def svd_create(
        self,
        init_image_url: str,
        *,
        duration: int = 4,
        camera_move_type: CameraMove | str | None = None,
        motion_amplitude: int | None = None,
        noise_intensity: float | None = None,
        random_seed: int | str | None = None,
        charge_type: int | None = None,
        notify_url: str | None = None,
    ) -> str:
        """``POST /ai/pro/svd/create``: animate one picture; returns the job's key.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        body: dict[str, Any] = {
            "init_image_url": check.nonblank("init_image_url", init_image_url),
            "duration": check.positive("duration", duration),
        }
        optional = {
            "motion_amplitude": (check.non_negative, motion_amplitude),
            "noise_intensity": (check.non_negative_number, noise_intensity),
            "random_seed": (check.seed, random_seed),
            "charge_type": (check.non_negative, charge_type),
            "notify_url": (check.text, notify_url),
        }
        body.update((k, fn(k, v)) for k, (fn, v) in optional.items() if v is not None)
        if camera_move_type is not None:
            body["camera_move_type"] = check.choice(
                "camera_move_type", camera_move_type, CameraMove
            )
        data = await self._data("POST", "/ai/pro/svd/create", json_body=body, idempotent=False)
        return one_key(data, "/ai/pro/svd/create", body)

    async def svd_info(self, key: str) -> SvdInfo:
        """``GET /ai/pro/svd/info``: one image-to-video job."""
        params = {"key": check.nonblank("key", key)}
        return SvdInfo.from_dict(await self._data("GET", "/ai/pro/svd/info", params=params))
