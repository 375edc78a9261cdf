"""Video to video: ``/ai/video/create``, polled in batches of ``/ai/video/generating_info``
(never sooner than its ``next_polling_time``), pushed to ``notify_url``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...models import Model
from ...models_more import VideoInfo, VideoStatus
from ..kind import Json, Media, Phase, Reading, Submitted
from ._media import KeyedKind, fail_text, media_record
from .rows import one_key, reading_of, status_of
from .svd import PHASES

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

VIDEO_CREATE = "/ai/video/create"
#: The create fields shown as the kind's own DataFrame columns.
PARAMS = ("origin_video_url", "model_code", "video_duration", "queue_type")


class VideoKind(KeyedKind):
    """A video-to-video job: the source clip restyled by a video model."""

    name: ClassVar[str] = "video"
    routes: ClassVar[tuple[str, ...]] = (VIDEO_CREATE,)
    initial_status = VideoStatus.QUEUED
    batch_size: ClassVar[int] = 50
    wire_type: ClassVar[type[Model]] = VideoInfo
    measures_charge: ClassVar[bool] = True

    def charged_to(self, body: Mapping[str, Any]) -> str | None:
        """Charged in credits when the create is accepted (the reply never says how much)."""
        return "integral"

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One create; its reply names the job's key."""
        return await one_key(api.wujie.video.create, body, "origin_video_url")

    async def fetch(self, api: AsyncClient, key: str) -> Model:
        """``/ai/video/info`` (a reload of one job)."""
        return await api.wujie.video.info(key)

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One batch poll; its ``next_polling_time`` holds every key's next poll back."""
        reply = await api.wujie.video.generating_info(keys)
        wait = float(reply.next_polling_time) if reply.next_polling_time else None
        readings = [self.read(v.key, v) for v in reply.infos or [] if v.key]
        for reading in readings:
            reading.next_poll_s = wait
        return readings

    def read(self, key: str, wire: object) -> Reading:
        """A video view (poll entry, detail or callback): the clip and its cover."""
        if not isinstance(wire, VideoInfo):
            raise TypeError(f"not a video reply: {type(wire).__name__}")
        status, phase = status_of(VideoStatus, PHASES, wire.status)
        url = wire.ai_video_url if phase is Phase.SUCCEEDED else None
        cover = (wire.ai_video_meta_info.cover or {}) if wire.ai_video_meta_info else {}
        poster = cover.get("url") if isinstance(cover.get("url"), str) else None
        return reading_of(
            key,
            wire,
            status,
            phase,
            media=(Media("video", url), Media("image", poster or url)) if url else (),
            failed=fail_text(wire.fail_message),
            progress=wire.complete_percent,
            eta_s=_seconds(wire.expected_seconds),
        )

    def record(self, job: Job) -> Json:
        """The row: status, clip URL, the create's parameters and the model's name."""
        reading = job.final or job.latest
        wire = reading.wire if reading else None
        info = wire if isinstance(wire, VideoInfo) else VideoInfo()
        meta = info.ai_video_meta_info
        return media_record(
            job,
            info.status,
            {name: job.request.get(name) for name in PARAMS},
            model_name=info.model_name,
            video_url=next((m.url for m in job.media if m.type == "video"), None),
            width=meta.width if meta and meta.width else None,
            height=meta.height if meta and meta.height else None,
        )


def _seconds(value: int | None) -> float | None:
    return float(value) if value is not None else None
