"""When to poll each pending job: predicted from what the service says, learned as it runs.

A job's next poll is due when it is predicted to have finished: from its observed progress
rate once two readings show progress, else from the service's ``expected_seconds`` (queue
wait included) scaled by how fast the backend really runs, learned from progress rates
and finished jobs. A kind whose replies carry neither (spell analysis, SVD, avatar
training) is predicted from how long its finished jobs took, and polled ever less often
(``quiet_growth``) while it says nothing new. Polling-only, a cycle waits up to ``hold``
seconds after the first due key so keys finishing close together share one batch request,
and a batch with room left refreshes the next-due keys for free. With callbacks, polling
is only the fallback.
"""

from __future__ import annotations

import heapq
import random
import time
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from ..http import DETAIL_LAG_ROUNDS, Rounds

if TYPE_CHECKING:
    from .job import Job
    from .kind import Reading


@dataclass
class PollPolicy:
    """How often to poll: bounds, batching, and the fallback stretch with callbacks."""

    first_poll: float = 0.5
    min_interval: float = 0.25
    max_interval: float = 10.0
    #: Longest wait for a running job's second reading (its progress rate comes from two).
    rate_probe: float = 1.0
    #: Seconds after its predicted end that a job is polled (it is surely finished then).
    finish_slack: float = 0.1
    #: Polling only: how long a due poll waits for other keys to fall due with it.
    hold: float = 0.6
    #: With callbacks: how long a due fallback poll waits for others (one batch for many).
    callback_hold: float = 2.0
    callback_min_interval: float = 3.0
    callback_max_interval: float = 30.0
    coalesce: float = 0.3
    max_keys_per_cycle: int = 1000
    info_concurrency: int = 8
    error_backoff_max: float = 30.0
    #: Each reading without progress or ETA stretches the next wait by this factor.
    quiet_growth: float = 1.5
    unknown_status_limit: int = 3
    unreadable_limit: int = 3
    jitter: float = 0.1
    #: At most this many keys per batch poll (None: each kind's own batch size).
    batch_size: int | None = None
    #: Reads of a finished job's detail that lags its poll (see ``wjnb.http``).
    detail_rounds: Rounds = DETAIL_LAG_ROUNDS


@dataclass
class Entry:
    """One pending job and what the schedule knows about it."""

    job: Job
    due: float
    unknown: int = 0
    failures: int = 0
    #: True when ``due`` comes from a plan (polled then, without the batching hold).
    planned: bool = False
    #: Readings in a row that gave neither progress nor an ETA.
    quiet: int = 0
    samples: list[tuple[float, float]] = field(default_factory=list)


_BY_DUE = attrgetter("due")


class Schedule:
    """Due times of pending jobs (pure arithmetic on the loop thread; no I/O)."""

    def __init__(self, policy: PollPolicy, *, callbacks: bool) -> None:
        self.policy = policy
        self.callbacks = callbacks
        # Real seconds per reported second (None: nothing learned yet, taken as 1).
        self.scale: float | None = None
        #: Real seconds a finished job of each kind took from its submit (a running mean).
        self.typical: dict[str, float] = {}
        #: Kinds whose readings carry neither progress nor an ETA (declared or seen).
        self.silent: set[str] = set()
        self._rng = random.Random()

    def first(self, job: Job, now: float) -> float:
        """When a new job is first polled (a silent kind's: when its typical run ends)."""
        soon = self.policy.first_poll * (3 if self.callbacks else 1)
        if job.kind in self.silent:  # its first reading could only say "not yet"
            typical = self.typical.get(job.kind, self.policy.first_poll * 3)
            soon = max(soon, typical * (1.2 if self.callbacks else 1.0))
        return now + soon

    def ready(self, soonest: float) -> float:
        """When the cycle for the soonest due key runs: after ``hold`` (polling only) or
        ``callback_hold`` (polls are the fallback, so more keys share each batch)."""
        return soonest + (self.policy.callback_hold if self.callbacks else self.policy.hold)

    def due(self, entries: dict[str, Entry], now: float, batch: int) -> list[str]:
        """Keys to poll now (the most overdue when there are too many); the last batch is
        topped up with the next-due keys (one request either way, and their predictions get
        fresher). The tracker polls the keys whose polls failed alone."""
        horizon = now + self.policy.coalesce
        due = [e for e in entries.values() if e.due <= horizon]
        if len(due) > self.policy.max_keys_per_cycle:
            due.sort(key=_BY_DUE)
            del due[self.policy.max_keys_per_cycle :]
        keys = [e.job.key for e in due]
        room = (-len(keys)) % batch if keys else 0
        if room:
            chosen = set(keys)
            rest = ((e.due, k) for k, e in entries.items() if k not in chosen and not e.failures)
            keys += [k for _, k in heapq.nsmallest(room, rest)]
        return keys

    def observe(self, entry: Entry, reading: Reading, now: float) -> None:
        """Take a reading of an unfinished job and set when to poll it next."""
        if reading.progress is not None and reading.progress > 0:
            entry.samples = [*entry.samples[-2:], (now, reading.progress)]
        elif reading.eta_s is None:
            entry.quiet += 1
            self.silent.add(entry.job.kind)
        entry.due = now + max(self.interval(entry, now), reading.next_poll_s or 0.0)

    def interval(self, entry: Entry, now: float) -> float:
        """Seconds until this job is worth asking about again."""
        p = self.policy
        left = self._progress_left(entry)
        eta = entry.job.eta_s
        if left is not None and eta:
            self._blend(left / max(eta, 0.5), 0.3)
        if left is None and eta is not None:
            left = eta * (self.scale or 1.0)
            if entry.samples:  # running, rate unknown yet: a second reading gives it
                left = min(left, p.rate_probe)
        if left is None:
            left = self._silent_left(entry, p)
        if self.callbacks:
            least = p.callback_min_interval * p.quiet_growth**entry.quiet
            wait = min(p.callback_max_interval, max(least, left * 1.2))
            return wait * (1 + self._rng.uniform(-p.jitter, p.jitter))
        return min(p.max_interval, max(p.min_interval, left + p.finish_slack))

    def _silent_left(self, entry: Entry, p: PollPolicy) -> float:
        """Seconds left for a job that reports no progress or ETA: what is left of its
        kind's typical run, else a wait that grows with each reading that said nothing."""
        typical = self.typical.get(entry.job.kind)
        if typical is not None:
            left = typical - (time.time() - entry.job.submitted_at)
            if left > p.min_interval:
                return left
        return p.first_poll * 2 * p.quiet_growth ** max(0, entry.quiet - 1)

    def _progress_left(self, entry: Entry) -> float | None:
        """Seconds left at the observed progress rate (None without two rising readings)."""
        if len(entry.samples) < 2:
            return None
        (t0, p0), (t1, p1) = entry.samples[0], entry.samples[-1]
        if p1 <= p0 or t1 <= t0:
            return None
        return (100.0 - p1) * (t1 - t0) / (p1 - p0)

    def learn(self, job: Job, reading: Reading) -> None:
        """Learn real seconds per reported second from a finished job's timings."""
        reported = reading.reported_seconds
        real = time.time() - job.submitted_at
        if real > 0:
            seen = self.typical.get(job.kind)
            self.typical[job.kind] = real if seen is None else 0.7 * seen + 0.3 * real
        if reported and reported > 0 and real > 0:
            self._blend(real / reported, 0.3)

    def _blend(self, ratio: float, weight: float) -> None:
        ratio = min(5.0, max(1e-4, ratio))
        self.scale = ratio if self.scale is None else (1 - weight) * self.scale + weight * ratio

    def back_off(self, entry: Entry, now: float) -> None:
        """A failed poll: wait longer each time, with jitter."""
        p = self.policy
        pause = min(p.error_backoff_max, 0.25 * 2 ** min(entry.failures, 7))
        entry.due = now + pause * (1 + self._rng.random() * p.jitter)
