"""The Wujie upscale (supersize): ``POST /ai/supersize`` makes one job, polled in batches
of ``GET /ai/supersize?key=..&key=..``. No callback is documented: polling only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InvalidArgument
from ...models_more import SupersizeInfo, SupersizeStatus
from ..chains import SUPERSIZE
from ..job import PictureJob
from ..kind import Json, Kind, Media, Phase, Reading, Submitted
from .rows import kind_row, member, restored

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

_PHASES = {
    SupersizeStatus.QUEUED: Phase.WAITING,
    SupersizeStatus.RUNNING: Phase.RUNNING,
    SupersizeStatus.SUCCESS: Phase.SUCCEEDED,
    SupersizeStatus.FAILED: Phase.FAILED,
}


class UpscaleKind(Kind):
    """An upscale of any picture by ``multiple`` (1 to 4), charged in credits or pro time."""

    name: ClassVar[str] = "upscale"
    job_class: ClassVar[type[Job]] = PictureJob
    backend: ClassVar[str] = "wujie"
    routes: ClassVar[tuple[str, ...]] = (SUPERSIZE,)
    initial_status = SupersizeStatus.QUEUED
    batch_size: ClassVar[int] = 50

    def check(self, route: str, body: Json) -> Json:
        """An upscale needs the picture's ``url`` (``multiple`` defaults to 2)."""
        if not isinstance(body.get("url"), str) or not body["url"].strip():
            raise InvalidArgument("url", "an upscale needs the picture's URL")
        return {"multiple": 2.0, **body}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One supersize create; its reply is the job's key."""
        fields = dict(body)
        key = await api.wujie.tools.supersize(fields.pop("url"), **fields)
        return Submitted([key], {"key": key})

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``GET /ai/supersize`` with every key repeated in the query."""
        infos = await api.wujie.tools.supersize_info(keys)
        return [self.read(i.key, i) for i in infos if i.key]

    def read(self, key: str, wire: object) -> Reading:
        """One entry of the batch poll."""
        if isinstance(wire, dict):
            wire = SupersizeInfo.from_dict(wire)
        if not isinstance(wire, SupersizeInfo):
            raise TypeError(f"not an upscale reply: {type(wire).__name__}")
        status = member(SupersizeStatus, wire.status)
        phase = _PHASES[status] if status is not None else None
        done = phase is not None and phase.terminal
        return Reading(
            key,
            status,
            phase,
            progress=100.0 if phase is Phase.SUCCEEDED else None,
            eta_s=0.0 if done else None,
            media=(Media("image", wire.sr_url),) if wire.sr_url else (),
            fail_message="the upscale failed" if phase is Phase.FAILED else None,
            cost=wire.integral or 0,
            reported_seconds=float(wire.duration) if done and wire.duration else None,
            wire=wire,
            raw=wire.raw,
        )

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored poll entry (finished) or the stored status."""
        return restored(self, key, record, raw, _PHASES)

    def record(self, job: Job) -> Json:
        """The row: source picture, multiple and type as columns."""
        req = job.request
        params = {
            "source_url": req.get("url"),
            "multiple": req.get("multiple"),
            "super_size_type": req.get("super_size_type"),
            "cost_type": req.get("cost_type"),
        }
        return kind_row(job, params)
