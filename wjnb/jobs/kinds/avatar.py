"""Avatar training: ``/avatar/create`` trains a LoRA from face photos, read one key at a
time with ``/avatar/info``, pushed to ``notify_url``; its result is the LoRA's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ...models import Model
from ...models_more import AvatarInfo, AvatarStatus
from ..kind import Json, Media, Phase, Reading, Submitted
from ._media import KeyedKind, media_record
from .rows import media_text, reading_of, status_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

AVATAR_TRAIN = "/avatar/create"

PHASES = {
    AvatarStatus.CREATED: Phase.WAITING,
    AvatarStatus.QUEUED: Phase.WAITING,
    AvatarStatus.TRAINING: Phase.RUNNING,
    AvatarStatus.SUCCESS: Phase.SUCCEEDED,
    AvatarStatus.FAILED: Phase.FAILED,
    AvatarStatus.QUEUE_TIMEOUT: Phase.FAILED,
}
_REASONS = {
    AvatarStatus.FAILED: "training failed",
    AvatarStatus.QUEUE_TIMEOUT: "timed out in the training queue",
}


class AvatarTrainingKind(KeyedKind):
    """Training one avatar: its key becomes the ``avatar_key`` of camera shots."""

    name: ClassVar[str] = "avatar"
    silent: ClassVar[bool] = True
    routes: ClassVar[tuple[str, ...]] = (AVATAR_TRAIN,)
    initial_status = AvatarStatus.CREATED
    wire_type: ClassVar[type[Model]] = AvatarInfo

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """``body``: ``image_urls`` (the face photos), optionally ``notify_url``."""
        fields = dict(body)
        made = await api.avatar.train(fields.pop("image_urls"), **fields)
        return Submitted([str(made.key)], made.to_dict())

    async def fetch(self, api: AsyncClient, key: str) -> Model:
        """``/avatar/info``."""
        return await api.avatar.info(key)

    def read(self, key: str, wire: object) -> Reading:
        """A training view: the LoRA name (``lora:NAME:weight``) once trained."""
        if not isinstance(wire, AvatarInfo):
            raise TypeError(f"not an avatar reply: {type(wire).__name__}")
        status, phase = status_of(AvatarStatus, PHASES, wire.status)
        name = wire.model_fusion_name if phase is Phase.SUCCEEDED else None
        return reading_of(
            key,
            wire,
            status,
            phase,
            media=(Media("text", text=name),) if name else (),
            failed=_REASONS.get(status) if status is not None else None,
        )

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
