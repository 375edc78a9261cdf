"""The job layer of one client: submit, record, reconcile, track, resume, for every kind.

Every create follows the same path: write the intent (with its callback secret) to the
ledger, send it once, write the keys. A create whose outcome is unknown (the connection
died after sending) is never re-sent blindly: a kind that can look it up (``find``) does;
otherwise it is reconciled through its callback, which carries the keys, and only declared
"never created" after ``reconcile_after`` seconds without one. Sweeps price themselves
first and keep to their budget; their plan is stored so ``wjnb.load`` after a crash
finishes exactly the combinations that were never sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .. import validate
from .._loop import LoopThread
from ..api.avatar import Template
from ..api.avatar import check_create as check_avatar
from ..errors import (
    AmbiguousCreate,
    ApiError,
    BudgetExceeded,
    InsufficientBalance,
    InvalidArgument,
    LedgerError,
    TransportError,
    WjnbError,
)
from ..http import AMBIGUOUS_FIND_ROUNDS, CREATE_ROUNDS
from ..images import ImageStore
from ..ledger import Ledger, RequestRow, Reservation
from ..ledger.tracking import TrackerLeases
from . import chains
from . import plan as plans
from .capacity import DEFAULT_CAPACITY, Slots
from .job import Job, JobSet, call_observers
from .kind import FollowUp, Json, Kind, Submitted
from .kinds import default_kinds
from .kinds.artwork import AVATAR_CREATE, WUJIE_CREATE
from .kinds.mj import MJ_IMAGINE
from .receiver import Receiver
from .schedule import PollPolicy
from .tracker import Tracker

if TYPE_CHECKING:
    from ..client import AsyncClient

log = logging.getLogger("wjnb.runner")
T = TypeVar("T")

#: Defaults of an artwork create that wjnb submits (anything else is passed through).
_CREATE_DEFAULTS: Json = {"model": 1, "num": 1}


class Runner:
    """Owns the tracker, ledger, image cache and callback receiver of one client; it is
    the ``Host`` its jobs talk to."""

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
        capacity: int = DEFAULT_CAPACITY,
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
        #: Admission to the Midjourney proxy (tasks it holds, at most ``capacity``).
        self.slots = Slots(capacity)
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

    def register(self, kind: Kind) -> Kind:
        """Add a kind of work (its routes then resume on ``load`` too); returns it."""
        self.kinds[kind.name] = kind
        return kind

    def kind_for(self, route: str) -> Kind:
        """The kind that submits to ``route`` (``LedgerError`` when none does)."""
        for kind in self.kinds.values():
            if route in kind.routes:
                return kind
        raise LedgerError(f"no kind of work submits to {route!r}; register it first")

    # ------------------------------------------------------------------ host interface

    @property
    def owner(self) -> object:
        """The sync client that owns this runner."""
        return self._owner

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the client's loop from any other thread and return its result."""
        return self.loop.run(coro)

    def ensure_tracking(self) -> None:
        """Make sure the receiver and poll loop run (from any thread)."""
        if not self._started:
            self.call(self._start())

    def thumbnail(self, url: str, size: int, blur: bool) -> bytes | None:
        """A cached image's thumbnail (None until the image is cached)."""
        return self.images.thumbnail(url, size, blur=blur)

    async def act(self, job: Job, action: str, args: dict[str, Any]) -> object:
        """Perform a job's action; a chained action is submitted as a child job."""
        await self._start()
        if action == "reload":
            await self._reload(job)
            return job
        chain = chains.find(job, action)
        if chain is not None:
            result: object = chain.follow_up(job, args)
        else:
            result = await job.spec.act(self.aclient, job, action, **args)
        if isinstance(result, FollowUp):
            spec = self.kind_for(result.route)  # a chain may make another kind of job
            made = await self._submit(
                spec,
                result.route,
                spec.check(result.route, result.body),
                self._jobset(None),
                experiment=job.experiment,
                axes={"parent_key": job.key},  # kept in the ledger: lineage survives a restart
                parent=job,
                label=result.label,
            )
            if not made:
                raise AmbiguousCreate(
                    f"{action} of {job.key}: outcome unknown, reconciling",
                    route=result.route,
                    request=result.body,
                )
            child = made[0]
            job.children.append(child)
            job.notify()
            return child
        if action == "cancel":
            await self._reload(job)  # the cancellation (and any refund) shows at once
        return result

    async def _reload(self, job: Job) -> None:
        """Poll one job now and hand the reading to the tracker."""
        if job.done:
            return
        for reading in await job.spec.poll(self.aclient, [job.key]):
            if reading.key == job.key and reading.phase is not None:
                if reading.phase.terminal:
                    await self.tracker.finish(job.key, reading)
                elif job.apply(reading):
                    self._changed([job])

    def view(self, name: str, subject: Job | JobSet, *args: object) -> Any:
        """The views jobs show themselves with (imported here, never by the jobs)."""
        if name == "html":
            from ..html import card_html, jobset_html

            return card_html(subject) if isinstance(subject, Job) else jobset_html(subject)
        from .. import widgets

        assert isinstance(subject, JobSet)
        if name == "progress":
            from ..widgets.progress import progress_bar

            return progress_bar(subject)
        if name == "gallery":
            return widgets.gallery_view(subject)
        return widgets.grid_view(subject, str(args[0]), str(args[1]))

    # ------------------------------------------------------------------ threads

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

    # ------------------------------------------------------------------ observers

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

    async def _finished(self, job: Job, raw: dict[str, Any] | None) -> None:
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

    # ------------------------------------------------------------------ submitting

    async def submit(
        self,
        kind: Kind | str,
        route: str,
        body: Json,
        *,
        experiment: str | None = None,
    ) -> JobSet:
        """One create of any kind -> a JobSet of the jobs it made, already tracked."""
        spec = self.kinds[kind] if isinstance(kind, str) else self.register(kind)
        experiment = _experiment(experiment)
        body = spec.check(route, body)
        await self._start()
        if experiment:
            self.ledger.ensure_experiment(experiment, {"kind": spec.name})
        jobs = self._jobset(experiment)
        await self._submit(spec, route, body, jobs, experiment=experiment, axes={})
        return jobs

    async def generate(
        self, prompt: str, *, experiment: str | None = None, **params: Any
    ) -> JobSet:
        """One create request (``num`` images) -> a JobSet of its artworks."""
        body = {**_CREATE_DEFAULTS, **params, "prompt": prompt}
        return await self.submit("artwork", WUJIE_CREATE, body, experiment=experiment)

    async def avatar_create(
        self,
        avatar_key: str,
        prompt: str | None = None,
        *,
        templates: Iterable[Template] = (),
        experiment: str | None = None,
    ) -> JobSet:
        """Avatar camera: ``number`` artworks per template, tracked like any artwork."""
        body = check_avatar(avatar_key, prompt, templates)
        return await self.submit("artwork", AVATAR_CREATE, body, experiment=experiment)

    async def imagine(self, prompt: str, *, experiment: str | None = None, **params: Any) -> Job:
        """Submit an IMAGINE task and track it."""
        body = {"prompt": prompt, **params}
        jobs = await self.submit("mj", MJ_IMAGINE, body, experiment=experiment)
        return jobs[0]

    async def sweep(
        self,
        prompt: str | None,
        *,
        grid: Mapping[str, Sequence[Any]],
        seeds: Sequence[int | str] | None = None,
        experiment: str,
        budget: int | None = None,
        budget_name: str | None = None,
        kind: Kind | str = "artwork",
        route: str | None = None,
        **params: Any,
    ) -> JobSet:
        """One create per combination of ``grid`` x ``seeds``; priced and budgeted first.

        ``grid`` may vary any create field, ``prompt`` and ``model`` included. With
        ``budget_name`` the budget is shared through the ledger: each create reserves its
        price there first, and the sweep stops where the shared cap is reached.
        """
        validate.nonblank("experiment", experiment, max_len=200)
        spec = self.kinds[kind] if isinstance(kind, str) else self.register(kind)
        route = route or spec.routes[0]
        defaults = _CREATE_DEFAULTS if spec.name == "artwork" else {}
        base = {**defaults, **params, **({"prompt": prompt} if prompt is not None else {})}
        plan = plans.make_plan(base, grid, seeds, budget, route=route)
        plan["kind_name"] = spec.name
        plan["budget_name"] = budget_name
        combos = plans.combinations(plan)
        for combo in combos:  # every combination is checked before anything is sent
            spec.check(route, plans.body_of(plan, combo))
        if self.ledger.has_experiment(experiment) and self.ledger.requests(experiment):
            if plans.same_plan(self._plan(experiment), plan):
                return await self.load(experiment)  # the same cell run again: resume, pay nothing
            raise InvalidArgument(
                "experiment",
                f"{experiment!r} already exists with another plan; pick a new name or"
                f" wjnb.load({experiment!r})",
            )
        await self._start()
        estimate = await self._price(spec, plan, combos)
        if budget is not None and budget_name is None and estimate > budget:
            raise BudgetExceeded(
                f"sweep {experiment!r} is estimated at {estimate} credits, over its budget of"
                f" {budget}; nothing was submitted"
            )
        plan["estimate"] = estimate
        plan["state"] = "submitting"
        self.ledger.ensure_experiment(experiment, plan)
        self.ledger.set_meta(experiment, plan)
        jobs = self._jobset(experiment, axes=plans.plan_axes(plan))
        if spec.bounded:  # submits wait for the proxy's slots: queue them here, return now
            jobs.pending_requests += 1
            self.tracker.spawn(self._queue_plan(experiment, plan, combos, jobs))
        else:
            await self._run_plan(experiment, plan, combos, jobs)
        return jobs

    async def _queue_plan(
        self, experiment: str, plan: Json, combos: list[Json], jobs: JobSet
    ) -> None:
        """A sweep's plan run in the background (its set is not done before it ends)."""
        try:
            await self._run_plan(experiment, plan, combos, jobs)
        finally:
            jobs.pending_requests -= 1

    async def _price(self, spec: Kind, plan: Mapping[str, Any], combos: list[Json]) -> int:
        """Credits the combinations would cost (one price read per distinct body)."""
        total = 0
        for combo in combos:
            body = {
                k: v
                for k, v in plans.body_of(plan, combo).items()
                if k != "seed" and k not in spec.private_fields
            }
            sig = f"{spec.name}:" + json.dumps(body, sort_keys=True, default=str)
            if sig not in self._prices:
                self._prices[sig] = await spec.price(self.aclient, plan["route"], body)
            total += self._prices[sig]
        return total

    async def _run_plan(
        self, experiment: str, plan: Json, combos: list[Json], jobs: JobSet
    ) -> None:
        """Submit every combination that has no request yet, within budget and balance."""
        spec = self.kinds[str(plan.get("kind_name") or "artwork")]
        route = str(plan.get("route") or WUJIE_CREATE)
        sent = {
            plans.combo_id(r.axes)
            for r in self.ledger.requests(experiment)
            if r.state != "abandoned"
        }
        todo = plans.todo(combos, sent)
        budget = plan.get("budget")
        shared = plan.get("budget_name")
        committed = sum(
            (r.expected_cost or 0)
            for r in self.ledger.requests(experiment, states=("accepted", "intent", "ambiguous"))
        )
        stop: list[str] = []
        failed: list[Json] = []
        jobs.pending_requests += len(todo)
        gate = self._submit_gate
        assert gate is not None

        async def one(combo: Json) -> None:
            nonlocal committed
            try:
                if stop:
                    return
                async with gate:
                    if stop:
                        return
                    reserve = None
                    if shared is not None:
                        reserve = Reservation(
                            shared, budget, await self._price(spec, plan, [combo])
                        )
                    elif budget is not None:
                        cost = await self._price(spec, plan, [combo])
                        if committed + cost > budget:
                            stop.append(f"budget of {budget} credits reached")
                            return
                        committed += cost
                    await self._submit_rounds(spec, route, plan, combo, jobs, experiment, reserve)
            except BudgetExceeded as exc:
                stop.append(str(exc))
            except InsufficientBalance as exc:
                stop.append(f"credits ran out: {exc.message}")
            except (ApiError, TransportError) as exc:
                log.warning("combination %s not submitted: %s", combo, exc)
                failed.append(combo)
            finally:
                jobs.pending_requests -= 1

        await asyncio.gather(*(one(c) for c in todo))
        jobs.sort(plans.plan_order(combos))
        if failed and not stop:
            stop.append(f"{len(failed)} combination(s) refused or unreachable")
        plan["state"] = f"stopped: {stop[0]}" if stop else "submitted"
        jobs.stopped_reason = stop[0] if stop else None
        self.ledger.set_meta(experiment, plan)

    async def _submit_rounds(
        self,
        spec: Kind,
        route: str,
        plan: Json,
        combo: Json,
        jobs: JobSet,
        experiment: str,
        reserve: Reservation | None = None,
    ) -> None:
        """Submit one combination; a create the service provably never processed is sent
        again (``CREATE_ROUNDS``)."""
        body = plans.body_of(plan, combo)
        rounds = CREATE_ROUNDS
        for attempt in range(rounds.tries):
            await self._pace()
            try:
                await self._submit(
                    spec, route, body, jobs, experiment=experiment, axes=combo, reserve=reserve
                )
                return
            except AmbiguousCreate:
                raise
            except TransportError as exc:
                if attempt + 1 == rounds.tries:
                    raise
                log.warning("create not accepted (%s); trying again", exc)
                await asyncio.sleep(rounds.pause(attempt))

    async def _pace(self) -> None:
        """Keep creates under ``rate`` per second."""
        gap = 1.0 / self.rate if self.rate > 0 else 0.0
        now = time.monotonic()
        wait = self._last_submit + gap - now
        self._last_submit = max(now, self._last_submit + gap)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _submit(
        self,
        spec: Kind,
        route: str,
        body: Json,
        jobs: JobSet,
        *,
        experiment: str | None,
        axes: Json,
        parent: Job | None = None,
        label: str | None = None,
        reserve: Reservation | None = None,
    ) -> list[Job]:
        """Intent (and budget reservation) -> one send -> keys, with an ambiguous outcome
        reconciled, never re-sent."""
        row = self.ledger.record_intent(
            backend=spec.backend,
            route=route,
            body=body,
            experiment=experiment,
            axes=axes,
            reserve=reserve,
        )
        self._secrets[row.id] = row.secret
        self._routes[row.id] = route
        url = self.receiver.url(spec.backend, row.id, row.secret) if self.receiver else None
        extra = spec.notify_fields(url, row.id)
        if extra:
            body = {**body, **extra}
            self.ledger.update_body(row.id, body)
            row = self.ledger.request(row.id) or row
        self._in_flight.add(row.id)
        sub: Submitted | None
        try:
            if spec.bounded:
                sub = await self.slots.submit(
                    lambda: spec.submit(self.aclient, route, body), lambda s: s.keys
                )
            else:
                sub = await spec.submit(self.aclient, route, body)
        except AmbiguousCreate as exc:
            sub = await self._find(spec, row.id)
            if sub is None and not spec.reconciles_by_callback:
                self.ledger.record_request_state(row.id, "abandoned", "not found on the service")
                raise
            if sub is None:
                self.ledger.record_request_state(row.id, "ambiguous", str(exc))
                self._ambiguous[row.id] = (row, time.monotonic(), jobs)
                log.warning("create outcome unknown; reconciling through its callback: %s", exc)
                return await self._reconcile_early(spec, row.id)
        except TransportError as exc:  # provably never processed: 429/503/connect failures
            self.ledger.record_request_state(row.id, "abandoned", str(exc))
            raise
        except WjnbError as exc:
            self.ledger.record_request_state(row.id, "rejected", str(exc))
            raise
        finally:
            self._in_flight.discard(row.id)
        assert sub is not None
        return self._accept(spec, row, sub, jobs, parent=parent, label=label)

    async def _lost(self, job: Job) -> bool:
        """A bounded kind's task the service lost (a restarted proxy drops its queue): in a
        sweep its combination is submitted again, as a new request; elsewhere it fails."""
        plan = self._plan(job.experiment) if job.experiment else {}
        jobs = self._sets.get(job.experiment or "")
        row = self.ledger.request(job.request_id)
        if not job.spec.bounded or plan.get("kind") != "sweep" or jobs is None or row is None:
            return False
        await self.slots.release(job.key)
        self.ledger.record_request_state(row.id, "abandoned", "lost by the service")
        job.fail("lost by the service; its combination was submitted again")
        self.ledger.update_jobs([(job.key, job.record, True, None)])
        self._jobs.pop(job.key, None)
        jobs.discard(job)
        jobs.pending_requests += 1
        self.tracker.spawn(self._resubmit(plan, row.axes, jobs, job))
        return True

    async def _resubmit(self, plan: Json, combo: Json, jobs: JobSet, lost: Job) -> None:
        """Send one lost combination of a sweep again, then put the set back in plan order."""
        spec = self.kinds[str(plan.get("kind_name"))]
        experiment = str(jobs.experiment)
        try:
            await self._submit_rounds(spec, str(plan["route"]), plan, combo, jobs, experiment)
        except WjnbError as exc:
            log.warning("lost combination %s not submitted again: %s", combo, exc)
        finally:
            jobs.pending_requests -= 1
            jobs.sort(plans.plan_order(plans.combinations(plan)))
            lost.settle(False)

    async def _reconcile_early(self, spec: Kind, request_id: str) -> list[Job]:
        """Callbacks that arrived before a reply that never came: they name its keys."""
        keys = [key for key, rid in list(self._early.items()) if rid == request_id]
        made = []
        for key in keys:
            del self._early[key]
            if await self._reconcile(spec, request_id, key):
                self.tracker.spawn(self.tracker.finish(key))
                made.append(self._jobs[key])
        return made

    async def _find(self, spec: Kind, request_id: str) -> Submitted | None:
        """Look a lost create up (``AMBIGUOUS_FIND_ROUNDS``), for kinds that can."""
        if spec.reconciles_by_callback:
            return None
        rounds = AMBIGUOUS_FIND_ROUNDS
        for attempt in range(rounds.tries):
            found = await spec.find(self.aclient, request_id)
            if found is not None:
                return found
            await asyncio.sleep(rounds.pause(attempt))
        return None

    def _accept(
        self,
        spec: Kind,
        row: RequestRow,
        sub: Submitted,
        jobs: JobSet,
        *,
        parent: Job | None = None,
        label: str | None = None,
    ) -> list[Job]:
        new = [self._job(spec, row, key, parent=parent, label=label) for key in sub.keys]
        for reading in sub.readings:
            job = next((j for j in new if j.key == reading.key), None)
            if job is not None:
                job.apply(reading)
        self.ledger.record_accepted(row.id, sub.reply, [(j.key, j.record) for j in new])
        self._add(jobs, row, new)
        self._track(list(new))
        for job in new:  # callbacks that beat the create's own reply
            if self._early.pop(job.key, None) is not None:
                self.tracker.spawn(self.tracker.finish(job.key))
        return new

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
            self,
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

    async def experiment(self, name: str) -> JobSet:
        """The live set of an experiment: what the ledger holds (resumed), then every job
        submitted under its name."""
        validate.nonblank("experiment", name, max_len=200)
        live = self._live.get(name)
        if live is None:
            if self.ledger.has_experiment(name):
                live = await self.load(name)
            else:
                await self._start()
                live = JobSet(self, experiment=name)
            self._live[name] = live
        return live

    def _jobset(self, experiment: str | None, axes: dict[str, list[Any]] | None = None) -> JobSet:
        jobs = JobSet(self, experiment=experiment, axes=axes)
        if experiment:
            self._sets[experiment] = jobs
        return jobs

    # ------------------------------------------------------------------ callbacks

    def _secret_for(self, request_id: str) -> str | None:
        secret = self._secrets.get(request_id)
        if secret is None:
            row = self.ledger.request(request_id)
            secret = row.secret if row else None
        return secret

    async def _callback(self, backend: str, request_id: str, body: dict[str, Any]) -> bool:
        """A callback for one request: its kind (found by the request's route) reads it."""
        route = self._routes.get(request_id)
        if route is None:
            row = self.ledger.request(request_id)
            route = self._routes[request_id] = row.route if row else ""
        spec = next((k for k in self.kinds.values() if route in k.routes), None)
        reading = spec.callback(body) if spec is not None and spec.backend == backend else None
        if spec is None or reading is None:
            return False
        key = reading.key
        if key not in self._jobs:
            if not spec.reconciles_by_callback:
                return False
            if request_id in self._in_flight:
                self._early[key] = request_id  # the create's own reply is on its way
                return True
            if not await self._reconcile(spec, request_id, key):
                return False
        job = self._jobs[key]
        if job.request_id != request_id or job.done or not self.tracker.knows(key):
            return False  # a request's secret vouches for its own jobs only
        return await self.tracker.push(key, reading)

    async def _reconcile(self, spec: Kind, request_id: str, key: str) -> bool:
        """A callback names a key we never saw: attach it to its (ambiguous) request."""
        row = self.ledger.request(request_id)
        if row is None:
            return False
        idx = len(self.ledger.jobs(request_id=request_id))
        # Only a create whose reply was never read can gain keys this way (and no more
        # than it asked for): an accepted reply already listed every key it has.
        unread = row.state in ("ambiguous", "intent") or (
            row.state == "accepted" and row.reply is None
        )
        if not unread or idx >= spec.expected_keys(row.body):
            return False
        job = self._job(spec, row, key)
        if not self.ledger.add_job(request_id, key, idx, job.record):
            return key in self._jobs
        entry = self._ambiguous.pop(request_id, None)
        jobs = entry[2] if entry else self._sets.get(row.experiment or "")
        self._add(jobs, row, [job])
        self._track([job])
        log.info("reconciled %s to request %s through its callback", key, request_id)
        return True

    async def settle(self, jobs: JobSet) -> None:
        """Wait out ambiguous creates of this set: reconciled, or declared never created.

        A request declared never created is re-sent only when it belongs to a sweep plan
        (the combination would otherwise be missing); its new intent is a new request.
        """
        while True:
            mine = [(rid, e) for rid, e in self._ambiguous.items() if e[2] is jobs]
            if not mine and jobs.pending_requests == 0:
                return
            now = time.monotonic()
            for rid, (row, since, _) in mine:
                if now - since >= self.reconcile_after:
                    self._ambiguous.pop(rid, None)
                    self.ledger.record_request_state(
                        rid, "abandoned", f"no callback within {self.reconcile_after:g} s"
                    )
                    if row.experiment and row.experiment in self._sets:
                        plan = self._plan(row.experiment)
                        if plan.get("kind") == "sweep" and plan.get("route") == row.route:
                            await self._run_plan(row.experiment, plan, [row.axes], jobs)
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ resume

    def _plan(self, experiment: str) -> Json:
        """The stored plan (metadata) of an experiment."""
        for e in self.ledger.experiments():
            if e["name"] == experiment:
                return dict(e["meta"])
        return {}

    async def load(self, experiment: str) -> JobSet:
        """Rebuild an experiment's jobs from the ledger and resume everything unfinished."""
        validate.nonblank("experiment", experiment, max_len=200)
        if not self.ledger.has_experiment(experiment):
            known = ", ".join(str(e["name"]) for e in self.ledger.experiments()) or "none"
            raise LedgerError(
                f"no experiment {experiment!r} in {self.ledger.home} (known: {known})"
            )
        await self._start()
        plan = self._plan(experiment)
        jobs = self._jobset(experiment, axes=plans.plan_axes(plan))
        requests = {r.id: r for r in self.ledger.requests(experiment)}
        restored: list[Job] = []
        for row in self.ledger.jobs(experiment):
            if requests[row.request_id].state == "abandoned":
                continue  # lost by the service; its combination was sent again
            if row.key in self._jobs:
                restored.append(self._jobs[row.key])
                continue
            req = requests[row.request_id]
            spec = self.kind_for(req.route)
            job = self._job(spec, req, row.key)
            reading = spec.restore(row.key, row.record, row.raw if row.done else None)
            job.restore(reading, row.record, done=row.done)
            restored.append(job)
        for item in restored:  # chained jobs find their parent again
            parent = self._jobs.get(str(item.axes.get("parent_key")))
            if item.parent is None and parent is not None and parent is not item:
                item.parent = parent
                parent.children.append(item)
        jobs.add(restored)
        self._track([j for j in restored if not j.done])
        self.slots.held.update(j.key for j in restored if not j.done and j.spec.bounded)
        for item in restored:
            if item.done and not item.settled.is_set():
                if self.prefetch and item.picture_url:
                    self.tracker.spawn(self._prefetch(item))
                else:
                    item.settle(False)
        for req in requests.values():
            self._secrets[req.id] = req.secret
            self._routes[req.id] = req.route
            if req.state in ("intent", "ambiguous"):
                self.ledger.record_request_state(
                    req.id, "ambiguous", "outcome unknown after restart"
                )
                self._ambiguous[req.id] = (req, time.monotonic(), jobs)
        if plan.get("kind") == "sweep":
            if plan.get("state") == "submitting":
                await self._run_plan(experiment, plan, plans.combinations(plan), jobs)
            jobs.sort(plans.plan_order(plans.combinations(plan)))
        return jobs


def _experiment(value: object) -> str | None:
    """An experiment name: None, or non-blank text of at most 200 characters."""
    return None if value is None else validate.nonblank("experiment", value, max_len=200)
