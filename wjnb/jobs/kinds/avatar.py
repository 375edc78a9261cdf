"""Avatar training: ``/avatar/create`` trains a LoRA from face photos, read one key at a
time with ``/avatar/info``, pushed to ``notify_url``; its result is the LoRA's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...models import Model
from ...models_more import AvatarInfo, AvatarStatus
from ..kind import Json, Media, Submitted
from ._media import KeyedKind, media_record
from .rows import media_text

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

AVATAR_TRAIN = "/avatar/create"

_REASONS = {
    AvatarStatus.FAILED: "training failed",
    AvatarStatus.QUEUE_TIMEOUT: "timed out in the training queue",
}


class AvatarTrainingKind(KeyedKind[AvatarInfo], statuses=AvatarStatus):
    """Training one avatar: its key becomes the ``avatar_key`` of camera shots."""

    wire_type = AvatarInfo
    name: ClassVar[str] = "avatar"
    silent: ClassVar[bool] = True
    routes: ClassVar[tuple[str, ...]] = (AVATAR_TRAIN,)

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """``body``: ``image_urls`` (the face photos), optionally ``notify_url``."""
        fields = dict(body)
        made = await api.avatar.train(fields.pop("image_urls"), **fields)
        return Submitted([str(made.key)], made.to_dict())

    async def fetch(self, api: AsyncClient, key: str) -> Model:
        """``/avatar/info``."""
        return await api.avatar.info(key)

    def made(self, view: AvatarInfo) -> tuple[Media, ...]:
        """The trained LoRA's name (``lora:NAME:weight``)."""
        name = view.model_fusion_name
        return (Media("text", text=name),) if name else ()

    def failure(self, view: AvatarInfo, status: Any) -> str | None:
        """Training's failure statuses say what went wrong."""
        return _REASONS.get(status)

    def record(self, job: Job) -> Json:
        """The row: status, the photos it learned from and the trained LoRA's name."""
        reading = job.final or job.latest
        wire = reading.wire if reading else None
        photos = job.request.get("image_urls")
        return media_record(
            job,
            wire.status if isinstance(wire, AvatarInfo) else None,
            {"photos": len(photos) if isinstance(photos, list) else None},
            model_fusion_name=media_text(job),
        )
