"""The Wujie upscale (supersize): ``POST /ai/supersize`` makes one job, polled in batches
of ``GET /ai/supersize?key=..&key=..``. No callback is documented: polling only, and a
create whose reply was lost is reconciled through the balance it charges (``jobs.fence``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InvalidArgument
from ...models_more import SupersizeInfo, SupersizeStatus
from ..chains import SUPERSIZE
from ..job import PictureJob
from ..kind import Json, Media, Phase, Reading, Submitted, phases_of
from .rows import StatusKind, one_key, reading_of, status_of, wire_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

_PHASES = phases_of(SupersizeStatus)


class UpscaleKind(StatusKind):
    """An upscale of any picture by ``multiple`` (1 to 4), charged in credits or pro time."""

    name: ClassVar[str] = "upscale"
    job_class: ClassVar[type[Job]] = PictureJob
    phases: ClassVar[Mapping[Any, Phase]] = _PHASES
    columns: ClassVar[Mapping[str, str]] = {
        "source_url": "url",
        "multiple": "multiple",
        "super_size_type": "super_size_type",
        "cost_type": "cost_type",
    }
    routes: ClassVar[tuple[str, ...]] = (SUPERSIZE,)
    initial_status = SupersizeStatus.QUEUED
    batch_size: ClassVar[int] = 50

    def check(self, route: str, body: Json) -> Json:
        """An upscale needs the picture's ``url`` (``multiple`` defaults to 2)."""
        if not isinstance(body.get("url"), str) or not body["url"].strip():
            raise InvalidArgument("url", "an upscale needs the picture's URL")
        return {"multiple": 2.0, **body}

    def charged_to(self, body: Mapping[str, Any]) -> str | None:
        """Credits, or pro time with ``cost_type="DURATION"``, taken when it is accepted."""
        return "duration" if body.get("cost_type") == "DURATION" else "integral"

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One supersize create; its reply is the job's key."""
        return await one_key(api.wujie.tools.supersize, body, "url")

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``GET /ai/supersize`` with every key repeated in the query."""
        infos = await api.wujie.tools.supersize_info(keys)
        return [self.read(i.key, i) for i in infos if i.key]

    def read(self, key: str, wire: object) -> Reading:
        """One entry of the batch poll."""
        info = wire_of(SupersizeInfo, wire, "an upscale")
        status, phase = status_of(SupersizeStatus, _PHASES, info.status)
        done = phase is not None and phase.terminal
        return reading_of(
            key,
            info,
            status,
            phase,
            media=(Media("image", info.sr_url),) if info.sr_url else (),
            failed="the upscale failed",
            cost=info.integral or 0,
            reported_seconds=float(info.duration) if done and info.duration else None,
        )
