"""What a kind of asynchronous work is: the one contract every kind module fills in.

A kind says how to submit (route, body, how keys come back, whether a lost reply can be
found again), how to poll (batch route and size, or one read per key), how to read a
finished job's detail, how to turn any reply into a ``Reading`` (status, phase, progress,
media, cost) and into the canonical record, what its callbacks look like, and which
actions it offers. The runner, tracker, job objects and views only ever use this surface.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..models import AuditSuggestion

if TYPE_CHECKING:
    from ..client import AsyncClient
    from .job import Job

#: A JSON object as sent or received (request bodies, raw replies, records).
Json = dict[str, Any]
S = TypeVar("S", bound=enum.Enum)


class Phase(enum.Enum):
    """Where a job is in its life, whatever its kind's own status codes are."""

    WAITING = "waiting"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        """True once the job can no longer change."""
        return self in (Phase.SUCCEEDED, Phase.FAILED, Phase.CANCELLED)


#: What the services' status names mean, for every status enum of both APIs.
_MEANINGS = {
    Phase.WAITING: "CREATED SUBMITTED SUBMITTED_ALT NOT_START MODAL QUEUED NIGHT_QUEUE WAITING",
    Phase.RUNNING: "GENERATING TRAINING RUNNING IN_PROGRESS",
    Phase.SUCCEEDED: "SUCCESS DONE",
    Phase.FAILED: "FAILED FAILURE DRAW_FAILED QUEUE_TIMEOUT",
    Phase.CANCELLED: "CANCELLED CANCEL",
}
_PHASE_OF_NAME = {name: phase for phase, names in _MEANINGS.items() for name in names.split()}


def phases_of(statuses: type[S]) -> dict[S, Phase]:
    """Each member of a kind's status enum with the phase its name means. A name not in
    the vocabulary raises at import: a new status is placed on purpose, never guessed."""
    unknown = [m.name for m in statuses if m.name not in _PHASE_OF_NAME]
    if unknown:
        raise ValueError(f"{statuses.__name__}: no phase for {', '.join(unknown)}")
    return {member: _PHASE_OF_NAME[member.name] for member in statuses}


@dataclass(frozen=True)
class Media:
    """One result of a job: an image or video URL, or a text (tags, an optimised prompt)."""

    type: str  # "image", "video" or "text"
    url: str | None = None
    text: str | None = None


@dataclass(slots=True)
class Reading:
    """One reply about one job (a poll entry, a detail, a callback), read by its kind.

    ``status`` is the kind's own enum member (None when the reply's status is unreadable);
    ``phase`` says what it means. ``wire`` keeps the parsed wire model for the kind's
    own use, ``raw`` the reply as received (stored in the ledger once final). Treated as
    immutable (not frozen: the tracker makes thousands per cycle and frozen init is slow).
    """

    key: str
    status: enum.Enum | None
    phase: Phase | None
    progress: float | None = None
    queue_position: int | None = None
    eta_s: float | None = None
    media: tuple[Media, ...] = ()
    fail_message: str | None = None
    cost: int = 0
    refunded: bool = False
    nsfw: bool = False
    audit: AuditSuggestion | None = None
    #: Seconds the service says the work took (generate -> complete), to learn its speed.
    reported_seconds: float | None = None
    #: Seconds the service asks the client to wait before its next poll (video's
    #: ``next_polling_time``); the schedule never polls the job sooner.
    next_poll_s: float | None = None
    #: When the service took, started and ended the work, on its own clock (unix seconds).
    submitted_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    wire: object = None
    raw: Json | None = None


@dataclass(frozen=True)
class Submitted:
    """What a create's reply said: the keys of the new jobs and the reply to store."""

    keys: list[str]
    reply: Json
    #: Readings the reply already carries (a proxy that says "this task exists").
    readings: Sequence[Reading] = ()
    #: What the create was charged, measured on its balance (None: unknown, not measured).
    charged: int | None = None


@dataclass(frozen=True)
class FollowUp:
    """An action that creates chained work: submit ``body`` to ``route`` as a child job."""

    route: str
    body: Json
    label: str | None = None


class Kind(ABC):
    """One kind of asynchronous work. Subclasses are declarative: data plus small methods."""

    #: Short name used by views (``job.kind``), callbacks URLs and the tracker's queues.
    name: ClassVar[str]
    #: The ledger's ``backend`` column for this kind's requests and jobs.
    backend: ClassVar[str]
    #: Create routes this kind submits to (a restarted runner finds the kind by route).
    routes: ClassVar[tuple[str, ...]]
    #: The status a job has between its create and its first poll.
    initial_status: ClassVar[enum.Enum]
    #: Keys per batch poll; 1 means one read per key.
    batch_size: ClassVar[int] = 50
    #: True when a terminal poll is followed by one read of the full detail.
    reads_detail: ClassVar[bool] = False
    #: True when a create whose reply was lost is reconciled through its callback (which
    #: carries the keys); False when it is looked up with ``find`` instead.
    reconciles_by_callback: ClassVar[bool] = False
    #: True when an unfinished job's picture is a preview worth showing (MJ progress).
    previews: ClassVar[bool] = False
    #: The job class made for this kind (None: plain ``Job``).
    job_class: ClassVar[type[Job] | None] = None
    #: True when the service holds a bounded number of unfinished jobs (submits wait for
    #: a free slot, see ``capacity``) and may lose queued ones (a sweep sends them again).
    bounded: ClassVar[bool] = False
    #: True when the API's reads of this kind carry neither progress nor an ETA: its
    #: polls are spaced out from the start (``schedule``).
    silent: ClassVar[bool] = False
    #: The balance every create is charged to when the service never states a job's cost:
    #: the charge is measured around its create (``fence``) and kept as ``job.charged``.
    measured_in: ClassVar[str | None] = None
    #: Body fields wjnb sets itself (callback URL, reconciliation tag): users may not.
    private_fields: ClassVar[tuple[str, ...]] = ()

    # -- submitting

    def check(self, route: str, body: Json) -> Json:
        """Validate a create body before anything is sent (raises ``InvalidArgument``)."""
        return body

    def notify_fields(self, url: str | None, request_id: str) -> Json:
        """Fields that tell the service where to call back (and tag the request)."""
        return {}

    @abstractmethod
    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """Send one create (non-idempotent: the transport raises ``AmbiguousCreate``)."""

    def charged_to(self, body: Mapping[str, Any]) -> str | None:
        """The balance (``"integral"`` or ``"duration"``) a create is charged to at once,
        for a kind with no callback and no ``find``: its lost replies are reconciled
        through that balance (``fence``). None: not reconciled that way."""
        return self.measured_in

    async def find(self, api: AsyncClient, request_id: str) -> Submitted | None:
        """Look up a create whose reply was lost (by its tag); None when not found."""
        return None

    async def price(self, api: AsyncClient, route: str, body: Json) -> int:
        """Credits one create would cost (0 for kinds the service does not price)."""
        return 0

    def expected_keys(self, body: Mapping[str, Any]) -> int:
        """How many jobs one create makes (bounds what a callback may attach to it)."""
        return 1

    # -- polling and reading

    @abstractmethod
    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """Read the state of up to ``batch_size`` jobs (missing keys are simply absent)."""

    async def detail(self, api: AsyncClient, key: str, hint: Reading | None) -> Reading:
        """The full detail of a finished job (only called when ``reads_detail``)."""
        raise NotImplementedError

    @abstractmethod
    def read(self, key: str, wire: object) -> Reading:
        """Interpret a wire model (poll entry, detail or callback) of this kind."""

    def callback(self, body: Json) -> Reading | None:
        """The reading a callback body carries (None when it names no job)."""
        return None

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The last reading of a job from what the ledger kept (after a restart)."""
        return None

    @abstractmethod
    def record(self, job: Job) -> Json:
        """The flat row of a job (canonical columns) for DataFrames and the ledger."""

    # -- actions

    def actions(self, job: Job) -> tuple[str, ...]:
        """Names of the actions a job offers now (``"cancel"``, ``"U2"``...)."""
        return ()

    async def act(self, api: AsyncClient, job: Job, action: str, **args: Any) -> object:
        """Perform an action; a ``FollowUp`` result is submitted as a child job."""
        raise NotImplementedError(f"{self.name} jobs offer no action {action!r}")
