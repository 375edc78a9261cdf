"""Job and JobSet: the objects users hold, observe and wait on, for every kind of work.

A job knows its kind (``job.spec``, a ``Kind``) and the last ``Reading`` of it, and talks
to its host (``Host``) for anything that needs the network, the cache or a view. State
changes only ever happen on the client's loop thread (the tracker and the callback
receiver apply them); any thread may read a job, observe it or wait for it.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from PIL import Image

from ..errors import InvalidArgument, JobError, WjnbError
from ..images import decode
from ..models import AuditSuggestion
from . import chains
from .kind import Json, Kind, Media, Phase, Reading
from .queue import QueueCounts

if TYPE_CHECKING:
    import pandas as pd

    from ..export.mlflow import MlflowExport
    from ..jobclient import Client
    from ..surface import ViewLike
    from .host import Host

log = logging.getLogger("wjnb.jobs")
S = TypeVar("S")


def call_observers(observers: Sequence[Callable[[S], None]], subject: S) -> None:
    """Call every observer with ``subject``; a broken view must never stop tracking."""
    for fn in list(observers):
        try:
            fn(subject)
        except Exception:
            log.exception("observer failed")


class Job:
    """One unit of asynchronous work (an artwork, a Midjourney task...), tracked to its end."""

    def __init__(
        self,
        host: Host,
        spec: Kind,
        key: str,
        request: Json,
        *,
        request_id: str,
        experiment: str | None = None,
        axes: Json | None = None,
        parent: Job | None = None,
        label: str | None = None,
    ) -> None:
        self._host = host
        #: The kind of work (what to poll, how to read it); ``kind`` is its name.
        self.spec = spec
        self.key = key
        self.request = request
        self.request_id = request_id
        self.experiment = experiment
        self.axes = dict(axes or {})
        #: The job this one was made from (an upscale's artwork, a button's task), if any.
        self.parent = parent
        self.children: list[Job] = []
        #: What made this job within its kind (e.g. ``"UPSCALE"`` for a pressed button).
        self.label = label
        self.submitted_at = time.time()
        #: What the service charged for this job, measured on its balance at submit (kinds
        #: whose replies never state it, ``Kind.measured_in``); None when unknown.
        self.charged: int | None = None
        #: The last reading (poll, callback or detail); ``final`` once the job is done.
        self.latest: Reading | None = None
        self.final: Reading | None = None
        self._status: enum.Enum | None = spec.initial_status
        self.done = False
        #: ``time.monotonic()`` when this client saw the job finish (for latency figures).
        self.done_at: float | None = None
        self.error: str | None = None
        self.thumbnail_ready = False
        self._observers: list[Callable[[Job], None]] = []
        self._done_event = threading.Event()
        #: Set once the finished job's picture is cached (or there is none to cache), so
        #: ``wait()`` returns with the thumbnail ready and saved notebooks are deterministic.
        self.settled = threading.Event()
        self._record: Json | None = None

    def __repr__(self) -> str:
        label = f" {self.label}" if self.label else ""
        return f"<{type(self).__name__} {self.key}{label} {self.status_name}>"

    # ------------------------------------------------------------------ reading

    @property
    def kind(self) -> str:
        """The kind's name (``"artwork"``, ``"mj"``...): what views switch on."""
        return self.spec.name

    @property
    def client(self) -> Client:
        """The sync client that owns this job."""
        return cast("Client", self._host.owner)

    @property
    def status(self) -> enum.Enum | None:
        """The kind's own status (``ArtworkStatus``, ``MjStatus``...), when known."""
        return self._status

    @property
    def phase(self) -> Phase | None:
        """Where the job is, whatever its kind: waiting, running, succeeded, failed..."""
        reading = self.final or self.latest
        return reading.phase if reading else Phase.WAITING

    @property
    def status_name(self) -> str:
        """Lower-case status name (``"queued"``, ``"success"``...); ``"error"`` on client errors."""
        if self.error and self.done and self.final is None:
            return "error"
        return self._status.name.lower() if self._status is not None else "unknown"

    @property
    def info(self) -> object:
        """The final detail as the service sent it (the kind's wire model), once done."""
        return self.final.wire if self.final else None

    def _reading(self) -> Reading | None:
        return self.final or self.latest

    @property
    def progress(self) -> float | None:
        """Percent done, when the service reports it."""
        reading = self._reading()
        return reading.progress if reading else None

    @property
    def queue_position(self) -> int | None:
        """Jobs ahead of this one in the service's queue, when reported."""
        reading = self._reading()
        return reading.queue_position if reading else None

    @property
    def eta_s(self) -> float | None:
        """Seconds the service expects the job still needs, when reported."""
        reading = self._reading()
        return reading.eta_s if reading else None

    @property
    def nsfw(self) -> bool:
        """True when the service flagged the picture (a placeholder is shown instead)."""
        reading = self._reading()
        return bool(reading and reading.nsfw)

    @property
    def audit(self) -> AuditSuggestion | None:
        """PASS / REVIEW / BLOCK from the audit, when known."""
        reading = self._reading()
        return reading.audit if reading else None

    @property
    def failed(self) -> bool:
        """True when the work failed or the job ended in a client error."""
        return self.phase == Phase.FAILED or (self.done and self.error is not None)

    @property
    def fail_message(self) -> str | None:
        """The service's failure reason (or the client error) for a failed job."""
        reading = self._reading()
        return (reading.fail_message if reading else None) or self.error

    @property
    def refunded(self) -> bool:
        """True when the service says the credits were returned."""
        reading = self._reading()
        return bool(reading and reading.refunded)

    @property
    def cost(self) -> int:
        """Credits this job cost (0 once refunded)."""
        reading = self._reading()
        return 0 if not reading or reading.refunded else reading.cost

    @property
    def media(self) -> tuple[Media, ...]:
        """The job's results: image and video URLs, texts (a preview while in progress)."""
        reading = self._reading()
        return reading.media if reading else ()

    @property
    def picture_url(self) -> str | None:
        """The first image's URL, once there is one."""
        return next((m.url for m in self.media if m.type == "image" and m.url), None)

    @property
    def actions(self) -> tuple[str, ...]:
        """What this job offers now (``"cancel"``, ``"U2"``, ``"animate"``...): ``act(name)``
        performs it."""
        return self.spec.actions(self) + tuple(c.name for c in chains.offered(self))

    @property
    def chain_buttons(self) -> tuple[tuple[str, str, str, dict[str, object]], ...]:
        """(action, label, tooltip, arguments) of every chained action's card button (shown
        once ``actions`` offers the action): views draw them without knowing the chains."""
        return tuple(
            (chain.name, label, tip, args)
            for chain in chains.CHAINS.values()
            for label, tip, args in chain.buttons
        )

    @property
    def record(self) -> Json:
        """The flat row (canonical columns plus sweep axes) for DataFrames and the ledger."""
        if self._record is None or not self.done:
            rec = self.spec.record(self)
            rec.setdefault("kind", self.kind)
            for axis, value in self.axes.items():
                rec.setdefault(axis, value)
            if self.error and rec.get("fail_message") is None:
                rec["fail_message"] = self.error
            self._record = rec
        return self._record

    # ------------------------------------------------------------------ observing

    def observe(self, fn: Callable[[Job], None]) -> Callable[[], None]:
        """Call ``fn(self)`` on every change (on the client's loop thread); returns unsubscribe."""
        self._observers.append(fn)

        def unsubscribe() -> None:
            if fn in self._observers:
                self._observers.remove(fn)

        return unsubscribe

    def notify(self) -> None:
        """Tell observers the job changed (loop thread)."""
        call_observers(self._observers, self)

    # ------------------------------------------------------------------ updates (loop thread)

    def apply(self, reading: Reading) -> bool:
        """Take a reading of an unfinished job; True when anything visible changed."""
        before = self._visible()
        self.latest = reading
        if reading.status is not None:
            self._status = reading.status
        return before != self._visible()

    def _visible(self) -> tuple[object, ...]:
        """What views show of an unfinished job (compared to tell a change)."""
        r = self.latest
        if r is None:
            return (self._status,)
        return (self._status, r.progress, r.queue_position, r.eta_s, r.media, r.fail_message)

    def finish(self, reading: Reading) -> None:
        """Take the final reading and end the job."""
        self.latest = self.final = reading
        if reading.status is not None:
            self._status = reading.status
        self._set_done()

    def fail(self, message: str) -> None:
        """End the job in a clear client-side error state."""
        self.error = message
        self._set_done()

    def restore(self, reading: Reading | None, record: Json, *, done: bool) -> None:
        """Take what the ledger kept after a restart: the last reading and the record."""
        if record.get("submitted_at"):
            self.submitted_at = float(record["submitted_at"])
        if self.spec.measured_in and isinstance(record.get("integral_cost"), int):
            self.charged = record["integral_cost"]
        if reading is not None:
            self.apply(reading)
        if done:
            self.final = reading
            self._set_done()
            self._record = dict(record)

    def _set_done(self) -> None:
        if not self.done:
            self.done_at = time.monotonic()
        self.done = True
        self._record = None
        self._done_event.set()

    def settle(self, thumbnail_ready: bool) -> None:
        """The picture is cached (or will not be): tell observers, then wake waiters."""
        self.thumbnail_ready = thumbnail_ready
        self.notify()
        self.settled.set()

    # ------------------------------------------------------------------ actions

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the job is terminal (and its picture cached); returns it."""
        _check_timeout(timeout)
        self._host.ensure_tracking()
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._done_event.wait(timeout):
            raise TimeoutError(f"{self!r} not finished after {timeout} s")
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self.settled.wait(left)  # the picture's download; a failure there only logs
        return self

    async def async_wait(self) -> Job:
        """Await the end of the job from a coroutine on any loop (without blocking it)."""
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()

        def end() -> None:
            if not ended.done():
                ended.set_result(None)

        def wake(job: Job) -> None:
            if job.done:
                loop.call_soon_threadsafe(end)

        self._host.ensure_tracking()
        unsubscribe = self.observe(wake)
        try:
            if not self.done:
                await ended
        finally:
            unsubscribe()
        return self

    def reload(self) -> Job:
        """Read the job's state from the service now (instead of waiting for the next poll)."""
        self._host.call(self._host.act(self, "reload", {}))
        return self

    def act(self, action: str, **args: Any) -> object:
        """Perform one of ``actions`` (a chained action returns the new job)."""
        return self._host.call(self._host.act(self, action, args))

    def animate(self, **params: Any) -> Job:
        """Animate the finished picture (image to video): returns the tracked child job.

        ``params`` are the SVD create's fields (``duration``, ``camera_move_type``...)."""
        return self._chain("animate", **params)

    def _chain(self, action: str, **args: Any) -> Job:
        """Perform a chained action (``wjnb.jobs.chains``): the tracked child job."""
        child = self.act(action, **args)
        assert isinstance(child, Job)
        return child

    def download(self, url: str | None = None) -> bytes:
        """The bytes of one picture or clip result (by default the picture), downloaded once
        then cached; files the image guard cannot decode (an SVG) are refused."""
        url = url or self.picture_url
        if not self.done or not url:
            raise JobError(f"job {self.key} has no result to download ({self.status_name})")
        return self._host.call(self._host.fetch_image(url))

    def image(self) -> Image.Image:
        """The full-size picture (downloaded once, then read from the disk cache)."""
        url = self.picture_url
        if not self.done or not url:
            raise JobError(f"job {self.key} has no picture ({self.status_name})")
        return decode(self._host.call(self._host.fetch_image(url)))

    def thumbnail(self, size: int = 256) -> bytes | None:
        """A small JPEG of the picture (blurred when flagged NSFW; a preview while in
        progress for kinds that show one), or None without one."""
        url = self.picture_url
        if not url or not (self.done or self.spec.previews):
            return None
        thumb = self._host.thumbnail(url, size, self.nsfw)
        if thumb is None or not self.done:
            self._host.call(self._host.fetch_image(url))
            thumb = self._host.thumbnail(url, size, self.nsfw)
        self.thumbnail_ready = self.thumbnail_ready or (self.done and thumb is not None)
        return thumb

    def cancel(self) -> None:
        """Ask the service to cancel the job (``NotCancellable`` once it is too late)."""
        self.act("cancel")

    def accelerate(self, step_num: int = 1) -> None:
        """Ask the service to speed the job up (costs credits)."""
        self.act("accelerate", step_num=step_num)

    def _repr_html_(self) -> str:
        return self._host.html_view(self)


class PictureJob(Job):
    """A job whose result is a picture: it can also be upscaled and described."""

    def __repr__(self) -> str:
        return "<Job" + super().__repr__().removeprefix(f"<{type(self).__name__}")

    def upscale(self, multiple: float = 2) -> Job:
        """Upscale the finished picture ``multiple`` times (1 to 4); returns the child job."""
        return self._chain("upscale", multiple=multiple)

    def describe(self) -> Job:
        """Read tags from the finished picture (spell analysis); returns the child job."""
        return self._chain("describe")


class JobSet(Sequence[Job]):
    """An ordered, growing set of jobs: one ``generate``, a sweep, or a loaded experiment."""

    def __init__(
        self,
        host: Host,
        jobs: Sequence[Job] = (),
        *,
        experiment: str | None = None,
        axes: dict[str, list[object]] | None = None,
    ) -> None:
        self._host = host
        self._jobs: list[Job] = list(jobs)
        self._observers: list[Callable[[JobSet], None]] = []
        self.experiment = experiment
        self.axes = dict(axes or {})
        self.stopped_reason: str | None = None
        self.pending_requests = 0

    def __repr__(self) -> str:
        done = sum(j.done for j in self._jobs)
        name = f" {self.experiment!r}" if self.experiment else ""
        count = len(self._jobs)
        return f"<JobSet{name} {count} job{'' if count == 1 else 's'}, {done} done>"

    @overload
    def __getitem__(self, index: int) -> Job: ...
    @overload
    def __getitem__(self, index: slice) -> list[Job]: ...
    def __getitem__(self, index: int | slice) -> Job | list[Job]:
        return self._jobs[index]

    def __len__(self) -> int:
        return len(self._jobs)

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs))

    def observe(self, fn: Callable[[JobSet], None]) -> Callable[[], None]:
        """Call ``fn(self)`` when jobs are added; returns unsubscribe."""
        self._observers.append(fn)
        return lambda: self._observers.remove(fn) if fn in self._observers else None

    def sort(self, key: Callable[[Job], int]) -> None:
        """Put the jobs in a stable order (a sweep's plan order), telling observers."""
        ordered = sorted(self._jobs, key=key)
        if ordered != self._jobs:
            self._jobs = ordered
            self.add([])

    def add(self, jobs: Sequence[Job]) -> None:
        """Append jobs (the runner, as creates are accepted) and tell observers."""
        self._jobs.extend(jobs)
        call_observers(self._observers, self)

    def discard(self, job: Job) -> None:
        """Take out a job whose work is being done again by another (a lost task)."""
        if job in self._jobs:
            self._jobs.remove(job)
            call_observers(self._observers, self)

    @property
    def done(self) -> bool:
        """True when every job is terminal and nothing is still being submitted."""
        return self.pending_requests == 0 and all(j.done for j in self._jobs)

    @property
    def cost(self) -> int:
        """Credits charged for these jobs so far (refunds deducted)."""
        return sum(j.cost for j in self._jobs)

    @property
    def progress(self) -> QueueCounts:
        """Creates still unanswered (``waiting``: on our side for a proxy's slot, or on
        their way) and jobs ``queued``, ``running`` and ``done``."""
        return QueueCounts.of(self, self.pending_requests)

    def wait(self, timeout: float | None = None, progress: bool = False) -> JobSet:
        """Block until every job is terminal; a progress bar in a notebook when asked."""
        _check_timeout(timeout)
        self._host.ensure_tracking()
        deadline = None if timeout is None else time.monotonic() + timeout
        bar: Callable[[], None] | None = self._host.progress_view(self) if progress else None
        try:
            for job in list(self._jobs):
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                job.wait(left)
            self._host.call(self._host.settle(self))
            for job in list(self._jobs):
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                job.wait(left)
        finally:
            if bar is not None:
                bar()
        return self

    def cancel(self) -> int:
        """Cancel every job that is still queued; returns how many were cancelled."""
        count = 0
        for job in self._jobs:
            if not job.done:
                try:
                    job.cancel()
                    count += 1
                except WjnbError:
                    pass
        return count

    def records(self) -> list[dict[str, Any]]:
        """One flat row per job."""
        return [j.record for j in self._jobs]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per artwork with the canonical columns, sweep axes as their own columns."""
        from ..frame import to_dataframe

        return to_dataframe(self.records(), axes=list(self.axes))

    def to_mlflow(
        self, *, experiment: str | None = None, tracking_uri: str | None = None
    ) -> MlflowExport:
        """Log the finished jobs to MLflow: one run per artwork under a parent run, idempotent."""
        from ..export.mlflow import to_mlflow

        return to_mlflow(self, experiment=experiment, tracking_uri=tracking_uri)

    def to_dataset(self, path: str | os.PathLike[str], *, metadata: str = "jsonl") -> Any:
        """Write the pictures as a Hugging Face imagefolder at ``path``; returns the Dataset."""
        from ..export.dataset import to_dataset

        return to_dataset(self, path, metadata=metadata)

    def gallery(self) -> ViewLike:
        """A live, paginated gallery widget of the jobs' cards."""
        return self._host.gallery_view(self)

    def grid(self, x: str, y: str) -> ViewLike:
        """A labelled contact sheet of a sweep along two axes (widget with PNG fallback)."""
        known = set(self.axes) or {k for j in self._jobs for k in j.request}
        for name, axis in (("x", x), ("y", y)):
            if not isinstance(axis, str) or axis not in known:
                axes = ", ".join(sorted(map(str, known))) or "none"
                raise InvalidArgument(name, f"no axis {axis!r} in this set (axes: {axes})")

        return self._host.grid_view(self, x, y)

    def _repr_html_(self) -> str:
        return self._host.html_view(self)


def _check_timeout(timeout: object) -> None:
    """``wait``'s timeout: None, or a finite number of seconds (``InvalidArgument`` else)."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise InvalidArgument("timeout", f"expected seconds, got {type(timeout).__name__}")
    if not 0 <= timeout < 1e9:
        raise InvalidArgument("timeout", f"expected 0 to 1e9 seconds, got {timeout!r}")
