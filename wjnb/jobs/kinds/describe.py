"""Wujie spell analysis ("describe"): ``/ai/spell_analysis/create`` reads tags from a
picture; one ``/ai/spell_analysis/info`` per key (no batch route), pushed to
``notify_url`` when done, which also reconciles a create whose reply was lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InvalidArgument
from ...models_more import SpellAnalysisInfo, SpellAnalysisStatus
from ..chains import SPELL_ANALYSIS
from ..kind import Json, Media, Phase, Reading, Submitted, phases_of
from .rows import StatusKind, media_text, reading_of, status_of, wire_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

_PHASES = phases_of(SpellAnalysisStatus)


class DescribeKind(StatusKind):
    """Tags read from a picture (a prompt to start from)."""

    name: ClassVar[str] = "describe"
    phases: ClassVar[Mapping[Any, Phase]] = _PHASES
    columns: ClassVar[Mapping[str, str]] = {"image_url": "image_url"}
    silent: ClassVar[bool] = True
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
        info = wire_of(SpellAnalysisInfo, wire, "a spell analysis")
        tags = ", ".join(info.tag_names)
        return reading_of(
            key,
            info,
            *status_of(SpellAnalysisStatus, _PHASES, info.status),
            media=(Media("text", text=tags),) if tags else (),
            failed="the analysis failed",
        )

    def callback(self, body: Json) -> Reading | None:
        """The push carries the whole analysis."""
        info = SpellAnalysisInfo.from_dict(body)
        key = info.spell_analysis_info_key
        return self.read(key, info) if key else None

    def results(self, job: Job) -> Json:
        """The tags read from the picture."""
        return {"tags": media_text(job)}
