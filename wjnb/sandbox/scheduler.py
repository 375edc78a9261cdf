"""A fixed pool of simulated GPUs serving jobs first-in first-out on the server's loop.

Jobs run for a number of *virtual* seconds; completion is driven by ``loop.call_later`` on
the virtual clock, never by polling. Everything here runs on the server's event loop.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Callable

from .clock import VirtualClock

WAITING, RUNNING, DONE, CANCELLED = "waiting", "running", "done", "cancelled"


class Job:
    """One unit of GPU work; ``on_start``/``on_finish`` are called on the loop.

    ``ready_at`` (virtual time) is when the job is admitted: it holds its place in the FIFO
    queue from submission but no GPU takes it earlier (the service's "submitted" state).
    """

    __slots__ = (
        "_handle",
        "duration",
        "finish_at",
        "gpu",
        "on_finish",
        "on_start",
        "ready_at",
        "started",
        "state",
    )

    def __init__(
        self,
        duration: float,
        on_start: Callable[[Job], None],
        on_finish: Callable[[Job], None],
        ready_at: float = 0.0,
    ) -> None:
        self.duration = duration
        self.ready_at = ready_at
        self.on_start = on_start
        self.on_finish = on_finish
        self.state = "new"
        self.gpu = -1
        self.started = 0.0
        self.finish_at = 0.0
        self._handle: asyncio.TimerHandle | None = None


class GpuPool:
    """``gpus`` simulated GPUs and one FIFO queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop, clock: VirtualClock, gpus: int) -> None:
        if gpus < 1:
            raise ValueError("gpus must be at least 1")
        self.gpus = gpus
        self._loop = loop
        self._clock = clock
        self._free = list(range(gpus))
        self._waiting: deque[Job] = deque()
        self._running: set[Job] = set()
        self._version = 0
        self._estimates: tuple[int, dict[Job, tuple[int, float]]] = (-1, {})
        self._wakeup: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        """Jobs waiting for a GPU."""
        return len(self._waiting)

    @property
    def busy(self) -> int:
        """GPUs at work."""
        return len(self._running)

    def submit(self, job: Job) -> None:
        """Queue ``job``; it starts at once when a GPU is free."""
        job.state = WAITING
        self._waiting.append(job)
        self._version += 1
        self._dispatch()

    def cancel(self, job: Job) -> bool:
        """Withdraw a waiting job; False when it already started or ended."""
        if job.state != WAITING:
            return False
        self._waiting.remove(job)
        job.state = CANCELLED
        self._version += 1
        return True

    def shorten(self, job: Job, factor: float) -> float:
        """Divide the job's remaining GPU time by ``factor``; returns virtual seconds saved."""
        if job.state == WAITING:
            saved = job.duration * (1 - 1 / factor)
        elif job.state == RUNNING:
            saved = max(0.0, job.finish_at - self._clock.now()) * (1 - 1 / factor)
            job.finish_at -= saved
            if job._handle is not None:
                job._handle.cancel()
            job._handle = self._loop.call_later(
                self._clock.real_delay(job.finish_at - self._clock.now()), self._finish, job
            )
        else:
            return 0.0
        job.duration -= saved
        self._version += 1
        return saved

    def estimate(self, job: Job) -> tuple[int, float]:
        """(jobs waiting ahead, virtual finish time) — a waiting job's ETA assumes FIFO."""
        if job.state == RUNNING:
            return 0, job.finish_at
        if job.state != WAITING:
            return 0, self._clock.now()
        return self._estimate_all()[job]

    def estimate_new(self, duration: float) -> float:
        """Virtual finish time of a job of ``duration`` if it were queued now."""
        now = self._clock.now()
        free = self._free_times(now)
        for job in self._waiting:
            heapq.heappush(free, max(heapq.heappop(free), job.ready_at) + job.duration)
        return heapq.heappop(free) + duration

    def close(self) -> None:
        """Cancel every timer (the server is stopping)."""
        if self._wakeup is not None:
            self._wakeup.cancel()
        for job in self._running:
            if job._handle is not None:
                job._handle.cancel()

    def _free_times(self, now: float) -> list[float]:
        times = [max(now, j.finish_at) for j in self._running]
        times += [now] * (self.gpus - len(times))
        heapq.heapify(times)
        return times

    def _estimate_all(self) -> dict[Job, tuple[int, float]]:
        version, table = self._estimates
        if version == self._version:
            return table
        free = self._free_times(self._clock.now())
        table = {}
        for position, job in enumerate(self._waiting):
            finish = max(heapq.heappop(free), job.ready_at) + job.duration
            heapq.heappush(free, finish)
            table[job] = (position, finish)
        self._estimates = (self._version, table)
        return table

    def _dispatch(self) -> None:
        if self._wakeup is not None:
            self._wakeup.cancel()
            self._wakeup = None
        while self._free and self._waiting:
            now = self._clock.now()
            job = self._waiting[0]
            if job.ready_at > now:
                self._wakeup = self._loop.call_later(
                    self._clock.real_delay(job.ready_at - now), self._dispatch
                )
                return
            self._waiting.popleft()
            job.gpu = heapq.heappop(self._free)
            job.state = RUNNING
            job.started = now
            job.finish_at = job.started + job.duration
            job._handle = self._loop.call_later(
                self._clock.real_delay(job.duration), self._finish, job
            )
            self._running.add(job)
            self._version += 1
            job.on_start(job)

    def _finish(self, job: Job) -> None:
        if job.state != RUNNING:
            return
        self._running.discard(job)
        heapq.heappush(self._free, job.gpu)
        job.state = DONE
        job._handle = None
        self._version += 1
        job.on_finish(job)
        self._dispatch()
