"""The personal camera: ``/avatar/camera/create`` renders a trained avatar into a
template (paid in pro time), polled in batches of ``{prefix}/camera/generating_info`` and
finished with one ``{prefix}/camera/info`` (the client's ``camera_prefix``: ``/avatar`` as
the SDK, ``/ai`` as Apifox). The API takes no ``notify_url`` here: polling only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...models_more import CameraGeneratingInfo, CameraInfo, CameraStatus
from ..kind import Json, Kind, Media, Phase, Reading, Submitted, phases_of
from ._media import fail_text, media_record
from .rows import status_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

CAMERA_CREATE = "/avatar/camera/create"

PHASES = phases_of(CameraStatus)


class CameraKind(Kind):
    """One camera shot of a trained avatar (a create of ``count`` makes ``count`` jobs)."""

    name: ClassVar[str] = "camera"
    backend: ClassVar[str] = "wujie"
    routes: ClassVar[tuple[str, ...]] = (CAMERA_CREATE,)
    initial_status = CameraStatus.SUBMITTED
    batch_size: ClassVar[int] = 50
    reads_detail: ClassVar[bool] = True

    def __init__(self) -> None:
        #: Pro seconds each shot costs (from its create's reply, or its stored row).
        self._costs: dict[str, int] = {}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """``body``: ``avatar_key``, optionally ``template_key``, ``count``, ``advanced``."""
        fields = dict(body)
        made = await api.avatar.camera_create(fields.pop("avatar_key"), **fields)
        keys = [k for k in made.keys or [] if isinstance(k, str) and k]
        each = (made.expected_duration_cost or 0) // max(1, len(keys))
        self._costs.update((key, each) for key in keys)
        return Submitted(keys, made.to_dict())

    def expected_keys(self, body: Mapping[str, Any]) -> int:
        """``count`` shots per create."""
        return int(body.get("count") or 1)

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One camera batch poll for the whole batch."""
        infos = await api.avatar.camera_generating_info(keys)
        return [self.read(i.key, i) for i in infos if i.key]

    async def detail(self, api: AsyncClient, key: str, hint: Reading | None) -> Reading:
        """The shot's detail (size and seed); a detail that lags keeps the poll's status."""
        reading = self.read(key, await api.avatar.camera_info(key))
        if hint is not None and (reading.phase is None or not reading.phase.terminal):
            return hint
        return reading

    def read(self, key: str, wire: object) -> Reading:
        """A poll entry or a detail of one shot."""
        if not isinstance(wire, (CameraGeneratingInfo, CameraInfo)):
            raise TypeError(f"not a camera reply: {type(wire).__name__}")
        status, phase = status_of(CameraStatus, PHASES, wire.status)
        url = wire.artwork_url if phase is Phase.SUCCEEDED else None
        progress = eta = None
        if isinstance(wire, CameraGeneratingInfo):
            progress = wire.complete_percent
            eta = float(wire.expected_seconds) if wire.expected_seconds is not None else None
        if phase is not None and phase.terminal:
            progress, eta = (100.0 if phase is Phase.SUCCEEDED else progress), 0.0
        return Reading(
            key,
            status,
            phase,
            progress=progress,
            eta_s=eta,
            media=(Media("image", url),) if url else (),
            fail_message=fail_text(wire.fail_message) if phase is Phase.FAILED else None,
            wire=wire,
            raw=wire.raw,
        )

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored detail of a finished shot; its cost from the stored row."""
        if isinstance(record.get("duration_cost"), int):
            self._costs[key] = record["duration_cost"]
        return self.read(key, CameraInfo.from_dict(raw)) if raw is not None else None

    def record(self, job: Job) -> Json:
        """The row: status, picture, template and the pro seconds it cost."""
        reading = job.final or job.latest
        wire = reading.wire if reading else None
        detail = wire if isinstance(wire, CameraInfo) else CameraInfo()
        return media_record(
            job,
            getattr(wire, "status", None),
            {
                "avatar_key": job.request.get("avatar_key"),
                "template_key": job.request.get("template_key"),
            },
            width=detail.width or None,
            height=detail.height or None,
            seed=detail.seed,
            duration_cost=self._costs.get(job.key),
        )
