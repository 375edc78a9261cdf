"""Automatic follow-ups of a sweep: press one button (``then="U1"``) on each finished task,
the child joining the sweep's set (with its lineage) so ``wait`` and the DataFrame see it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..errors import WjnbError
from .job import Job
from .lineage import parent_id
from .plan import combo_id

if TYPE_CHECKING:
    from .job import JobSet
    from .runner import Runner

log = logging.getLogger("wjnb.followup")


def follow(runner: Runner, jobs: JobSet, label: str, expected: int) -> None:
    """Press ``label`` on the task of each of the ``expected`` combinations of ``jobs``
    once it succeeds (the set is not done until every follow-up is submitted)."""
    jobs.pending_requests += expected
    watched: set[str] = set()  # combinations whose task is being watched
    loop = asyncio.get_running_loop()

    def added(current: JobSet) -> None:
        family = list(current)
        followed = {parent_id(j) for j in family}
        for job in family:
            combo = combo_id(job.axes)
            if parent_id(job) is not None or combo in watched:
                continue
            watched.add(combo)
            if job.key in followed:  # pressed before (a resumed sweep): nothing to do
                jobs.pending_requests -= 1
            else:
                loop.call_soon_threadsafe(runner.tracker.spawn, press(job, combo))

    async def press(job: Job, combo: str) -> None:
        await job.async_wait()
        if job not in jobs:  # lost by the proxy: its replacement is watched instead
            watched.discard(combo)
            added(jobs)
            return
        try:
            if job.status_name == "success":
                child = await runner.act(job, "press", {"label": label})
                if isinstance(child, Job) and child not in jobs:
                    jobs.add([child])
        except WjnbError as exc:
            log.warning("%s of %s not submitted: %s", label, job.key, exc)
        finally:
            jobs.pending_requests -= 1

    jobs.observe(added)
    added(jobs)
