"""When to poll a bounded proxy's tasks: just before its queue drains, not per task.

A Midjourney proxy runs ``core`` tasks at a time and starts queued ones back to back on
its own, so polling-only a sweep needs a poll only (a) to learn which tasks ended, to top
the proxy's queue up before its workers run dry, and (b) to collect the last results.
``DrainPlan`` replays the proxy's queue (running tasks end one task time after their
start, queued ones start as a worker frees) and names one time for the next batch poll of
every held task: just after the finish that leaves the workers short of work while our
own queue waits, else once the next tasks have ended (at most ``collect`` task times
after the first of them). The task time is learned from finished tasks (before any, from
a running task's progress); the proxy's timestamps are mapped onto our clock by fitting
its ``submitTime`` against when we sent each task (a proxy's clock may be skewed, and the
sandbox's runs faster than real time).
"""

from __future__ import annotations

import heapq
import statistics
import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .kind import Phase, Reading

if TYPE_CHECKING:
    from .capacity import Slots
    from .job import Job
    from .schedule import Entry

#: The open-source proxies' workers per account (``core-size``).
DEFAULT_CORE = 3


class ProxyClock:
    """The proxy's clock as a line through our clock: ``proxy = offset + rate * ours``."""

    def __init__(self, span: float = 0.2) -> None:
        #: Seconds of our clock the samples must span before a rate other than 1 is fitted.
        self.span = span
        self._pairs: dict[str, tuple[float, float]] = {}
        self.rate = 1.0
        self.offset = 0.0
        #: True once samples spanning ``span`` fixed the line (until then nothing is planned).
        self.known = False

    def sample(self, key: str, ours: float, theirs: float) -> None:
        """One task: sent at ``ours``, taken at ``theirs`` (kept: the first and last 30)."""
        if key in self._pairs:
            return
        self._pairs[key] = (ours, theirs)
        if len(self._pairs) > 60:
            del self._pairs[list(self._pairs)[30]]
        self._fit()

    def ours(self, theirs: float) -> float:
        """A proxy timestamp on our clock."""
        return (theirs - self.offset) / self.rate

    def seconds(self, theirs: float) -> float:
        """A span of proxy seconds in our seconds."""
        return theirs / self.rate

    def _fit(self) -> None:
        """Theil-Sen: the median slope over pairs of samples ``span`` apart (robust to a
        reply handled late on our side), and the median offset at that slope."""
        pairs = sorted(self._pairs.values())
        slopes = [
            (b[1] - a[1]) / (b[0] - a[0])
            for i, a in enumerate(pairs)
            for b in pairs[i + 1 :]
            if b[0] - a[0] >= self.span
        ]
        rate = statistics.median(slopes) if slopes else 0.0
        self.known = rate > 0
        self.rate = rate if rate > 0 else 1.0
        self.offset = statistics.median(y - self.rate * x for x, y in pairs)


class DrainPlan:
    """Task time learned as tasks end, and the next batch poll time it predicts."""

    def __init__(
        self,
        slots: Slots,
        core: int = DEFAULT_CORE,
        *,
        slack: float = 0.15,
        collect: float | None = None,
    ) -> None:
        #: The admission gate: how many submissions wait for a slot, when each was sent.
        self.slots = slots
        self.core = core
        #: Fraction of a task time a poll waits after a predicted finish (it surely ended).
        self.slack = slack
        #: Without work waiting on our side: at most this many task times between the first
        #: predicted finish and the poll that collects it (None: one refill period, how long
        #: a full proxy takes to run its queue down to ``core`` tasks).
        self.collect = collect
        self.clock = ProxyClock()
        self._times: deque[float] = deque(maxlen=9)
        self._rough: float | None = None

    def __repr__(self) -> str:
        task = f"{self.task_s:.2f} s" if self.task_s else "unknown"
        return f"<DrainPlan core={self.core} task={task} waiting={self.slots.waiting}>"

    @property
    def task_s(self) -> float | None:
        """Our seconds one task runs: the median of recent finished ones, else a guess."""
        if self._times:
            return self.clock.seconds(statistics.median(self._times))
        return self._rough

    @property
    def collect_periods(self) -> float:
        """Task times a finished result may wait for the poll that collects it."""
        if self.collect is not None:
            return self.collect
        return max(1.0, (self.slots.capacity - self.core) / self.core + 1)

    def learn(self, job: Job, reading: Reading) -> None:
        """A finished task's run time (its start to its finish, on the proxy's clock)."""
        self._sample(job.key, reading)
        start, end = reading.started_at, reading.ended_at
        if reading.phase is Phase.SUCCEEDED and start and end and end > start:
            self._times.append(end - start)

    def next_poll(self, entries: Sequence[Entry], now: float) -> float | None:
        """The monotonic time of the next batch poll of ``entries`` (None: unknown yet,
        the ordinary schedule decides)."""
        wall = time.time()
        for entry in entries:
            self._sample(entry.job.key, entry.job.latest)
        if not entries or not self.clock.known:
            return None
        if not self._times:
            self._guess(entries, wall)
        task = self.task_s
        if task is None:
            return None
        finishes = self._finishes(entries, wall, task)
        if self.slots.waiting:  # poll when the workers would run short of queued work
            at = finishes[max(0, len(finishes) - self.core)]
        else:
            at = min(finishes[-1], finishes[0] + self.collect_periods * task)
        return now + max(0.0, at - wall) + self.slack * task

    def _sample(self, key: str, reading: Reading | None) -> None:
        sent = self.slots.sent_at.get(key)
        if sent is not None and reading is not None and reading.submitted_at:
            self.clock.sample(key, sent, reading.submitted_at)

    def _finishes(self, entries: Sequence[Entry], wall: float, task: float) -> list[float]:
        """Predicted finish of each held task on our clock, replaying the proxy's workers."""
        running: list[float] = []
        queued = 0
        for entry in entries:
            started = self._started(entry)
            if started is None:
                queued += 1
            else:
                # overdue: slower than learned, look again a quarter task later
                running.append(max(wall + task / 4, started + task))
        running.sort()
        free = running[: self.core] + [wall] * max(0, self.core - len(running))
        heapq.heapify(free)
        out = list(running)
        for _ in range(queued):
            end = heapq.heappop(free) + task
            heapq.heappush(free, end)
            out.append(end)
        return sorted(out)

    def _guess(self, entries: Sequence[Entry], wall: float) -> None:
        """Before any task ended: the task time from running tasks' progress (median)."""
        guesses = []
        for entry in entries:
            started = self._started(entry)
            latest = entry.job.latest
            percent = latest.progress if latest is not None else None
            if started is not None and percent and percent >= 10:
                guesses.append((wall - started) / (percent / 100.0))
        if guesses:
            self._rough = statistics.median(guesses)

    def _started(self, entry: Entry) -> float | None:
        """When the task started running, on our clock (None while it waits)."""
        latest = entry.job.latest
        if latest is None or latest.phase is None or latest.phase.terminal:
            return None
        return None if latest.started_at is None else self.clock.ours(latest.started_at)
