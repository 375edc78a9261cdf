"""The state every layer of the runner shares: kinds, ledger, images, tracker, receiver,
the jobs and requests in flight, and the hand-offs from the tracker (changed, finished).

The runner is built in layers, each a module with one job, each calling only the layers
below it: ``core`` -> ``reconcile`` -> ``submit`` -> ``sweeps`` -> ``resume`` -> ``runner``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from .._loop import LoopThread
from ..errors import LedgerError, WjnbError
from ..images import ImageStore
from ..ledger import Ledger, RequestRow
from ..ledger.tracking import TrackerLeases
from .account import learn_limits
from .capacity import DEFAULT_CAPACITY, Slots
from .drain import DrainPlan
from .fence import Fences
from .host import Host
from .job import Job, JobSet, call_observers
from .kind import Json, Kind
from .kinds import default_kinds
from .queue import ProxyQueue
from .receiver import Receiver
from .schedule import PollPolicy
from .stuck import StuckPolicy, StuckWatch
from .tracker import Tracker

if TYPE_CHECKING:
    from ..client import AsyncClient

log = logging.getLogger("wjnb.runner")


class RunnerCore(ABC):
    """The shared state and lifecycle of one client's job layer."""

    def __init__(
        self,
        aclient: AsyncClient,
        loop: LoopThread,
        *,
        owner: object = None,
        home: str | Path | None = None,
        callbacks: bool = True,
        reconcile_after: float = 120.0,
        concurrency: int = 4,
        rate: float = 20.0,
        prefetch: bool = True,
        policy: PollPolicy | None = None,
        lease_ttl: float = 30.0,
        capacity: int | None = None,
        stuck: StuckPolicy | None = None,
    ) -> None:
        self.aclient = aclient
        self.loop = loop
        self._owner = owner
        self.ledger = Ledger(home)
        self.images = ImageStore(self.ledger.home, index=self.ledger.pictures)
        self.callbacks = callbacks
        self.reconcile_after = reconcile_after
        self.concurrency = concurrency
        self.rate = rate
        self.prefetch = prefetch
        self.kinds: dict[str, Kind] = {k.name: k for k in default_kinds()}
        self.leases = TrackerLeases(self.ledger, lease_ttl)
        self.tracker = Tracker(
            aclient,
            self._changed,
            self._finished,
            callbacks=callbacks,
            policy=policy,
            leases=self.leases,
            on_lost=self._lost,
        )
        self.tracker.schedule.silent.update(k.name for k in self.kinds.values() if k.silent)
        #: Admission to the Midjourney proxy (tasks it holds, at most ``capacity``).
        self.slots = Slots(capacity or DEFAULT_CAPACITY)
        self._sized = capacity is not None
        self._limits: asyncio.Task[object] | None = None
        self.drain = drain = DrainPlan(self.slots)
        self.slots.on_idle = self.tracker.replan
        #: Tasks given up when their progress stands still for the proxy's timeout.
        self.stuck = StuckWatch(stuck)
        bounded = [k.name for k in self.kinds.values() if k.bounded]
        self.tracker.plans.update(dict.fromkeys(bounded, drain))
        self.tracker.watches.update(dict.fromkeys(bounded, self.stuck))
        #: Creates reconciled through the balance they charge (``fence``).
        self.fences = Fences(aclient)
        self.receiver: Receiver | None = None
        self._jobs: dict[str, Job] = {}
        self._secrets: dict[str, str] = {}
        self._routes: dict[str, str] = {}
        self._ambiguous: dict[str, tuple[RequestRow, float, JobSet | None]] = {}
        self._sets: dict[str, JobSet] = {}
        self._live: dict[str, JobSet] = {}
        self._http: httpx.AsyncClient | None = None
        self._started = False
        self._submit_gate: asyncio.Semaphore | None = None
        self._prices: dict[str, int] = {}
        self._in_flight: set[str] = set()
        #: Keys whose callback beat their create's reply, and the request they belong to.
        self._early: dict[str, str] = {}
        self._last_submit = 0.0
        self._activity: list[Callable[[Job], None]] = []

    def __repr__(self) -> str:
        return f"<Runner home={str(self.ledger.home)!r} tracking={self.tracker.pending}>"

    async def proxy_queue(self) -> ProxyQueue:
        """The Midjourney scheduler's queue now (read on the loop thread)."""
        return ProxyQueue.of(self.slots, self._jobs)

    async def _learn_limits(self) -> None:
        """Once per client: the proxy's flavour and account settings (``jobs.account``)."""
        if self._limits is None:
            self._limits = asyncio.ensure_future(
                learn_limits(self.aclient, self.slots, self.drain, self.stuck, sized=self._sized)
            )
        try:
            await asyncio.shield(self._limits)
        except WjnbError as exc:  # asked again with the next submit; this one goes on
            self._limits = None
            log.info("the proxy's limits could not be read: %s", exc)

    def _counted(self, spec: Kind) -> contextlib.AbstractAsyncContextManager[None]:
        """A bounded kind's create counts as waiting on our side until it is answered (the
        drain plan and ``client.mj.scheduler`` read it)."""
        return self.slots.pending() if spec.bounded else contextlib.nullcontext()

    def register(self, kind: Kind) -> Kind:
        """Add a kind of work (its routes then resume on ``load`` too); returns it."""
        self.kinds[kind.name] = kind
        if kind.silent:
            self.tracker.schedule.silent.add(kind.name)
        return kind

    def kind_for(self, route: str) -> Kind:
        """The kind that submits to ``route`` (``LedgerError`` when none does)."""
        for kind in self.kinds.values():
            if route in kind.routes:
                return kind
        raise LedgerError(f"no kind of work submits to {route!r}; register it first")

    async def _start(self) -> None:
        if self._started:
            return
        self._started = True
        self._http = httpx.AsyncClient(follow_redirects=False)
        self._submit_gate = asyncio.Semaphore(self.concurrency)
        if self.callbacks:
            self.receiver = Receiver(
                self._callback,
                self._secret_for,
                self.ledger.home / "receiver.port",
                accepts=lambda backend: any(k.backend == backend for k in self.kinds.values()),
            )
            try:
                await self.receiver.start()
            except OSError as exc:
                log.warning("callbacks off: the receiver could not start (%s)", exc)
                self.receiver = None
                self.callbacks = self.tracker.callbacks = False
        self.tracker.ensure_running()

    async def close(self) -> None:
        """Stop polling and serving; the ledger keeps everything for ``load``."""
        await self.tracker.stop()
        try:
            self.leases.release_all()  # another kernel need not wait for them to lapse
        except LedgerError as exc:
            log.warning("leases not released (they lapse on their own): %s", exc)
        if self.receiver is not None:
            await self.receiver.stop()
        if self._http is not None:
            await self._http.aclose()
        self._started = False

    def observe(self, fn: Callable[[Job], None]) -> Callable[[], None]:
        """Call ``fn(job)`` whenever any job of this client starts being tracked or finishes
        (what moves the credit balance); returns the function that unsubscribes."""
        self._activity.append(fn)
        return lambda: self._activity.remove(fn) if fn in self._activity else None

    def _track(self, jobs: list[Job]) -> None:
        """Track ``jobs`` until they finish, and tell the activity observers."""
        self.tracker.add(jobs)
        for job in jobs:
            call_observers(self._activity, job)

    def _changed(self, jobs: list[Job]) -> None:
        updates = [(j.key, j.record, j.done, None) for j in jobs if not j.done]
        self.ledger.update_jobs(updates)
        for job in jobs:
            job.notify()

    async def _finished(self, job: Job, raw: Json | None) -> None:
        """Persist the final record (and raw reply), then fetch the picture in the background."""
        self.ledger.update_jobs([(job.key, job.record, True, raw)])
        self.leases.release([job.key])
        call_observers(self._activity, job)
        if job.spec.bounded:
            await self.slots.release(job.key)
        if self.prefetch and job.picture_url:
            self.tracker.spawn(self._prefetch(job))
        else:
            job.settle(False)

    async def _prefetch(self, job: Job) -> None:
        """Cache a finished job's picture and thumbnail, then settle it (waiters return)."""
        url = job.picture_url
        ready = False
        try:
            if url:
                await self.fetch_image(url)
                await asyncio.to_thread(self.images.thumbnail, url, 256, blur=job.nsfw)
                ready = True
        except WjnbError as exc:
            log.warning("image of %s not cached: %s", job.key, exc)
        finally:
            job.settle(ready)

    async def fetch_image(self, url: str) -> bytes:
        """Download an image once into the disk cache (guards in ``images``)."""
        await self._start()
        assert self._http is not None
        return await self.images.fetch(self._http, url)

    def _job(
        self,
        spec: Kind,
        row: RequestRow,
        key: str,
        *,
        parent: Job | None = None,
        label: str | None = None,
    ) -> Job:
        body = {k: v for k, v in row.body.items() if k not in spec.private_fields}
        make = spec.job_class or Job
        job = make(
            self.host,
            spec,
            key,
            body,
            request_id=row.id,
            experiment=row.experiment,
            axes=row.axes,
            parent=parent,
            label=label,
        )
        job.submitted_at = row.created
        self._jobs[key] = job
        return job

    def _add(self, jobs: JobSet | None, row: RequestRow, new: list[Job]) -> None:
        """Put new jobs in their set, and in their experiment's live set when one is open."""
        live = self._live.get(row.experiment or "")
        for target in {id(s): s for s in (jobs, live) if s is not None}.values():
            target.add(new)

    def _jobset(
        self, experiment: str | None, axes: dict[str, list[object]] | None = None
    ) -> JobSet:
        """A new set of jobs, remembered as its experiment's set (for re-sends)."""
        jobs = JobSet(self.host, experiment=experiment, axes=axes)
        if experiment:
            self._sets[experiment] = jobs
        return jobs

    def _plan(self, experiment: str) -> Json:
        """The stored plan (metadata) of an experiment."""
        for e in self.ledger.experiments():
            if e["name"] == experiment:
                return dict(e["meta"])
        return {}

    @property
    @abstractmethod
    def host(self) -> Host:
        """The host the jobs talk to (the runner itself)."""

    @abstractmethod
    def _secret_for(self, request_id: str) -> str | None:
        """The callback secret of a request (None for a request this client never made)."""

    @abstractmethod
    async def _callback(self, backend: str, request_id: str, body: Json) -> bool:
        """Read one callback; True when it was for a job this client tracks."""

    @abstractmethod
    async def _lost(self, job: Job) -> bool:
        """A task the service lost: True when it was submitted again."""
