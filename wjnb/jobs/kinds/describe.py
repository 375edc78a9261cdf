"""Wujie spell analysis ("describe"): ``/ai/spell_analysis/create`` reads tags from a
picture; one ``/ai/spell_analysis/info`` per key (no batch route), pushed to
``notify_url`` when done, which also reconciles a create whose reply was lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InvalidArgument
from ...models_more import SpellAnalysisInfo, SpellAnalysisStatus
from ..chains import SPELL_ANALYSIS
from ..kind import Json, Kind, Media, Phase, Reading, Submitted
from .rows import kind_row, member, restored

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

_PHASES = {
    SpellAnalysisStatus.RUNNING: Phase.RUNNING,
    SpellAnalysisStatus.DONE: Phase.SUCCEEDED,
    SpellAnalysisStatus.FAILED: Phase.FAILED,
}


class DescribeKind(Kind):
    """Tags read from a picture (a prompt to start from)."""

    name: ClassVar[str] = "describe"
    backend: ClassVar[str] = "wujie"
    routes: ClassVar[tuple[str, ...]] = (SPELL_ANALYSIS,)
    initial_status = SpellAnalysisStatus.RUNNING
    batch_size: ClassVar[int] = 1
    reconciles_by_callback: ClassVar[bool] = True
    private_fields: ClassVar[tuple[str, ...]] = ("notify_url",)

    def check(self, route: str, body: Json) -> Json:
        """A spell analysis needs the picture's ``image_url``."""
        if not isinstance(body.get("image_url"), str) or not body["image_url"].strip():
            raise InvalidArgument("image_url", "describe needs the picture's URL")
        return body

    def notify_fields(self, url: str | None, request_id: str) -> Json:
        """The service posts the finished analysis to ``notify_url``."""
        return {"notify_url": url} if url else {}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One spell-analysis create; its reply is the job's key."""
        key = await api.wujie.tools.spell_analysis(
            body["image_url"], notify_url=body.get("notify_url") or ""
        )
        return Submitted([key], {"key": key})

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``/ai/spell_analysis/info`` (the batch is a single key)."""
        return [self.read(key, await api.wujie.tools.spell_analysis_info(key)) for key in keys]

    def read(self, key: str, wire: object) -> Reading:
        """A detail or a callback body: status and, once done, the tags as text."""
        if isinstance(wire, dict):
            wire = SpellAnalysisInfo.from_dict(wire)
        if not isinstance(wire, SpellAnalysisInfo):
            raise TypeError(f"not a spell analysis reply: {type(wire).__name__}")
        status = member(SpellAnalysisStatus, wire.status)
        phase = _PHASES[status] if status is not None else None
        tags = ", ".join(wire.tag_names)
        done = phase is not None and phase.terminal
        return Reading(
            key,
            status,
            phase,
            progress=100.0 if phase is Phase.SUCCEEDED else None,
            eta_s=0.0 if done else None,
            media=(Media("text", text=tags),) if tags else (),
            fail_message="the analysis failed" if phase is Phase.FAILED else None,
            wire=wire,
            raw=wire.raw,
        )

    def callback(self, body: Json) -> Reading | None:
        """The push carries the whole analysis."""
        info = SpellAnalysisInfo.from_dict(body)
        key = info.spell_analysis_info_key
        return self.read(key, info) if key else None

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored detail (finished) or the stored status."""
        return restored(self, key, record, raw, _PHASES)

    def record(self, job: Job) -> Json:
        """The row: the source picture and the tags."""
        text = next((m.text for m in job.media if m.type == "text"), None)
        return kind_row(job, {"image_url": job.request.get("image_url")}, tags=text)
