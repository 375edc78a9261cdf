"""The DataFrame row of the newer Wujie kinds: a few canonical columns, ``kind``, then the
kind's own parameters and results as their own columns."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..kind import Json, Kind, Phase, Reading

if TYPE_CHECKING:
    from ..job import Job

E = TypeVar("E", bound=enum.Enum)


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


def member(enum_type: type[E], value: object) -> E | None:
    """The member of ``enum_type`` for a wire value, or None for an unknown value (which
    the tracker counts as still running, up to its limit)."""
    try:
        return enum_type(value)
    except ValueError:
        return None


def restored(
    kind: Kind, key: str, record: Mapping[str, Any], raw: Json | None, phases: Mapping[E, Phase]
) -> Reading:
    """A job's last reading after a restart: its stored final reply read again by ``kind``,
    else the status its stored row had."""
    if raw is not None:
        return kind.read(key, raw)
    status = member(type(next(iter(phases))), record.get("status"))
    return Reading(key, status, phases[status] if status is not None else None)
