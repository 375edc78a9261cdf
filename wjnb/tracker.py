"""The batch tracker: one poll loop per client for every pending Wujie key and MJ task.

Each key has a due time derived from what the service said (``expected_seconds``, queue
position, observed progress) scaled by how fast the backend really runs; a cycle polls
every key due soon in batches of ``/ai/generating_info`` (MJ: ``list-by-condition``), reads
``/ai/info`` once per finished artwork, and backs off with jitter on errors. With callbacks
on, polling is only the fallback and its intervals stretch accordingly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import MalformedResponse, WjnbError
from .jobs import Job, MjTask
from .models import ArtworkInfo, GeneratingInfo
from .models import MjTask as WireMjTask

if TYPE_CHECKING:
    from .ledger.tracking import TrackerLeases

log = logging.getLogger("wjnb.tracker")


@dataclass
class PollPolicy:
    """How often to poll: bounds, batch size, and the fallback stretch with callbacks."""

    first_poll: float = 0.5
    min_interval: float = 0.25
    max_interval: float = 10.0
    callback_min_interval: float = 3.0
    callback_max_interval: float = 30.0
    coalesce: float = 0.3
    batch_size: int = 50
    max_keys_per_cycle: int = 1000
    info_concurrency: int = 8
    info_attempts: int = 6
    error_backoff_max: float = 30.0
    unknown_status_limit: int = 3
    unreadable_limit: int = 3
    jitter: float = 0.1


@dataclass
class _Entry:
    job: Job | MjTask
    due: float
    unknown: int = 0
    failures: int = 0
    samples: list[tuple[float, float]] = field(default_factory=list)


FinishHook = Callable[[Job | MjTask, dict[str, Any] | None], Awaitable[None]]


class Tracker:
    """Polls pending jobs on the client's loop until each is terminal."""

    def __init__(
        self,
        wujie: Any,
        mj: Any,
        on_change: Callable[[list[Job | MjTask]], None],
        on_finish: FinishHook,
        *,
        callbacks: bool = False,
        policy: PollPolicy | None = None,
        leases: TrackerLeases | None = None,
    ) -> None:
        self._wujie = wujie
        self._mj = mj
        self._on_change = on_change
        self._on_finish = on_finish
        self.callbacks = callbacks
        self.policy = policy or PollPolicy()
        self.leases = leases
        self._wujie_pending: dict[str, _Entry] = {}
        self._mj_pending: dict[str, _Entry] = {}
        self._finishing: set[str] = set()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._info_sem: asyncio.Semaphore | None = None
        # Real seconds per reported second, learned from finished jobs (None: nothing yet,
        # so reported seconds are taken as real ones).
        self._scale: float | None = None
        self._rng = random.Random()
        self.cycles = 0

    # ------------------------------------------------------------------ registration

    def add(self, jobs: list[Job | MjTask]) -> None:
        """Start tracking jobs (loop thread)."""
        now = time.monotonic()
        for job in jobs:
            if job.done:
                continue
            entry = _Entry(job, now + self.policy.first_poll * (3 if self.callbacks else 1))
            if isinstance(job, Job):
                self._wujie_pending[job.key] = entry
            else:
                self._mj_pending[job.id] = entry
        self.ensure_running()
        if self._wake is not None:
            self._wake.set()

    @property
    def pending(self) -> int:
        """How many jobs are still tracked."""
        return len(self._wujie_pending) + len(self._mj_pending) + len(self._finishing)

    def ensure_running(self) -> None:
        """Start the poll loop on the running loop if it is not running."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._info_sem = asyncio.Semaphore(self.policy.info_concurrency)
            self._task = asyncio.get_running_loop().create_task(self._run())

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
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

    # ------------------------------------------------------------------ callbacks & finishing

    async def finish_wujie(self, key: str, hint: GeneratingInfo | None = None) -> None:
        """Read ``/ai/info`` once for a terminal artwork and finish its job."""
        entry = self._wujie_pending.pop(key, None)
        if entry is None or key in self._finishing:
            return
        job = entry.job
        assert isinstance(job, Job)
        self._finishing.add(key)
        try:
            if hint is not None:
                job._apply_generating(hint)
            info = await self._read_info(key, hint)
            if info is None:
                job._apply_error("the artwork finished but its detail could not be read")
            else:
                job._apply_info(info)
                self._learn_scale(job, info)
            self._on_change([job])  # observers see the end before waiters are released
            await self._on_finish(job, info.raw if info is not None else None)
        finally:
            self._finishing.discard(key)

    async def finish_mj(self, task: WireMjTask) -> bool:
        """Apply a task pushed by a callback; True when it was a tracked task."""
        entry = self._mj_pending.get(task.id or "")
        if entry is None or task.status_enum is None:
            return False  # unknown, finished, or unreadable: polling decides
        job = entry.job
        assert isinstance(job, MjTask)
        changed = job._apply_task(task)
        if changed or job.done:
            self._on_change([job])
        if job.done:
            self._mj_pending.pop(job.id, None)
            await self._on_finish(job, task.raw)
        return True

    def knows(self, key: str) -> bool:
        """True when the key is still being tracked."""
        return key in self._wujie_pending or key in self._mj_pending

    async def _read_info(self, key: str, hint: GeneratingInfo | None) -> ArtworkInfo | None:
        """The detail of a finished artwork with a terminal status, or None when it stays
        unreadable. A detail that lags the poll takes the poll's terminal status."""
        assert self._info_sem is not None
        delay = 0.2
        for attempt in range(self.policy.info_attempts):
            try:
                async with self._info_sem:
                    info: ArtworkInfo = await self._wujie.info(key)
            except WjnbError as exc:
                log.warning("info %s failed (attempt %d): %s", key, attempt + 1, exc)
            else:
                status = info.status_enum
                if status is not None and status.terminal:
                    return info
                if hint is not None and hint.status_enum is not None:
                    info.status = hint.status
                    return info
                log.warning("info %s has no final status yet (%r)", key, info.status)
            await asyncio.sleep(delay * (1 + self._rng.random()))
            delay = min(delay * 2, 5.0)
        return None

    def _learn_scale(self, job: Job, info: ArtworkInfo) -> None:
        """Learn real seconds per reported second from a finished job's timings."""
        if not (info.generate_time and info.complete_time):
            return
        reported = info.complete_time - info.generate_time
        real = time.time() - job.submitted_at
        if reported > 0 and real > 0:
            ratio = min(5.0, max(1e-4, real / reported))
            self._scale = ratio if self._scale is None else 0.7 * self._scale + 0.3 * ratio

    # ------------------------------------------------------------------ loop

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            if not self._wujie_pending and not self._mj_pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            now = time.monotonic()
            soonest = min(e.due for e in self._all_entries())
            if soonest > now:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), soonest - now)
                continue
            await self._cycle(now)

    def _all_entries(self) -> list[_Entry]:
        return [*self._wujie_pending.values(), *self._mj_pending.values()]

    async def _cycle(self, now: float) -> None:
        """Poll what is due, in batches; a batch's failure only delays its own keys."""
        self.cycles += 1
        horizon = now + self.policy.coalesce
        cap = self.policy.max_keys_per_cycle
        wujie = _most_due(self._wujie_pending, horizon, cap)
        mj = _most_due(self._mj_pending, horizon, cap)
        if self.leases is not None:  # kernels sharing a ledger poll each job once between them
            # Claim first, then read: a job whose owner wrote its end and let go in between
            # is seen ended here, never polled a second time.
            mine = self.leases.claim(wujie + mj)
            mine -= await self._follow(wujie + mj, now)
            wujie = [k for k in wujie if k in mine]
            mj = [k for k in mj if k in mine]
        polls = [
            self._poll(self._poll_wujie, self._wujie_pending, batch)
            for batch in self._batches(self._wujie_pending, wujie)
        ]
        polls += [
            self._poll(self._poll_mj, self._mj_pending, batch)
            for batch in self._batches(self._mj_pending, mj)
        ]
        await asyncio.gather(*polls)

    async def _follow(self, keys: list[str], now: float) -> set[str]:
        """Take what other kernels wrote to the shared ledger for these keys: the ones that
        ended there finish here without a poll (returned), the others show their status."""
        if not keys or self.leases is None:
            return set()
        ended: set[str] = set()
        for row in self.leases.rows(keys):
            pending = self._wujie_pending if row.key in self._wujie_pending else self._mj_pending
            entry = pending.get(row.key)
            if entry is None:
                continue
            job = entry.job
            entry.due = now + self._interval(job, entry)  # a poll (if it is ours) sets it anew
            if isinstance(job, MjTask):
                changed = bool(row.raw) and job._apply_task(WireMjTask.from_dict(row.raw or {}))
            else:
                changed = job._follow(row.record, row.raw if row.done else None)
            if row.done and job.done:
                ended.add(row.key)
                pending.pop(row.key, None)
                self._on_change([job])
                await self._on_finish(job, row.raw)
            elif changed:
                self._on_change([job])
        return ended

    def _batches(self, pending: dict[str, _Entry], keys: list[str]) -> list[list[str]]:
        """Keys in batches; a key whose polls have failed goes alone, so one unreadable
        entry cannot hold a whole batch back (the poison is isolated in one poll)."""
        healthy = [k for k in keys if pending[k].failures == 0]
        size = self.policy.batch_size
        out = [healthy[i : i + size] for i in range(0, len(healthy), size)]
        out += [[k] for k in keys if pending[k].failures > 0]
        return out

    async def _poll(
        self,
        poll: Callable[[list[str]], Awaitable[None]],
        pending: dict[str, _Entry],
        keys: list[str],
    ) -> None:
        """One batch poll; on failure its keys back off (and end in error when, polled
        alone, their status stays unreadable), while every other key goes on."""
        try:
            await poll(keys)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # keep going through anything transient
            unreadable = isinstance(exc, MalformedResponse)
            now = time.monotonic()
            for key in keys:
                entry = pending.get(key)
                if entry is None:
                    continue
                entry.failures += 1
                if unreadable and len(keys) == 1 and entry.failures > self.policy.unreadable_limit:
                    pending.pop(key, None)
                    await self._end_in_error(entry.job, f"its status could not be read ({exc})")
                    continue
                pause = min(self.policy.error_backoff_max, 0.25 * 2 ** min(entry.failures, 7))
                entry.due = now + pause * (1 + self._rng.random() * self.policy.jitter)
            log.warning("poll of %d key(s) failed (%s); backing off", len(keys), exc)

    async def _end_in_error(self, job: Job | MjTask, message: str) -> None:
        """A job whose data cannot be read ends in a clear error state (others go on)."""
        job._apply_error(message)
        self._on_change([job])
        await self._on_finish(job, None)

    async def _poll_wujie(self, keys: list[str]) -> None:
        infos: list[GeneratingInfo] = await self._wujie.generating_info(keys)
        seen: set[str] = set()
        changed: list[Job | MjTask] = []
        now = time.monotonic()
        for g in infos:
            entry = self._wujie_pending.get(g.key or "")
            if entry is None:
                continue
            seen.add(entry.job.key)
            entry.failures = 0
            job = entry.job
            assert isinstance(job, Job)
            status = g.status_enum
            if status is None:
                await self._unknown(self._wujie_pending, entry, f"status {g.status!r}", now)
                continue
            entry.unknown = 0
            if status.terminal:
                self.spawn(self.finish_wujie(job.key, g))
                continue
            if job._apply_generating(g):
                changed.append(job)
            if g.complete_percent is not None:
                entry.samples = [*entry.samples[-2:], (now, g.complete_percent)]
            entry.due = now + self._interval(job, entry)
        await self._missing(self._wujie_pending, keys, seen, now)
        if changed:
            self._on_change(changed)

    async def _poll_mj(self, ids: list[str]) -> None:
        tasks: list[WireMjTask] = await self._mj.list_by_ids(ids)
        now = time.monotonic()
        seen: set[str] = set()
        for task in tasks:
            entry = self._mj_pending.get(task.id or "")
            if entry is None:
                continue
            seen.add(entry.job.key)
            entry.failures = 0
            job = entry.job
            assert isinstance(job, MjTask)
            if task.status_enum is None:
                await self._unknown(self._mj_pending, entry, f"status {task.status!r}", now)
                continue
            entry.unknown = 0
            if job._apply_task(task) or job.done:
                self._on_change([job])
            if job.done:
                self._mj_pending.pop(job.id, None)
                await self._on_finish(job, task.raw)
            else:
                entry.due = now + self._interval(job, entry)
        await self._missing(self._mj_pending, ids, seen, now)

    async def _unknown(
        self, pending: dict[str, _Entry], entry: _Entry, what: str, now: float
    ) -> None:
        """An entry that came back unreadable: tolerated a few times, then an error."""
        entry.unknown += 1
        if entry.unknown >= self.policy.unknown_status_limit:
            pending.pop(entry.job.key, None)
            await self._end_in_error(entry.job, f"the service reported an unreadable {what}")
        else:
            entry.due = now + self.policy.min_interval * 2

    async def _missing(
        self, pending: dict[str, _Entry], keys: list[str], seen: set[str], now: float
    ) -> None:
        """Keys a poll did not report (readably): a few misses are tolerated, then error."""
        for key in keys:
            entry = pending.get(key)
            if entry is None or key in seen:
                continue
            entry.unknown += 1
            if entry.unknown >= self.policy.unknown_status_limit * 2:
                pending.pop(key, None)
                await self._end_in_error(entry.job, "the service no longer reports it readably")
            else:
                entry.due = now + min(self._interval(entry.job, entry), 1.0)

    def _interval(self, job: Job | MjTask, entry: _Entry) -> float:
        """Seconds until this job is worth asking about again."""
        p = self.policy
        estimate: float | None = None
        if len(entry.samples) >= 2:
            (t0, p0), (t1, p1) = entry.samples[-2], entry.samples[-1]
            if p1 > p0 and t1 > t0:
                estimate = (100.0 - p1) * (t1 - t0) / (p1 - p0)
        if estimate is None and isinstance(job, Job) and job.eta_s is not None:
            estimate = job.eta_s * (self._scale or 1.0)
        if estimate is None:
            estimate = p.first_poll * 2
        lo, hi = (
            (p.callback_min_interval, p.callback_max_interval)
            if self.callbacks
            else (p.min_interval, p.max_interval)
        )
        wait = min(hi, max(lo, estimate * (1.2 if self.callbacks else 0.9)))
        return wait * (1 + self._rng.uniform(-p.jitter, p.jitter))


def _most_due(pending: dict[str, _Entry], horizon: float, cap: int) -> list[str]:
    """Keys due by ``horizon``, the longest-waiting first, at most ``cap`` of them."""
    due = [(e.due, k) for k, e in pending.items() if e.due <= horizon]
    if len(due) > cap:
        due.sort()
        due = due[:cap]
    return [k for _, k in due]
