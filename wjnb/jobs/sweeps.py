"""Sweeps: priced and budgeted first, their plan stored in the ledger, every combination
submitted once; combinations the service lost or never created are submitted again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from .. import validate
from ..errors import (
    ApiError,
    BudgetExceeded,
    InsufficientBalance,
    InvalidArgument,
    MjDayLimit,
    TransportError,
    WjnbError,
)
from ..ledger import Reservation
from . import plan as plans
from .fence import ChargedUnknown
from .job import Job, JobSet
from .kind import Json, Kind
from .kinds.artwork import WUJIE_CREATE
from .submit import CREATE_DEFAULTS, Submitting

log = logging.getLogger("wjnb.runner")


class Sweeping(Submitting):
    """Runs sweep plans and waits out their ambiguous creates."""

    @abstractmethod
    async def load(self, experiment: str) -> JobSet:
        """Rebuild an experiment from the ledger and resume it (the resume layer)."""

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
        defaults = CREATE_DEFAULTS if spec.name == "artwork" else {}
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
        unknown: list[Json] = []
        jobs.pending_requests += len(todo)
        gate = self._submit_gate
        assert gate is not None

        async def one(combo: Json) -> None:
            nonlocal committed
            try:
                if stop:
                    return
                async with self._counted(spec), gate:
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
            except MjDayLimit as exc:
                stop.append(f"the proxy's day limit is reached ({exc.message}); the rest waits")
            except ChargedUnknown as exc:
                log.warning("combination %s may be charged but cannot be tracked: %s", combo, exc)
                unknown.append(combo)
            except (ApiError, TransportError) as exc:
                log.warning("combination %s not submitted: %s", combo, exc)
                failed.append(combo)
            finally:
                jobs.pending_requests -= 1

        await asyncio.gather(*(one(c) for c in todo))
        jobs.sort(plans.plan_order(combos))
        if unknown:
            stop.insert(0, f"{len(unknown)} create(s) may be charged but cannot be tracked")
        if failed and not stop:
            stop.append(f"{len(failed)} combination(s) refused or unreachable")
        plan["state"] = f"stopped: {stop[0]}" if stop else "submitted"
        jobs.stopped_reason = stop[0] if stop else None
        self.ledger.set_meta(experiment, plan)

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
