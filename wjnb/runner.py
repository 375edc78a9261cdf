"""The job layer of one client: submit, record, reconcile, track, resume.

Every create follows the same path: write the intent (with its callback secret) to the
ledger, send it once, write the keys. A create whose outcome is unknown (the connection
died after sending) is never re-sent blindly: it is reconciled through its callback, which
carries the keys, and only declared "never created" after ``reconcile_after`` seconds
without one. Sweeps price themselves first and keep to their budget; their plan is stored
so ``wjnb.load`` after a crash finishes exactly the combinations that were never sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx

from . import validate
from ._loop import LoopThread
from .api.avatar import Template
from .api.avatar import check_create as check_avatar
from .api.mj import change_of
from .api.wujie import check_create
from .errors import (
    AmbiguousCreate,
    ApiError,
    BudgetExceeded,
    InsufficientBalance,
    InvalidArgument,
    JobError,
    LedgerError,
    TransportError,
    Unsupported,
    WjnbError,
)
from .images import ImageStore
from .jobs import Job, JobSet, MjTask, _call_observers
from .ledger import Ledger, RequestRow, Reservation
from .ledger.tracking import TrackerLeases
from .models import CreateResult, MjSubmitCode, PriceInfo, WujieCallback
from .models import MjTask as WireMjTask
from .receiver import Receiver
from .tracker import PollPolicy, Tracker

log = logging.getLogger("wjnb.runner")
T = TypeVar("T")

WUJIE_CREATE = "/ai/create"
AVATAR_CREATE = "/avatar/artwork/create"
MJ_IMAGINE = "/mj/submit/imagine"
MJ_ACTION = "/mj/submit/action"

#: What makes two sweeps the same sweep (running the same cell twice resumes it).
_PLAN_KEYS = ("base", "grid", "seeds", "budget", "budget_name")

#: Reads of the proxy's task list that look for an ambiguous MJ submit by its state.
_FIND_ROUNDS = 4

#: Rounds a sweep gives one combination whose create was provably never processed.
_SUBMIT_ROUNDS = 4

#: Defaults of a create that wjnb submits (anything else is passed through untouched).
_CREATE_DEFAULTS: dict[str, Any] = {"model": 1, "num": 1}


class Runner:
    """Owns the tracker, ledger, image cache and callback receiver of one client."""

    def __init__(
        self,
        aclient: Any,
        loop: LoopThread,
        *,
        owner: Any = None,
        home: str | Path | None = None,
        callbacks: bool = True,
        reconcile_after: float = 120.0,
        concurrency: int = 4,
        rate: float = 20.0,
        prefetch: bool = True,
        policy: PollPolicy | None = None,
        lease_ttl: float = 30.0,
    ) -> None:
        self.aclient = aclient
        self.loop = loop
        self.owner = owner
        self.ledger = Ledger(home)
        self.images = ImageStore(self.ledger.home, index=self.ledger.pictures)
        self.callbacks = callbacks
        self.reconcile_after = reconcile_after
        self.concurrency = concurrency
        self.rate = rate
        self.prefetch = prefetch
        self.leases = TrackerLeases(self.ledger, lease_ttl)
        self.tracker = Tracker(
            aclient.wujie,
            aclient.mj if _has_mj(aclient) else None,
            self._changed,
            self._finished,
            callbacks=callbacks,
            policy=policy,
            leases=self.leases,
        )
        self.receiver: Receiver | None = None
        self._jobs: dict[str, Job | MjTask] = {}
        self._secrets: dict[str, str] = {}
        self._ambiguous: dict[str, tuple[RequestRow, float, JobSet | None]] = {}
        self._sets: dict[str, JobSet] = {}
        self._http: httpx.AsyncClient | None = None
        self._started = False
        self._submit_gate: asyncio.Semaphore | None = None
        self._prices: dict[str, int] = {}
        self._in_flight: set[str] = set()
        self._early: set[str] = set()
        self._last_submit = 0.0
        self._activity: list[Callable[[Job | MjTask], None]] = []

    def __repr__(self) -> str:
        return f"<Runner home={str(self.ledger.home)!r} tracking={self.tracker.pending}>"

    # ------------------------------------------------------------------ threads

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the client's loop from any other thread and return its result."""
        return self.loop.run(coro)

    def ensure_tracking(self) -> None:
        """Make sure the receiver and poll loop run (from any thread)."""
        if not self._started:
            self.call(self._start())

    async def _start(self) -> None:
        if self._started:
            return
        self._started = True
        self._http = httpx.AsyncClient(follow_redirects=False)
        self._submit_gate = asyncio.Semaphore(self.concurrency)
        if self.callbacks:
            self.receiver = Receiver(
                self._callback, self._secret_for, self.ledger.home / "receiver.port"
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

    def observe(self, fn: Callable[[Job | MjTask], None]) -> Callable[[], None]:
        """Call ``fn(job)`` whenever any job of this client starts being tracked or finishes
        (what moves the credit balance); returns the function that unsubscribes."""
        self._activity.append(fn)
        return lambda: self._activity.remove(fn) if fn in self._activity else None

    def _track(self, jobs: list[Job | MjTask]) -> None:
        """Track ``jobs`` until they finish, and tell the activity observers."""
        self.tracker.add(jobs)
        for job in jobs:
            _call_observers(self._activity, job)

    def _changed(self, jobs: list[Job | MjTask]) -> None:
        updates = [(j.key, j.record, j.done, None) for j in jobs if not j.done]
        self.ledger.update_jobs(updates)
        for job in jobs:
            job._notify()

    async def _finished(self, job: Job | MjTask, raw: dict[str, Any] | None) -> None:
        """Persist the final record (and raw reply), then fetch the picture in the background."""
        self.ledger.update_jobs([(job.key, job.record, True, raw)])
        self.leases.release([job.key])
        _call_observers(self._activity, job)
        if self.prefetch and job.picture_url:
            self.tracker.spawn(self._prefetch(job))
        else:
            job._settle(False)

    async def _prefetch(self, job: Job | MjTask) -> None:
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
            job._settle(ready)

    async def fetch_image(self, url: str) -> bytes:
        """Download an image once into the disk cache (guards in ``images``)."""
        await self._start()
        assert self._http is not None
        return await self.images.fetch(self._http, url)

    # ------------------------------------------------------------------ Wujie submission

    async def generate(
        self, prompt: str, *, experiment: str | None = None, **params: Any
    ) -> JobSet:
        """One create request (``num`` images) -> a JobSet of its artworks."""
        experiment = _experiment(experiment)
        body = {**_CREATE_DEFAULTS, **params, "prompt": prompt}
        body = self._checked(body)
        await self._start()
        if experiment:
            self.ledger.ensure_experiment(experiment, {"kind": "generate"})
        jobs = self._jobset(experiment)
        await self._submit_wujie(WUJIE_CREATE, body, jobs, experiment=experiment, axes={})
        return jobs

    async def sweep(
        self,
        prompt: str,
        *,
        grid: Mapping[str, Sequence[Any]],
        seeds: Sequence[int | str] | None = None,
        experiment: str,
        budget: int | None = None,
        budget_name: str | None = None,
        **params: Any,
    ) -> JobSet:
        """One create per combination of ``grid`` x ``seeds``; priced and budgeted first.

        With ``budget_name`` the budget is shared through the ledger: each create reserves
        its price there first, and the sweep stops where the shared cap is reached.
        """
        validate.nonblank("experiment", experiment, max_len=200)
        if not isinstance(grid, Mapping) or not grid:
            raise InvalidArgument("grid", "give at least one axis, e.g. {'cfg': [4, 7]}")
        for axis, values in grid.items():
            if not isinstance(axis, str) or not axis.strip():
                raise InvalidArgument("grid", f"axis names are parameter names, got {axis!r}")
            if not isinstance(values, Sequence) or isinstance(values, str) or not values:
                raise InvalidArgument("grid", f"axis {axis!r} needs a non-empty list of values")
        if budget is not None:
            validate.non_negative("budget", budget)
        if budget_name is not None:
            validate.nonblank("budget_name", budget_name, max_len=200)
        if seeds is not None and (
            isinstance(seeds, (str, bytes, Mapping)) or not isinstance(seeds, Sequence) or not seeds
        ):
            raise InvalidArgument("seeds", "expected a non-empty list of seeds, e.g. [1, 2]")
        base = {**_CREATE_DEFAULTS, **params, "prompt": prompt}
        plan = {
            "kind": "sweep",
            "base": base,
            "grid": {k: list(v) for k, v in grid.items()},
            "seeds": list(seeds) if seeds else None,
            "budget": budget,
            "budget_name": budget_name,
            "state": "pricing",
        }
        combos = _combinations(plan)
        for combo in combos:  # every combination is checked before anything is sent
            self._checked({**base, **combo})
        if self.ledger.has_experiment(experiment) and self.ledger.requests(experiment):
            stored = self._plan(experiment)
            if all(stored.get(k) == json.loads(json.dumps(plan[k])) for k in _PLAN_KEYS):
                return await self.load(experiment)  # the same cell run again: resume, pay nothing
            raise InvalidArgument(
                "experiment",
                f"{experiment!r} already exists with another plan; pick a new name or"
                f" wjnb.load({experiment!r})",
            )
        await self._start()
        estimate = await self._price(base, combos)
        if budget is not None and budget_name is None and estimate > budget:
            raise BudgetExceeded(
                f"sweep {experiment!r} is estimated at {estimate} credits, over its budget of"
                f" {budget}; nothing was submitted"
            )
        plan["estimate"] = estimate
        plan["state"] = "submitting"
        self.ledger.ensure_experiment(experiment, plan)
        self.ledger.set_meta(experiment, plan)
        jobs = self._jobset(experiment, axes=_plan_axes(plan))
        await self._run_plan(experiment, plan, combos, jobs)
        return jobs

    async def _price(self, base: Mapping[str, Any], combos: list[dict[str, Any]]) -> int:
        """Credits the combinations would cost (``/ai/price_info``, one call per distinct body)."""
        cache = self._prices
        total = 0
        for combo in combos:
            body = {k: v for k, v in {**base, **combo}.items() if k not in ("seed", "notify_url")}
            sig = json.dumps(body, sort_keys=True, default=str)
            if sig not in cache:
                price: PriceInfo = await self.aclient.wujie.price_info(**body)
                cache[sig] = price.total
            total += cache[sig]
        return total

    async def _run_plan(
        self,
        experiment: str,
        plan: dict[str, Any],
        combos: list[dict[str, Any]],
        jobs: JobSet,
    ) -> None:
        """Submit every combination that has no request yet, within budget and balance."""
        sent = {
            _combo_id(r.axes) for r in self.ledger.requests(experiment) if r.state != "abandoned"
        }
        todo = [c for c in combos if _combo_id(c) not in sent]
        budget = plan.get("budget")
        shared = plan.get("budget_name")
        committed = sum(
            (r.expected_cost or 0)
            for r in self.ledger.requests(experiment, states=("accepted", "intent", "ambiguous"))
        )
        stop: list[str] = []
        failed: list[dict[str, Any]] = []
        jobs.pending_requests += len(todo)
        assert self._submit_gate is not None

        async def one(combo: dict[str, Any]) -> None:
            nonlocal committed
            try:
                if stop:
                    return
                body = {**plan["base"], **combo}
                async with self._submit_gate:  # type: ignore[union-attr]
                    if stop:
                        return
                    reserve = None
                    if shared is not None:
                        cost = await self._price(plan["base"], [combo])
                        reserve = Reservation(shared, budget, cost)
                    elif budget is not None:
                        cost = await self._price(plan["base"], [combo])
                        if committed + cost > budget:
                            stop.append(f"budget of {budget} credits reached")
                            return
                        committed += cost
                    await self._submit_with_retries(body, jobs, experiment, combo, reserve)
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
        jobs._sort(_plan_order(combos))
        if failed and not stop:
            stop.append(f"{len(failed)} combination(s) refused or unreachable")
        plan["state"] = f"stopped: {stop[0]}" if stop else "submitted"
        jobs.stopped_reason = stop[0] if stop else None
        self.ledger.set_meta(experiment, plan)

    async def _submit_with_retries(
        self,
        body: dict[str, Any],
        jobs: JobSet,
        experiment: str,
        combo: dict[str, Any],
        reserve: Reservation | None = None,
    ) -> None:
        """Submit one combination; a create the service provably never processed is retried."""
        for attempt in range(_SUBMIT_ROUNDS):
            await self._pace()
            try:
                await self._submit_wujie(
                    WUJIE_CREATE, body, jobs, experiment=experiment, axes=combo, reserve=reserve
                )
                return
            except AmbiguousCreate:
                raise
            except TransportError as exc:
                if attempt + 1 == _SUBMIT_ROUNDS:
                    raise
                log.warning("create not accepted (%s); trying again", exc)
                await asyncio.sleep(0.5 * 2**attempt)

    async def _pace(self) -> None:
        """Keep creates under ``rate`` per second."""
        gap = 1.0 / self.rate if self.rate > 0 else 0.0
        now = time.monotonic()
        wait = self._last_submit + gap - now
        self._last_submit = max(now, self._last_submit + gap)
        if wait > 0:
            await asyncio.sleep(wait)

    @staticmethod
    def _checked(body: dict[str, Any]) -> dict[str, Any]:
        """Validate a create body with the API's own rules (raises before any request)."""
        return check_create(body)

    async def _submit_wujie(
        self,
        route: str,
        body: dict[str, Any],
        jobs: JobSet,
        *,
        experiment: str | None,
        axes: dict[str, Any],
        reserve: Reservation | None = None,
    ) -> list[Job]:
        """Intent (and budget reservation) -> one send -> keys, with an ambiguous outcome
        reconciled, never re-sent."""
        row = self.ledger.record_intent(
            backend="wujie",
            route=route,
            body=body,
            experiment=experiment,
            axes=axes,
            reserve=reserve,
        )
        self._secrets[row.id] = row.secret
        if self.receiver is not None:
            body = {**body, "notify_url": self.receiver.url("wujie", row.id, row.secret)}
            self.ledger.update_body(row.id, body)
            row = self.ledger.request(row.id) or row
        self._in_flight.add(row.id)
        try:
            result = await self._send_create(route, body)
        except AmbiguousCreate as exc:
            self.ledger.record_request_state(row.id, "ambiguous", str(exc))
            self._ambiguous[row.id] = (row, time.monotonic(), jobs)
            log.warning("create outcome unknown; reconciling through its callback: %s", exc)
            return []
        except TransportError as exc:  # provably never processed: 429/503/connect failures
            self.ledger.record_request_state(row.id, "abandoned", str(exc))
            raise
        except WjnbError as exc:
            self.ledger.record_request_state(row.id, "rejected", str(exc))
            raise
        finally:
            self._in_flight.discard(row.id)
        return self._accept(row, result, jobs)

    async def _send_create(self, route: str, body: dict[str, Any]) -> CreateResult:
        if route == AVATAR_CREATE:
            fields = dict(body)
            result: CreateResult = await self.aclient.avatar.create(
                fields.pop("avatar_key"),
                fields.pop("prompt", None),
                templates=fields.pop("artwork_templates", ()),
                **fields,
            )
        else:
            result = await self.aclient.wujie.create(**body)
        return result

    def _accept(self, row: RequestRow, result: CreateResult, jobs: JobSet) -> list[Job]:
        keys = [k for k in result.keys or [] if isinstance(k, str) and k]
        if not keys:
            keys = [r.key for r in result.results or [] if r.key]
        new = [self._job(row, key) for key in keys]
        self.ledger.record_accepted(row.id, result.to_dict(), [(j.key, j.record) for j in new])
        jobs._add(new)
        self._track(list(new))
        for job in new:  # callbacks that beat the create's own reply
            if job.key in self._early:
                self._early.discard(job.key)
                self.tracker.spawn(self.tracker.finish_wujie(job.key))
        return new

    def _job(
        self,
        row: RequestRow,
        key: str,
        record: dict[str, Any] | None = None,
        raw: dict[str, Any] | None = None,
    ) -> Job:
        body = {k: v for k, v in row.body.items() if k != "notify_url"}
        job = Job(
            self,
            key,
            body,
            request_id=row.id,
            experiment=row.experiment,
            axes=row.axes,
            record=record,
            raw=raw,
        )
        if record is None:
            job.submitted_at = row.created
        self._jobs[key] = job
        return job

    def _jobset(self, experiment: str | None, axes: dict[str, list[Any]] | None = None) -> JobSet:
        jobs = JobSet(self, experiment=experiment, axes=axes)
        if experiment:
            self._sets[experiment] = jobs
        return jobs

    # ------------------------------------------------------------------ avatar

    async def avatar_create(
        self,
        avatar_key: str,
        prompt: str | None = None,
        *,
        templates: Iterable[Template] = (),
        experiment: str | None = None,
    ) -> JobSet:
        """Avatar camera: ``number`` artworks per template, tracked like any artwork."""
        experiment = _experiment(experiment)
        body = check_avatar(avatar_key, prompt, templates)
        await self._start()
        if experiment:
            self.ledger.ensure_experiment(experiment, {"kind": "avatar"})
        jobs = self._jobset(experiment)
        await self._submit_wujie(AVATAR_CREATE, body, jobs, experiment=experiment, axes={})
        return jobs

    async def cancel(self, job: Job) -> None:
        """Cancel a queued artwork; the tracker sees the refund."""
        await self.aclient.wujie.cancel(job.key)
        await self.tracker.finish_wujie(job.key)

    async def accelerate(self, job: Job, step_num: int) -> None:
        """Speed an artwork up."""
        await self.aclient.wujie.accelerate(job.key, step_num)

    # ------------------------------------------------------------------ Midjourney

    async def imagine(self, prompt: str, *, experiment: str | None = None, **params: Any) -> MjTask:
        """Submit an IMAGINE task and track it."""
        experiment = _experiment(experiment)
        for own in ("state", "notify_hook"):
            if own in params:
                raise InvalidArgument(own, f"wjnb sets {own} itself (it reconciles the task)")
        body = {"prompt": prompt, **params}
        return await self._submit_mj(MJ_IMAGINE, body, experiment=experiment, parent=None)

    async def mj_press(self, task: MjTask, label: str) -> MjTask:
        """Press one of a finished task's buttons; returns the child task."""
        if not task.done:
            raise JobError(f"task {task.id} is not finished; wait() before pressing {label}")
        button = task.task.button(label) if task.task else None
        change = change_of(label) if isinstance(label, str) else None
        if button is None or not button.custom_id:
            if await self.aclient.mj.has("action"):
                have = ", ".join(b.label or b.emoji or "?" for b in task.buttons) or "none"
                raise InvalidArgument(
                    "label", f"task {task.id} has no button {label!r} (has: {have})"
                )
            if change is None:
                flavor = await self.aclient.mj.flavor()
                what = f"button {label!r} (its /submit/change knows U1-U4, V1-V4 and reroll)"
                raise Unsupported(flavor, what)
            body = {"task_id": task.id, "label": label}  # novicezk: /submit/change
            action = change[0]
        else:
            body = {"task_id": task.id, "custom_id": button.custom_id, "label": label}
            action = _action_of(button.custom_id)
        child = await self._submit_mj(
            MJ_ACTION, body, experiment=task.experiment, parent=task, action=action
        )
        task.children.append(child)
        task._notify()
        return child

    async def mj_seed(self, task: MjTask) -> str:
        """The task's seed from the proxy."""
        seed: str = await self.aclient.mj.image_seed(task.id)
        return seed

    async def mj_cancel(self, task: MjTask) -> None:
        """Cancel a task."""
        await self.aclient.mj.cancel(task.id)

    async def _submit_mj(
        self,
        route: str,
        body: dict[str, Any],
        *,
        experiment: str | None,
        parent: MjTask | None,
        action: str = "IMAGINE",
    ) -> MjTask:
        await self._start()
        row = self.ledger.record_intent(backend="mj", route=route, body=body, experiment=experiment)
        self._secrets[row.id] = row.secret
        extra: dict[str, Any] = {"state": row.id}
        if self.receiver is not None:
            extra["notify_hook"] = self.receiver.url("mj", row.id, row.secret)
        try:
            if route == MJ_IMAGINE:
                reply = await self.aclient.mj.imagine(**body, **extra)
            else:
                reply = await self.aclient.mj.press(**body, **extra)
        except AmbiguousCreate:
            reply = None
            for attempt in range(_FIND_ROUNDS):  # the task list is an idempotent read
                reply = await self._find_mj_by_state(row.id)
                if reply is not None:
                    break
                await asyncio.sleep(0.25 * 2**attempt)
            if reply is None:
                self.ledger.record_request_state(row.id, "abandoned", "not found on the proxy")
                raise
        except WjnbError as exc:
            self.ledger.record_request_state(row.id, "rejected", str(exc))
            raise
        task_id = reply.result if isinstance(reply.result, str) else None
        if not task_id:
            self.ledger.record_request_state(row.id, "rejected", "no task id in the reply")
            raise JobError(f"the proxy accepted the task but gave no id (code {reply.code})")
        job = MjTask(
            self,
            task_id,
            body,
            request_id=row.id,
            action=action,
            experiment=experiment,
            parent=parent,
        )
        self.ledger.record_accepted(row.id, reply.to_dict(), [(task_id, job.record)])
        self._jobs[task_id] = job
        if reply.code == MjSubmitCode.EXISTS:
            job.task = WireMjTask.from_dict(
                {"id": task_id, "status": "MODAL", **(reply.properties or {})}
            )
        self._track([job])
        return job

    async def _find_mj_by_state(self, request_id: str) -> Any:
        """Reconcile an ambiguous MJ submit: the proxy echoes ``state`` on its tasks."""
        try:
            tasks: list[WireMjTask] = await self.aclient.mj.list()
        except WjnbError:
            return None
        for task in tasks:
            if task.state == request_id and task.id:
                from .models import MjSubmitReply

                return MjSubmitReply(code=1, description="reconciled", result=task.id)
        return None

    # ------------------------------------------------------------------ callbacks

    def _secret_for(self, request_id: str) -> str | None:
        secret = self._secrets.get(request_id)
        if secret is None:
            row = self.ledger.request(request_id)
            secret = row.secret if row else None
        return secret

    async def _callback(self, kind: str, request_id: str, body: dict[str, Any]) -> bool:
        if kind == "mj":
            task = WireMjTask.from_dict(body)
            known = self._jobs.get(task.id or "")
            if known is None or known.request_id != request_id:
                return False  # a request's secret vouches for its own task only
            return await self.tracker.finish_mj(task)
        cb = WujieCallback.from_dict(body)
        key = cb.key
        if not key:
            return False
        if key not in self._jobs:
            if request_id in self._in_flight:
                self._early.add(key)  # the create's own reply, with this key, is on its way
                return True
            if not await self._reconcile(request_id, key):
                return False
        job = self._jobs[key]
        if job.request_id != request_id or job.done or not self.tracker.knows(key):
            return False
        await self.tracker.finish_wujie(key)
        return True

    async def _reconcile(self, request_id: str, key: str) -> bool:
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
        if not unread or idx >= int(row.body.get("num") or 1) * _templates_count(row.body):
            return False
        job = self._job(row, key)
        if not self.ledger.add_job(request_id, key, idx, job.record):
            return key in self._jobs
        entry = self._ambiguous.pop(request_id, None)
        jobs = entry[2] if entry else self._sets.get(row.experiment or "")
        if jobs is not None:
            jobs._add([job])
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
                        if plan.get("kind") == "sweep":
                            await self._run_plan(row.experiment, plan, [row.axes], jobs)
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ resume

    def _plan(self, experiment: str) -> dict[str, Any]:
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
        jobs = self._jobset(experiment, axes=_plan_axes(plan))
        requests = {r.id: r for r in self.ledger.requests(experiment)}
        restored: list[Job | MjTask] = []
        for row in self.ledger.jobs(experiment):
            req = requests[row.request_id]
            if row.key in self._jobs:
                restored.append(self._jobs[row.key])
                continue
            if row.backend == "mj":
                mj = MjTask(self, row.key, req.body, request_id=req.id, experiment=experiment)
                if row.raw:
                    mj._apply_task(WireMjTask.from_dict(row.raw))
                self._jobs[row.key] = mj
                restored.append(mj)
                continue
            job = self._job(req, row.key, record=row.record, raw=row.raw if row.done else None)
            if row.done:
                job._set_done()
            restored.append(job)
        jobs._add(restored)
        self._track([j for j in restored if not j.done])
        for item in restored:
            if item.done and not item._settled.is_set():
                if self.prefetch and item.picture_url:
                    self.tracker.spawn(self._prefetch(item))
                else:
                    item._settle(False)
        for req in requests.values():
            self._secrets[req.id] = req.secret
            if req.state in ("intent", "ambiguous"):
                self.ledger.record_request_state(
                    req.id, "ambiguous", "outcome unknown after restart"
                )
                self._ambiguous[req.id] = (req, time.monotonic(), jobs)
        if plan.get("kind") == "sweep":
            if plan.get("state") == "submitting":
                await self._run_plan(experiment, plan, _combinations(plan), jobs)
            jobs._sort(_plan_order(_combinations(plan)))
        return jobs


def _experiment(value: object) -> str | None:
    """An experiment name: None, or non-blank text of at most 200 characters."""
    return None if value is None else validate.nonblank("experiment", value, max_len=200)


def _has_mj(aclient: Any) -> bool:
    try:
        return aclient.mj is not None
    except WjnbError:
        return False


def _templates_count(body: Mapping[str, Any]) -> int:
    """How many artworks an avatar create makes per ``num`` (1 for other creates)."""
    templates = body.get("artwork_templates")
    if not isinstance(templates, list) or not templates:
        return 1
    return sum(int(t.get("number") or 1) for t in templates if isinstance(t, dict))


def _combinations(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every axis combination of a sweep plan (seeds last), in a stable order."""
    grid: dict[str, list[Any]] = dict(plan["grid"])
    if plan.get("seeds"):
        grid["seed"] = list(plan["seeds"])
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def _plan_axes(plan: Mapping[str, Any]) -> dict[str, list[Any]]:
    if plan.get("kind") != "sweep":
        return {}
    axes = dict(plan["grid"])
    if plan.get("seeds"):
        axes["seed"] = plan["seeds"]
    return axes


def _plan_order(combos: list[dict[str, Any]]) -> Callable[[Job | MjTask], int]:
    """Sort key putting a sweep's jobs in plan order (combination, then seed)."""
    index = {_combo_id(c): i for i, c in enumerate(combos)}
    return lambda job: index.get(_combo_id(getattr(job, "axes", {})), len(index))


def _combo_id(axes: Mapping[str, Any]) -> str:
    return json.dumps(dict(axes), sort_keys=True, default=str)


_ACTIONS = {
    "upsample": "UPSCALE",
    "variation": "VARIATION",
    "high_variation": "VARIATION",
    "low_variation": "VARIATION",
    "Inpaint": "VARIATION",
    "reroll": "REROLL",
    "Outpaint": "ZOOM",
    "CustomZoom": "ZOOM",
}


def _action_of(custom_id: str) -> str:
    """``MJ::JOB::upsample::2::...`` -> ``UPSCALE`` (the proxies' customId -> action table)."""
    parts = custom_id.split("::")
    kind = (parts[2] if parts[1:2] == ["JOB"] else parts[1]) if len(parts) > 2 else ""
    if kind.startswith("upsample_"):
        return "UPSCALE_HD"
    if kind.startswith("pan_"):
        return "PAN"
    return _ACTIONS.get(kind, kind.upper() or "ACTION")
