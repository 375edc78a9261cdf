"""The runner of one client: the ``Host`` its jobs talk to (actions, views, the loop).

It is the top of a stack of layers, each a module with one job: ``core`` (shared state,
tracker hand-offs), ``reconcile`` (ambiguous creates, callbacks), ``submit`` (the ledger
discipline of one create), ``sweeps`` (plans, budgets, re-sends) and ``resume`` (``load``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, TypeVar

from ..errors import AmbiguousCreate
from . import chains
from .host import Host
from .job import Job, JobSet
from .kind import FollowUp
from .resume import Resuming

if TYPE_CHECKING:
    from ..surface import ViewLike

T = TypeVar("T")


class Runner(Resuming):
    """Owns the tracker, ledger, image cache and callback receiver of one client; it is
    the ``Host`` its jobs talk to."""

    @property
    def host(self) -> Host:
        """The runner is the host of its own jobs."""
        return self

    @property
    def owner(self) -> object:
        """The sync client that owns this runner."""
        return self._owner

    def call(self, coro: Coroutine[object, None, T]) -> T:
        """Run a coroutine on the client's loop from any other thread and return its result."""
        return self.loop.run(coro)

    def ensure_tracking(self) -> None:
        """Make sure the receiver and poll loop run (from any thread)."""
        if not self._started:
            self.call(self._start())

    def thumbnail(self, url: str, size: int, blur: bool) -> bytes | None:
        """A cached image's thumbnail (None until the image is cached)."""
        return self.images.thumbnail(url, size, blur=blur)

    async def act(self, job: Job, action: str, args: dict[str, object]) -> object:
        """Perform a job's action; a chained action is submitted as a child job."""
        await self._start()
        if action == "reload":
            await self._reload(job)
            return job
        chain = chains.find(job, action)
        if chain is not None:
            result: object = chain.follow_up(job, args)
        else:
            result = await job.spec.act(self.aclient, job, action, **args)
        if isinstance(result, FollowUp):
            spec = self.kind_for(result.route)  # a chain may make another kind of job
            made = await self._submit(
                spec,
                result.route,
                spec.check(result.route, result.body),
                self._jobset(None),
                experiment=job.experiment,
                axes={"parent_key": job.key},  # kept in the ledger: lineage survives a restart
                parent=job,
                label=result.label,
            )
            if not made:
                raise AmbiguousCreate(
                    f"{action} of {job.key}: outcome unknown, reconciling",
                    route=result.route,
                    request=result.body,
                )
            child = made[0]
            job.children.append(child)
            job.notify()
            return child
        if action == "cancel":
            await self._reload(job)  # the cancellation (and any refund) shows at once
        return result

    async def _reload(self, job: Job) -> None:
        """Poll one job now and hand the reading to the tracker."""
        if job.done:
            return
        for reading in await job.spec.poll(self.aclient, [job.key]):
            if reading.key == job.key and reading.phase is not None:
                if reading.phase.terminal:
                    await self.tracker.finish(job.key, reading)
                elif job.apply(reading):
                    self._changed([job])

    def html_view(self, subject: Job | JobSet) -> str:
        """A job's card or a set's gallery as static HTML (views load here, never in jobs)."""
        from ..html import card_html, jobset_html

        return card_html(subject) if isinstance(subject, Job) else jobset_html(subject)

    def progress_view(self, jobs: JobSet) -> Callable[[], None] | None:
        """The live progress bar of ``JobSet.wait(progress=True)``."""
        from ..widgets.progress import progress_bar

        return progress_bar(jobs)

    def gallery_view(self, jobs: JobSet) -> ViewLike:
        """A live gallery widget of the set's cards."""
        from ..widgets import gallery_view

        return gallery_view(jobs)

    def grid_view(self, jobs: JobSet, x: str, y: str) -> ViewLike:
        """A labelled contact sheet widget of the set."""
        from ..widgets import grid_view

        return grid_view(jobs, x, y)
