"""Resume from the ledger: rebuild an experiment's jobs after a restart and finish
whatever was unfinished (tracking, ambiguous creates, combinations never sent).
"""

from __future__ import annotations

import time

from .. import validate
from ..errors import LedgerError
from . import plan as plans
from .job import Job, JobSet
from .sweeps import Sweeping


class Resuming(Sweeping):
    """Loads experiments back from the ledger."""

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
                live = JobSet(self.host, experiment=name)
            self._live[name] = live
        return live
