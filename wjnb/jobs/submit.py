"""One create with the ledger discipline: write the intent (with its callback secret),
send it once, write the keys; an ambiguous outcome is reconciled, never re-sent blindly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Iterable
from typing import Any

from .. import validate
from ..api.avatar import Template
from ..api.avatar import check_create as check_avatar
from ..errors import AmbiguousCreate, MjDayLimit, TransportError, WjnbError
from ..http import CREATE_ROUNDS
from ..ledger import RequestRow, Reservation
from . import plan as plans
from .fence import ChargedUnknown
from .job import Job, JobSet
from .kind import Json, Kind, Submitted
from .kinds.artwork import AVATAR_CREATE, WUJIE_CREATE
from .kinds.mj import MJ_IMAGINE
from .reconcile import Reconciling

log = logging.getLogger("wjnb.runner")

#: Defaults of an artwork create that wjnb submits (anything else is passed through).
CREATE_DEFAULTS: Json = {"model": 1, "num": 1}


class Submitting(Reconciling):
    """Submits single creates of any kind."""

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
        body = {**CREATE_DEFAULTS, **params, "prompt": prompt}
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
        balance = spec.charged_to(body)
        fence = None if spec.reconciles_by_callback else balance
        try:
            if fence is not None:
                made, charged = await self.fences.send(
                    fence,
                    lambda: spec.submit(self.aclient, route, body),
                    measure=spec.measured_in is not None,
                )
                sub = dataclasses.replace(made, charged=charged)
            elif spec.bounded:
                sub = await self.slots.submit(
                    lambda: spec.submit(self.aclient, route, body), lambda s: s.keys
                )
                await self._learn_limits()  # after a valid submit: a refusal sends nothing
            else:
                with self.fences.outside(balance):
                    sub = await spec.submit(self.aclient, route, body)
        except ChargedUnknown as exc:
            self.ledger.record_request_state(row.id, "unknown", str(exc))
            raise
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
        except MjDayLimit as exc:  # never sent, or refused for today: nothing was made
            self.ledger.record_request_state(row.id, "abandoned", str(exc))
            raise
        except WjnbError as exc:
            self.ledger.record_request_state(row.id, "rejected", str(exc))
            raise
        finally:
            self._in_flight.discard(row.id)
        assert sub is not None
        return self._accept(spec, row, sub, jobs, parent=parent, label=label)

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
        for each in new if sub.charged is not None else ():
            each.charged = (sub.charged or 0) // len(new)  # one create's measured charge
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


def _experiment(value: object) -> str | None:
    """An experiment name: None, or non-blank text of at most 200 characters."""
    return None if value is None else validate.nonblank("experiment", value, max_len=200)
