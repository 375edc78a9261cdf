"""Where a set's work is: waiting on our side, queued or running at the service, done.

A sweep on a Midjourney proxy keeps most of its tasks on our side (the proxy holds only
its accounts' core + queue sizes), so "18/40 done" alone hides what is going on; these
counts are what the sweep bar and ``client.mj.scheduler`` show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .kind import Phase

if TYPE_CHECKING:
    from .capacity import Slots
    from .job import Job


@dataclass(frozen=True)
class QueueCounts:
    """How many creates wait here unanswered, and jobs queued, running and done."""

    waiting: int
    queued: int
    running: int
    done: int

    def __str__(self) -> str:
        parts = [(self.running, "running"), (self.queued, "queued"), (self.waiting, "waiting")]
        return " · ".join(f"{n} {what}" for n, what in parts if n)

    @classmethod
    def of(cls, jobs: Iterable[Job], waiting: int) -> QueueCounts:
        """Count ``jobs`` by phase; ``waiting`` creates are not answered yet."""
        queued = running = done = 0
        for job in jobs:
            if job.done:
                done += 1
            elif job.phase is Phase.RUNNING:
                running += 1
            else:
                queued += 1
        return cls(max(0, waiting), queued, running, done)


@dataclass(frozen=True)
class ProxyQueue:
    """The Midjourney scheduler now: submits waiting here for a slot or on their way, the
    tasks the proxy holds (queued, running), how many it may hold, and any day limit left."""

    waiting: int
    sending: int
    queued: int
    running: int
    capacity: int
    day_left: int | None = None

    def __str__(self) -> str:
        held = f"{self.queued + self.running}/{self.capacity} at the proxy"
        here = f"{self.waiting + self.sending} waiting here"
        return f"{self.running} running · {held} · {here}"

    @classmethod
    def of(cls, slots: Slots, jobs: Mapping[str, Job]) -> ProxyQueue:
        """Read ``slots`` (on the loop thread) with the phases of the jobs it holds."""
        held = [jobs[k] for k in list(slots.held) if k in jobs]
        counts = QueueCounts.of(held, 0)
        return cls(
            max(0, slots.waiting - slots.sending),
            slots.sending,
            len(slots.held) - counts.running,
            counts.running,
            slots.capacity,
            slots.day_left,
        )
