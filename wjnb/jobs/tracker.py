"""The batch tracker: one poll loop per client for every pending job, whatever its kind.

Each key has a due time (``schedule``); a cycle polls every key due soon, per kind, in
batches of the kind's size, hands each reading to its job, reads a finished job's detail
once when its kind asks for one, and backs off with jitter on errors. The tracker applies
no kind-specific logic: kinds poll and read, jobs hold state, the runner persists.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import MalformedResponse, WjnbError
from .drain import DrainPlan
from .job import Job
from .kind import Json, Kind, Phase, Reading
from .schedule import Entry, PollPolicy, Schedule
from .stuck import StuckWatch

if TYPE_CHECKING:
    from ..client import AsyncClient
    from ..ledger.tracking import TrackerLeases

log = logging.getLogger("wjnb.tracker")

ChangeHook = Callable[[list[Job]], None]
FinishHook = Callable[[Job, "Json | None"], Awaitable[None]]
#: Called for a job the service no longer reports; True when the hook took care of it.
LostHook = Callable[[Job], Awaitable[bool]]

__all__ = ["PollPolicy", "Tracker"]


@dataclass
class _Queue:
    """The pending entries of one kind."""

    kind: Kind
    entries: dict[str, Entry]


_RANK = {Phase.WAITING: 0, Phase.RUNNING: 1}


def behind(latest: Reading | None, pushed: Reading) -> bool:
    """True when a pushed reading says nothing newer than the latest one (proxies may send
    callbacks twice or out of order): an earlier phase, or less progress in the same one."""
    if latest is None or latest.phase is None or pushed.phase is None or pushed.phase.terminal:
        return False
    if latest.phase.terminal:
        return True
    if _RANK[pushed.phase] != _RANK[latest.phase]:
        return _RANK[pushed.phase] < _RANK[latest.phase]
    return (pushed.progress or 0) < (latest.progress or 0) or pushed.raw == latest.raw


class Tracker:
    """Polls pending jobs on the client's loop until each is terminal."""

    def __init__(
        self,
        api: AsyncClient,
        on_change: ChangeHook,
        on_finish: FinishHook,
        *,
        callbacks: bool = False,
        policy: PollPolicy | None = None,
        leases: TrackerLeases | None = None,
        on_lost: LostHook | None = None,
    ) -> None:
        self._api = api
        self.leases = leases
        self._on_change = on_change
        self._on_finish = on_finish
        self._on_lost = on_lost
        self.schedule = Schedule(policy or PollPolicy(), callbacks=callbacks)
        self._queues: dict[str, _Queue] = {}
        self._finishing: set[str] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._detail_gate: asyncio.Semaphore | None = None
        self._rng = random.Random()
        self.cycles = 0
        #: Kinds whose polls are planned from their service's queue (polling only).
        self.plans: dict[str, DrainPlan] = {}
        #: Kinds whose tasks are given up when their progress stands still too long.
        self.watches: dict[str, StuckWatch] = {}

    @property
    def policy(self) -> PollPolicy:
        """The polling figures in use."""
        return self.schedule.policy

    @property
    def callbacks(self) -> bool:
        """True when callbacks finish jobs and polling is only the fallback."""
        return self.schedule.callbacks

    @callbacks.setter
    def callbacks(self, value: bool) -> None:
        self.schedule.callbacks = value

    # ------------------------------------------------------------------ registration

    def add(self, jobs: list[Job]) -> None:
        """Start tracking jobs (loop thread)."""
        now = time.monotonic()
        for job in jobs:
            if job.done:
                continue
            queue = self._queues.get(job.kind)
            if queue is None:
                queue = self._queues[job.kind] = _Queue(job.spec, {})
            queue.entries[job.key] = Entry(job, self.schedule.first(job, now))
        for queue in self._queues.values():
            self._replan(queue, now)
        self.ensure_running()
        if self._wake is not None:
            self._wake.set()

    @property
    def pending(self) -> int:
        """How many jobs are still tracked."""
        return sum(len(q.entries) for q in self._queues.values()) + len(self._finishing)

    def knows(self, key: str) -> bool:
        """True when the key is still being polled."""
        return any(key in q.entries for q in self._queues.values())

    def entries(self) -> list[Entry]:
        """Every pending entry (for figures and tests)."""
        return [e for q in self._queues.values() for e in q.entries.values()]

    def ensure_running(self) -> None:
        """Start the poll loop on the running loop if it is not running."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._detail_gate = asyncio.Semaphore(self.policy.info_concurrency)
            self._task = asyncio.get_running_loop().create_task(self._run())

    def spawn(self, coro: Coroutine[object, None, None]) -> None:
        """Run ``coro`` as a background task that is kept alive until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def stop(self) -> None:
        """Stop polling (jobs stay in the ledger and resume on ``load``)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    # ------------------------------------------------------------------ pushes & finishing

    async def push(self, key: str, reading: Reading) -> bool:
        """Apply a reading pushed by a callback; True when it was a tracked, unfinished job."""
        queue = self._queue_of(key)
        if queue is None:
            return False
        entry = queue.entries[key]
        if queue.kind.reads_detail:
            await self.finish(key, reading if reading.phase is not None else None)
            return True
        if reading.phase is None:
            return False  # unreadable: polling decides
        if behind(entry.job.latest, reading):
            return True  # a push repeated or overtaken by a later one: already known
        await self._take(queue, entry, reading, time.monotonic())
        return True

    async def finish(self, key: str, hint: Reading | None = None) -> None:
        """A terminal job: read its detail once (when its kind has one) and finish it."""
        queue = self._queue_of(key)
        if queue is None or key in self._finishing:
            return
        entry = queue.entries.pop(key)
        job = entry.job
        self._finishing.add(key)
        try:
            if hint is not None:
                job.apply(hint)
            reading = await self._read_detail(queue.kind, key, hint)
            if reading is None:
                job.fail("the job finished but its detail could not be read")
            else:
                job.finish(reading)
                self.schedule.learn(job, reading)
            self._on_change([job])  # observers see the end before waiters are released
            await self._on_finish(job, reading.raw if reading is not None else None)
        finally:
            self._finishing.discard(key)

    def _queue_of(self, key: str) -> _Queue | None:
        return next((q for q in self._queues.values() if key in q.entries), None)

    async def _read_detail(self, kind: Kind, key: str, hint: Reading | None) -> Reading | None:
        """The detail of a finished job with a terminal phase, or None when it stays
        unreadable (``PollPolicy.detail_rounds``: a detail may lag its poll)."""
        if not kind.reads_detail:
            return hint
        assert self._detail_gate is not None
        rounds = self.policy.detail_rounds
        for attempt in range(rounds.tries):
            try:
                async with self._detail_gate:
                    reading = await kind.detail(self._api, key, hint)
            except WjnbError as exc:
                log.warning("detail of %s failed (attempt %d): %s", key, attempt + 1, exc)
            else:
                if reading.phase is not None and reading.phase.terminal:
                    return reading
                log.warning("detail of %s has no final status yet (%r)", key, reading.status)
            await asyncio.sleep(rounds.pause(attempt) * (1 + self._rng.random()))
        return None

    # ------------------------------------------------------------------ loop

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            entries = self.entries()
            if not entries:
                self._wake.clear()
                await self._wake.wait()
                continue
            now = time.monotonic()
            start = min(e.due if e.planned else self.schedule.ready(e.due) for e in entries)
            if start > now:
                self._wake.clear()
                await self._doze(start - now)
                continue
            await self._cycle(now)

    async def _doze(self, seconds: float) -> None:
        """Wait until woken or ``seconds`` pass. Not ``asyncio.wait_for``: on Python 3.11
        it can swallow a cancel that meets the timeout, and ``stop`` then never returns."""
        assert self._wake is not None
        alarm = asyncio.get_running_loop().call_later(seconds, self._wake.set)
        try:
            await self._wake.wait()
        finally:
            alarm.cancel()

    async def _cycle(self, now: float) -> None:
        """Poll what is due, per kind and in batches; a batch's failure only delays its keys."""
        self.cycles += 1
        polls = []
        for queue in list(self._queues.values()):
            keys = self.schedule.due(queue.entries, now, self._batch_size(queue))
            if self.leases is not None and keys:  # kernels sharing a ledger poll each job once
                # Claim first, then read: a job whose owner wrote its end and let go in
                # between is seen ended here, never polled a second time.
                mine = self.leases.claim(keys)
                mine -= await self._follow(queue, keys, now)
                keys = [k for k in keys if k in mine]
            polls += [self._poll(queue, batch) for batch in self._batches(queue, keys)]
        await asyncio.gather(*polls)

    async def _follow(self, queue: _Queue, keys: list[str], now: float) -> set[str]:
        """Take what other kernels wrote to the shared ledger for these keys: the ones that
        ended there finish here without a poll (returned), the others show their status."""
        assert self.leases is not None
        ended: set[str] = set()
        for row in self.leases.rows(keys):
            entry = queue.entries.get(row.key)
            if entry is None:
                continue
            job = entry.job
            entry.due = now + self.schedule.interval(entry, now)  # our own poll sets it anew
            reading = queue.kind.restore(row.key, row.record, row.raw if row.done else None)
            if row.done and row.raw is not None and reading is not None:
                queue.entries.pop(row.key, None)
                job.finish(reading)
                ended.add(row.key)
                self._on_change([job])
                await self._on_finish(job, row.raw)
            elif reading is not None and not row.done and job.apply(reading):
                self._on_change([job])
        return ended

    def _batches(self, queue: _Queue, keys: list[str]) -> list[list[str]]:
        """Keys in batches; a key whose polls have failed goes alone, so one unreadable
        entry cannot hold a whole batch back (the poison is isolated in one poll)."""
        entries = queue.entries
        failing = [k for k in keys if entries[k].failures]
        healthy = [k for k in keys if not entries[k].failures] if failing else keys
        size = self._batch_size(queue)
        out = [healthy[i : i + size] for i in range(0, len(healthy), size)]
        return out + [[k] for k in failing]

    def _batch_size(self, queue: _Queue) -> int:
        limit = self.policy.batch_size
        return max(1, min(queue.kind.batch_size, limit or queue.kind.batch_size))

    async def _poll(self, queue: _Queue, keys: list[str]) -> None:
        """One batch poll; on failure its keys back off (and end in error when, polled
        alone, their status stays unreadable), while every other key goes on."""
        try:
            readings = await queue.kind.poll(self._api, keys)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # keep going through anything transient
            await self._failed(queue, keys, exc)
            return
        now = time.monotonic()
        seen: set[str] = set()
        changed: list[Job] = []
        for reading in readings:
            entry = queue.entries.get(reading.key)
            if entry is None or reading.key in seen:
                continue
            seen.add(reading.key)
            entry.failures = 0
            if reading.phase is None:
                await self._unknown(queue, entry, f"status {reading.status!r}", now)
                continue
            entry.unknown = 0
            if reading.phase.terminal:
                await self._end(queue, entry.job, reading)
            elif self._progress(entry, reading, now):
                changed.append(entry.job)
        if not seen.issuperset(keys):
            await self._missing(queue, keys, seen, now)
        self._replan(queue, time.monotonic())
        if changed:
            self._on_change(changed)

    async def _take(self, queue: _Queue, entry: Entry, reading: Reading, now: float) -> None:
        """Hand a pushed reading to its job (observers told at once)."""
        if reading.phase is not None and reading.phase.terminal:
            await self._end(queue, entry.job, reading)
        elif self._progress(entry, reading, now):
            self._on_change([entry.job])

    async def _end(self, queue: _Queue, job: Job, reading: Reading) -> None:
        """A terminal reading: the detail is read first for kinds that have one."""
        if queue.kind.name in self.plans:
            self.plans[queue.kind.name].learn(job, reading)
        if queue.kind.name in self.watches:
            self.watches[queue.kind.name].forget(job.key)
        if queue.kind.reads_detail:
            self.spawn(self.finish(job.key, reading))
            return
        queue.entries.pop(job.key, None)
        job.finish(reading)
        self._on_change([job])
        await self._on_finish(job, reading.raw)

    def _progress(self, entry: Entry, reading: Reading, now: float) -> bool:
        """An unfinished job's reading (a poll's hot path, no await); True when it changed.
        A job whose progress stood still for its kind's timeout is given up (``stuck``)."""
        changed = entry.job.apply(reading)
        watch = self.watches.get(entry.job.kind)
        stuck = watch.check(entry.job.key, reading, now) if watch is not None else None
        if stuck is not None:
            self._queues[entry.job.kind].entries.pop(entry.job.key, None)
            self.spawn(self._end_in_error(entry.job, stuck))
            return False
        self.schedule.observe(entry, reading, now)
        return changed

    def replan(self) -> None:
        """Plan the planned kinds' next polls anew (nothing waits to be sent any more)."""
        now = time.monotonic()
        for queue in self._queues.values():
            self._replan(queue, now)
        if self._wake is not None:
            self._wake.set()

    def _replan(self, queue: _Queue, now: float) -> None:
        """A planned kind's keys are all due at its plan's next poll (with callbacks too:
        then that poll is the fallback for a lost push)."""
        plan = self.plans.get(queue.kind.name)
        if plan is None:
            return
        entries = [e for e in queue.entries.values() if not (e.failures or e.unknown)]
        at = plan.next_poll(entries, now)
        for entry in entries:  # a key that failed or went missing keeps its quick re-check
            entry.planned = at is not None
            entry.due = at if at is not None else entry.due

    async def _failed(self, queue: _Queue, keys: list[str], exc: Exception) -> None:
        unreadable = isinstance(exc, MalformedResponse)
        now = time.monotonic()
        for key in keys:
            entry = queue.entries.get(key)
            if entry is None:
                continue
            entry.failures += 1
            if unreadable and len(keys) == 1 and entry.failures > self.policy.unreadable_limit:
                queue.entries.pop(key, None)
                await self._end_in_error(entry.job, f"its status could not be read ({exc})")
                continue
            self.schedule.back_off(entry, now)
        log.warning("poll of %d key(s) failed (%s); backing off", len(keys), exc)

    async def _end_in_error(self, job: Job, message: str) -> None:
        """A job whose data cannot be read ends in a clear error state (others go on)."""
        job.fail(message)
        self._on_change([job])
        await self._on_finish(job, None)

    async def _unknown(self, queue: _Queue, entry: Entry, what: str, now: float) -> None:
        """An entry that came back unreadable: tolerated a few times, then an error."""
        entry.unknown += 1
        if entry.unknown >= self.policy.unknown_status_limit:
            queue.entries.pop(entry.job.key, None)
            await self._end_in_error(entry.job, f"the service reported an unreadable {what}")
        else:
            entry.due = now + self.policy.min_interval * 2

    async def _missing(self, queue: _Queue, keys: list[str], seen: set[str], now: float) -> None:
        """Keys a poll did not report (readably): a few misses are tolerated, then error."""
        for key in keys:
            entry = queue.entries.get(key)
            if entry is None or key in seen:
                continue
            entry.unknown += 1
            if entry.unknown >= self.policy.unknown_status_limit * 2:
                queue.entries.pop(key, None)
                if self._on_lost is None or not await self._on_lost(entry.job):
                    await self._end_in_error(entry.job, "the service no longer reports it readably")
            else:
                entry.due = now + min(self.schedule.interval(entry, now), 1.0)
