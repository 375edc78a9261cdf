"""The Wujie pro artwork: ``/ai/pro/create`` (charged in pro time), polled in batches of
``/ai/pro/generating_info`` (``infos``), finished with one ``/ai/pro/info``.

The SDK declares no ``notify_url`` for pro creates, so pro artworks are polled only, and a
create whose reply was lost is reconciled through the pro time balance it is charged to
(``jobs.fence``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InvalidArgument
from ...models import ArtworkStatus
from ...models_more import ProArtworkInfo, ProGeneratingInfo
from ..job import PictureJob
from ..kind import Json, Kind, Media, Reading, Submitted
from .artwork import _PHASES
from .rows import kind_row

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

PRO_CREATE = "/ai/pro/create"


class ProArtworkKind(Kind):
    """A pro artwork (SD models, ControlNet, hires fix...) on the artwork status scale."""

    name: ClassVar[str] = "pro"
    job_class: ClassVar[type[Job]] = PictureJob
    backend: ClassVar[str] = "wujie"
    routes: ClassVar[tuple[str, ...]] = (PRO_CREATE,)
    initial_status = ArtworkStatus.SUBMITTED
    batch_size: ClassVar[int] = 50
    reads_detail: ClassVar[bool] = True

    def check(self, route: str, body: Json) -> Json:
        """A pro create needs a prompt and a ``model_code`` (the rest is checked on send)."""
        if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
            raise InvalidArgument("prompt", "a pro artwork needs a non-blank prompt")
        if "model_code" not in body:
            raise InvalidArgument("model_code", "pick one of client.wujie.pro.model_base_infos()")
        return body

    def expected_keys(self, body: Mapping[str, Any]) -> int:
        """``batch_count`` artworks per create."""
        return int(body.get("batch_count") or 1)

    def charged_to(self, body: Mapping[str, Any]) -> str | None:
        """Pro artworks are charged in pro time when the create is accepted."""
        return "duration"

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One pro create; its reply lists the new keys."""
        fields = dict(body)
        result = await api.wujie.pro.create(fields.pop("prompt"), **fields)
        return Submitted(result.keys, result.to_dict())

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``/ai/pro/generating_info`` for the whole batch."""
        infos = await api.wujie.pro.generating_info(keys)
        return [self.read(g.key, g) for g in infos if g.key]

    async def detail(self, api: AsyncClient, key: str, hint: Reading | None) -> Reading:
        """``/ai/pro/info`` (parameters and time cost); the status is the poll's."""
        info = await api.wujie.pro.info(key)
        poll = hint.wire if hint is not None else None
        return self._final(key, info, poll if isinstance(poll, ProGeneratingInfo) else None)

    def _final(self, key: str, info: ProArtworkInfo, poll: ProGeneratingInfo | None) -> Reading:
        base = self.read(key, poll) if poll is not None else Reading(key, None, None)
        url = info.picture_url or (base.media[0].url if base.media else None)
        base.media = (Media("image", url),) if url else ()
        base.wire = info
        base.raw = {"info": info.raw, "poll": poll.raw if poll is not None else None}
        return base

    def read(self, key: str, wire: object) -> Reading:
        """A poll entry (``/ai/pro/info`` carries no status: see ``detail``)."""
        if not isinstance(wire, ProGeneratingInfo):
            raise TypeError(f"not a pro artwork reply: {type(wire).__name__}")
        status = ArtworkStatus.parse(wire.status)
        phase = _PHASES[status] if status is not None else None
        fail = wire.fail_message
        done = phase is not None and phase.terminal
        return Reading(
            key,
            status,
            phase,
            progress=wire.complete_percent,
            queue_position=None,
            eta_s=0.0 if done else _seconds(wire.expected_seconds),
            media=(Media("image", wire.picture_url),) if wire.picture_url else (),
            fail_message=fail.fail_message if fail and fail.fail_code else None,
            nsfw=wire.involve_yellow == 1,
            audit=wire.audit_info.verdict if wire.audit_info else None,
            wire=wire,
            raw=wire.raw,
        )

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored detail and last poll (a finished artwork) or the stored status."""
        if raw is not None and isinstance(raw.get("info"), dict):
            poll = raw.get("poll")
            wire = ProGeneratingInfo.from_dict(poll) if isinstance(poll, dict) else None
            return self._final(key, ProArtworkInfo.from_dict(raw["info"]), wire)
        status = ArtworkStatus.parse(record.get("status"))
        return Reading(key, status, _PHASES[status] if status is not None else None)

    def record(self, job: Job) -> Json:
        """The row: the pro parameters as columns, and the pro seconds it cost."""
        info = job.final.wire if job.final else None
        seconds = info.duration_cost if isinstance(info, ProArtworkInfo) else None
        req = job.request
        adv = req.get("advanced_param")
        adv = adv if isinstance(adv, dict) else {}
        units = req.get("control_net_params")
        first = units[0] if isinstance(units, list) and units and isinstance(units[0], dict) else {}
        params = {
            "model_code": req.get("model_code"),
            "width": req.get("width"),
            "height": req.get("height"),
            "cfg": adv.get("cfg"),
            "steps": adv.get("sampler_steps"),
            "seed": adv.get("seed"),
            "control_net": first.get("type"),
            "control_weight": first.get("control_weight"),
        }
        return kind_row(job, params, pro_seconds=seconds)


def _seconds(value: int | None) -> float | None:
    return float(value) if value is not None else None
