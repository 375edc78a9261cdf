"""The Wujie artwork: ``/ai/create`` (and the avatar camera's create), polled in batches of
``/ai/generating_info``, finished with one ``/ai/info``, reconciled through its callback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ... import records
from ...api.wujie import check_create
from ...models import (
    ArtworkInfo,
    ArtworkStatus,
    CreateResult,
    GeneratingInfo,
    IntegralCostMessage,
    PriceInfo,
    WujieCallback,
)
from ..job import PictureJob
from ..kind import Json, Kind, Media, Phase, Reading, Submitted, phases_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

WUJIE_CREATE = "/ai/create"
AVATAR_CREATE = "/avatar/artwork/create"

_PHASES = phases_of(ArtworkStatus)

_STATUS = {int(s): s for s in ArtworkStatus}
_ENDED = frozenset(p for p in Phase if p.terminal)
_REFUNDED = IntegralCostMessage.REFUNDED.value


class ArtworkKind(Kind):
    """A Wujie artwork, from a text-to-image create or the avatar camera."""

    name: ClassVar[str] = "artwork"
    backend: ClassVar[str] = "wujie"
    routes: ClassVar[tuple[str, ...]] = (WUJIE_CREATE, AVATAR_CREATE)
    initial_status = ArtworkStatus.SUBMITTED
    batch_size: ClassVar[int] = 50
    reads_detail: ClassVar[bool] = True
    reconciles_by_callback: ClassVar[bool] = True
    private_fields: ClassVar[tuple[str, ...]] = ("notify_url",)
    job_class: ClassVar[type[Job]] = PictureJob

    def check(self, route: str, body: Json) -> Json:
        """The API's own rules for a create body (avatar bodies are checked when built)."""
        return body if route == AVATAR_CREATE else check_create(body)

    def notify_fields(self, url: str | None, request_id: str) -> Json:
        """The service posts to ``notify_url`` when the artwork finishes."""
        return {"notify_url": url} if url else {}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One create; its reply lists the new keys."""
        if route == AVATAR_CREATE:
            fields = dict(body)
            result: CreateResult = await api.avatar.create(
                fields.pop("avatar_key"),
                fields.pop("prompt", None),
                templates=fields.pop("artwork_templates", ()),
                **fields,
            )
        else:
            result = await api.wujie.create(**body)
        keys = [k for k in result.keys or [] if isinstance(k, str) and k]
        if not keys:
            keys = [r.key for r in result.results or [] if r.key]
        return Submitted(keys, result.to_dict())

    async def price(self, api: AsyncClient, route: str, body: Json) -> int:
        """``/ai/price_info`` of the same body (text-to-image creates only)."""
        if route != WUJIE_CREATE:
            return 0
        price: PriceInfo = await api.wujie.price_info(**body)
        return price.total

    def expected_keys(self, body: Mapping[str, Any]) -> int:
        """``num`` artworks per create, times the avatar templates' numbers."""
        templates = body.get("artwork_templates")
        per = 1
        if isinstance(templates, list) and templates:
            per = sum(int(t.get("number") or 1) for t in templates if isinstance(t, dict))
        return int(body.get("num") or 1) * per

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``/ai/generating_info`` for the whole batch."""
        infos: list[GeneratingInfo] = await api.wujie.generating_info(keys)
        return [self.read(g.key, g) for g in infos if g.key]

    async def detail(self, api: AsyncClient, key: str, hint: Reading | None) -> Reading:
        """``/ai/info``; a detail that lags the poll takes the poll's terminal status."""
        info: ArtworkInfo = await api.wujie.info(key)
        status = info.status_enum
        if (status is None or not status.terminal) and hint and hint.status is not None:
            info.status = int(ArtworkStatus(hint.status.value))
        return self.read(key, info)

    def read(self, key: str, wire: object) -> Reading:
        """A poll entry, a detail or a callback of one artwork."""
        if isinstance(wire, WujieCallback):
            return Reading(key, None, None, wire=wire, raw=wire.raw)
        if not isinstance(wire, (GeneratingInfo, ArtworkInfo)):
            raise TypeError(f"not an artwork reply: {type(wire).__name__}")
        code = wire.status  # the hot path of polling: plain lookups, no enum parsing
        status = _STATUS.get(code) if type(code) is int else wire.status_enum
        phase = _PHASES[status] if status is not None else None
        fail = wire.fail_message
        reported = None
        progress: float | None = 100.0 if phase is Phase.SUCCEEDED else None
        queue = eta = None
        if type(wire) is GeneratingInfo:
            progress = wire.complete_percent
            queue = wire.queue_before_num
            seconds = wire.expected_seconds
            eta = float(seconds) if seconds is not None else None
        elif isinstance(wire, ArtworkInfo):
            wire.key = key
            if wire.generate_time and wire.complete_time:
                reported = float(wire.complete_time - wire.generate_time)
        if phase in _ENDED:
            queue, eta = None, 0.0
        return Reading(
            key,
            status,
            phase,
            progress=progress,
            queue_position=queue,
            eta_s=eta,
            media=(Media("image", wire.picture_url),) if wire.picture_url else (),
            fail_message=fail.fail_message if fail and fail.fail_code else None,
            cost=wire.integral_cost or 0,
            refunded=wire.integral_cost_message == _REFUNDED,
            nsfw=wire.involve_yellow == 1,
            audit=wire.audit_info.verdict if wire.audit_info else None,
            reported_seconds=reported,
            wire=wire,
            raw=wire.raw,
        )

    def callback(self, body: Json) -> Reading | None:
        """A callback only names the finished key: the detail is read next."""
        cb = WujieCallback.from_dict(body)
        return self.read(cb.key, cb) if cb.key else None

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored detail (a finished artwork) or the stored status."""
        if raw is not None:
            return self.read(key, ArtworkInfo.from_dict(raw))
        status = ArtworkStatus.parse(record.get("status"))
        return Reading(key, status, _PHASES[status] if status is not None else None)

    def record(self, job: Job) -> Json:
        """The canonical row: the detail wins, then the last poll, then the request."""
        latest = job.latest.wire if job.latest else None
        final = job.final.wire if job.final else None
        return records.wujie_record(
            job.key,
            job.request,
            info=final if isinstance(final, ArtworkInfo) else None,
            generating=latest if isinstance(latest, GeneratingInfo) else None,
            experiment=job.experiment,
            backend=self.backend,
            submitted_at=job.submitted_at,
        )

    def actions(self, job: Job) -> tuple[str, ...]:
        """Queued or running artworks can be cancelled or accelerated."""
        return () if job.done else ("cancel", "accelerate")

    async def act(self, api: AsyncClient, job: Job, action: str, **args: Any) -> object:
        """``cancel`` (the refund shows on the next read) or ``accelerate``."""
        if action == "cancel":
            return await api.wujie.cancel(job.key)
        if action == "accelerate":
            return await api.wujie.accelerate(job.key, args.get("step_num", 1))
        return await super().act(api, job, action, **args)
