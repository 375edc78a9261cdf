"""The DataFrame row of the newer Wujie kinds: a few canonical columns, ``kind``, then the
kind's own parameters and results as their own columns."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ...models import Model
from ..kind import Json, Kind, Media, Phase, Reading, Submitted

if TYPE_CHECKING:
    from ..job import Job

E = TypeVar("E", bound=enum.Enum)
M = TypeVar("M", bound=Model)


def kind_row(job: Job, params: Mapping[str, Any], **results: Any) -> Json:
    """The flat row of ``job``: identity, status, cost and picture, then ``params`` and
    ``results`` (the latest reading wins over nothing; nested request values stay JSON)."""
    reading = job.final or job.latest
    status = job.status
    code = status.value if isinstance(status, enum.Enum) else None
    return {
        "key": job.key,
        "kind": job.kind,
        "experiment": job.experiment,
        "backend": job.spec.backend,
        "prompt": job.request.get("prompt"),
        "status": code if isinstance(code, int) else None,
        "status_name": job.status_name,
        "submitted_at": job.submitted_at,
        "integral_cost": job.cost if reading is not None else None,
        "fail_message": reading.fail_message if reading else None,
        "picture_url": job.picture_url,
        "parent_key": job.parent.key if job.parent else job.axes.get("parent_key"),
        **dict(params),
        **results,
    }


def status_of(
    enum_type: type[E], phases: Mapping[E, Phase], code: object
) -> tuple[E | None, Phase | None]:
    """The kind's status member for a wire code and its phase; both None for a code nobody
    documented (the tracker counts it as still running, up to its limit)."""
    try:
        member = enum_type(code)
    except ValueError:
        return None, None
    return member, phases.get(member)


def wire_of(model: type[M], wire: object, what: str) -> M:
    """``wire`` as a ``model`` (a stored or pushed mapping is read first)."""
    if isinstance(wire, dict):
        wire = model.from_dict(wire)
    if not isinstance(wire, model):
        raise TypeError(f"not {what} reply: {type(wire).__name__}")
    return wire


def reading_of(
    key: str,
    wire: Model,
    status: enum.Enum | None,
    phase: Phase | None,
    *,
    media: tuple[Media, ...] = (),
    failed: str | None = None,
    progress: float | None = None,
    eta_s: float | None = None,
    **more: Any,
) -> Reading:
    """The reading of a reply that says a status and, once done, a result: 100 % once
    succeeded, nothing left to wait once ended, ``failed`` the message of a failure."""
    return Reading(
        key,
        status,
        phase,
        progress=100.0 if phase is Phase.SUCCEEDED else progress,
        eta_s=0.0 if phase is not None and phase.terminal else eta_s,
        media=media,
        fail_message=failed if phase is Phase.FAILED else None,
        wire=wire,
        raw=wire.raw,
        **more,
    )


class StatusKind(Kind):
    """A Wujie kind whose replies carry a documented status code (``phases`` says what each
    means): after a restart a job is read again from its stored reply, else its stored
    status."""

    backend: ClassVar[str] = "wujie"
    phases: ClassVar[Mapping[Any, Phase]]
    #: DataFrame column -> the create field it shows.
    columns: ClassVar[Mapping[str, str]] = {}

    def results(self, job: Job) -> Json:
        """The kind's own result columns (none unless a kind says)."""
        return {}

    def record(self, job: Job) -> Json:
        """The row: the canonical columns, the create fields of ``columns``, the results."""
        params = {column: job.request.get(field) for column, field in self.columns.items()}
        return kind_row(job, params, **self.results(job))

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored final reply, or the status the stored row had."""
        if raw is not None:
            return self.read(key, raw)
        enum_type = type(next(iter(self.phases)))
        return Reading(key, *status_of(enum_type, self.phases, record.get("status")))


def media_text(job: Job) -> str | None:
    """The text a job made (tags, a prompt), None before it has one."""
    return next((m.text for m in job.media if m.type == "text"), None)


async def one_key(create: Callable[..., Awaitable[str]], body: Json, source: str) -> Submitted:
    """A create whose reply is the new job's key; the ``source`` field goes first."""
    fields = dict(body)
    key = await create(fields.pop(source), **fields)
    return Submitted([key], {"key": key})
