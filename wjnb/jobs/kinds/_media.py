"""What the media kinds (video, SVD, avatar training, camera, lab, youthify) share: a
status code read into a phase, failure texts, per-key polling and their DataFrame rows.

A status code the kind does not know reads as no phase: the tracker keeps polling such a
job as still running, and ends it in error only after ``unknown_status_limit`` readings.
"""

from __future__ import annotations

import enum
from abc import abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ...models import FailMessage, Model
from ..kind import Json, Kind, Media, Phase, Reading, phases_of
from .rows import reading_of, status_of, wire_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

W = TypeVar("W", bound=Model)


def fail_text(value: object) -> str | None:
    """A failure reason from a ``FailMessage``, a plain string or an object with a message."""
    if isinstance(value, FailMessage):
        return value.fail_message if value.fail_code or value.fail_message else None
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        text = value.get("fail_message") or value.get("message") or value.get("failMessage")
        return str(text) if text else None
    return None


def media_record(job: Job, status: object, params: Json, **reported: Any) -> Json:
    """The row of a media job: the canonical columns it can fill, ``kind``, its parameters."""
    reading = job.final or job.latest
    done = job.final is not None
    code = status if isinstance(status, int) and not isinstance(status, bool) else None
    return {
        "key": job.key,
        "experiment": job.experiment,
        "backend": job.spec.backend,
        "kind": job.kind,
        "status": code,
        "status_name": job.status_name,
        "submitted_at": job.submitted_at,
        "integral_cost": reading.cost if reading and reading.cost else job.charged,
        "fail_message": reading.fail_message if reading else None,
        "picture_url": job.picture_url if done else None,
        **params,
        **reported,
    }


class KeyedKind(Kind, Generic[W]):
    """A kind read one key at a time (unless it says a batch size), whose callback posts
    the same view: the view's ``status`` says the phase (``phases``), the kind says what a
    succeeded job made, why a failed one failed and how far a running one is."""

    backend: ClassVar[str] = "wujie"
    batch_size: ClassVar[int] = 1
    private_fields: ClassVar[tuple[str, ...]] = ("notify_url",)
    #: The wire model of the read route (and of the callback body).
    wire_type: type[W]
    #: The kind's status enum, and what each of its codes means.
    statuses: ClassVar[type[enum.Enum]]
    phases: ClassVar[Mapping[Any, Phase]]

    def __init_subclass__(cls, *, statuses: type[enum.Enum], **kwargs: Any) -> None:
        """``statuses``: the kind's status enum. Its names say each code's phase
        (``phases_of``); a new job starts at its first waiting status."""
        super().__init_subclass__(**kwargs)
        cls.statuses = statuses
        cls.phases = phases_of(statuses)
        cls.initial_status = next(s for s, p in cls.phases.items() if p is Phase.WAITING)

    def notify_fields(self, url: str | None, request_id: str) -> Json:
        """The service posts the job's view to ``notify_url`` when it ends."""
        return {"notify_url": url} if url else {}

    @abstractmethod
    async def fetch(self, api: AsyncClient, key: str) -> Model:
        """One read of one job."""

    def read(self, key: str, wire: object) -> Reading:
        """Any view of one job (a read, a poll entry or a callback)."""
        view = wire_of(self.wire_type, wire, f"a {self.name}")
        status, phase = status_of(self.statuses, self.phases, getattr(view, "status", None))
        return reading_of(
            key,
            view,
            status,
            phase,
            media=self.made(view) if phase is Phase.SUCCEEDED else (),
            failed=self.failure(view, status),
            **self.progress(view),
        )

    @abstractmethod
    def made(self, view: W) -> tuple[Media, ...]:
        """What a succeeded job made, the picture to show first."""

    def failure(self, view: W, status: Any) -> str | None:
        """Why a failed job failed: the view's ``fail_message``."""
        return fail_text(getattr(view, "fail_message", None))

    def progress(self, view: W) -> dict[str, float | None]:
        """How far a running job is (``progress``, ``eta_s``), where its view says."""
        return {}

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One read per key (the API has no batch route for this kind)."""
        return [self.read(key, await self.fetch(api, key)) for key in keys]

    def callback(self, body: Json) -> Reading | None:
        """A callback carries the same view as the read route."""
        wire = self.wire_type.from_dict(body)
        key = getattr(wire, "key", None)
        return self.read(key, wire) if isinstance(key, str) and key else None

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """A finished job's stored view (an unfinished one is simply polled again)."""
        return self.read(key, self.wire_type.from_dict(raw)) if raw is not None else None
