"""Video to video: ``/ai/video/create``, polled in batches of ``/ai/video/generating_info``
(never sooner than its ``next_polling_time``), pushed to ``notify_url``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ...models import Model
from ...models_more import VideoInfo, VideoStatus
from ..kind import Json, Media, Reading, Submitted
from ._media import KeyedKind, media_record
from .rows import one_key

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

VIDEO_CREATE = "/ai/video/create"
#: The create fields shown as the kind's own DataFrame columns.
PARAMS = ("origin_video_url", "model_code", "video_duration", "queue_type")


class VideoKind(KeyedKind[VideoInfo], statuses=VideoStatus):
    """A video-to-video job: the source clip restyled by a video model."""

    wire_type = VideoInfo
    name: ClassVar[str] = "video"
    routes: ClassVar[tuple[str, ...]] = (VIDEO_CREATE,)
    batch_size: ClassVar[int] = 50
    measured_in: ClassVar[str | None] = "integral"

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

    def made(self, view: VideoInfo) -> tuple[Media, ...]:
        """The clip and its cover (the clip itself when it has none)."""
        url = view.ai_video_url
        cover = (view.ai_video_meta_info.cover or {}) if view.ai_video_meta_info else {}
        poster = cover.get("url") if isinstance(cover.get("url"), str) else None
        return (Media("video", url), Media("image", poster or url)) if url else ()

    def progress(self, view: VideoInfo) -> dict[str, float | None]:
        """The view's percentage and expected seconds."""
        return {"progress": view.complete_percent, "eta_s": _seconds(view.expected_seconds)}

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
