"""Creates whose outcome is unknown: looked up on the service (``find``), or reconciled
through the callbacks that name their keys; and the callback entry point itself.
"""

from __future__ import annotations

import asyncio
import logging

from ..http import AMBIGUOUS_FIND_ROUNDS
from .core import RunnerCore
from .job import Job
from .kind import Json, Kind, Submitted

log = logging.getLogger("wjnb.runner")


class Reconciling(RunnerCore):
    """Finds the jobs of ambiguous creates and reads callbacks."""

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

    def _secret_for(self, request_id: str) -> str | None:
        secret = self._secrets.get(request_id)
        if secret is None:
            row = self.ledger.request(request_id)
            secret = row.secret if row else None
        return secret

    async def _callback(self, backend: str, request_id: str, body: Json) -> bool:
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
