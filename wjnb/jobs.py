"""Job, MjTask and JobSet: the objects users hold, observe and wait on.

State changes only ever happen on the client's loop thread (the tracker and the callback
receiver apply them); any thread may read a job, observe it or wait for it. Views subscribe
with ``observe`` and never own state.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from PIL import Image

from . import records
from .errors import InvalidArgument, JobError, WjnbError
from .images import decode
from .models import (
    ArtworkInfo,
    ArtworkStatus,
    AuditSuggestion,
    GeneratingInfo,
    IntegralCostMessage,
    MjButton,
    MjStatus,
)
from .models import MjTask as WireMjTask

if TYPE_CHECKING:
    import pandas as pd

    from .export.mlflow import MlflowExport
    from .runner import Runner

log = logging.getLogger("wjnb.jobs")
T = TypeVar("T")
Observer = Callable[[T], None]

_MJ_TO_WUJIE = {
    MjStatus.SUCCESS: ArtworkStatus.SUCCESS,
    MjStatus.FAILURE: ArtworkStatus.FAILED,
    MjStatus.CANCEL: ArtworkStatus.CANCELLED,
    MjStatus.IN_PROGRESS: ArtworkStatus.GENERATING,
}


def _call_observers(observers: list[Callable[[Any], None]], subject: object) -> None:
    """Call every observer with ``subject``; a broken view must never stop tracking."""
    for fn in list(observers):
        try:
            fn(subject)
        except Exception:
            log.exception("observer failed")


class _Observable:
    """Observers plus a done event: the part Job and MjTask share."""

    def __init__(self) -> None:
        self._observers: list[Callable[[Any], None]] = []
        self._done_event = threading.Event()
        self.done = False
        #: ``time.monotonic()`` when this client saw the job finish (for latency figures).
        self.done_at: float | None = None
        self.error: str | None = None
        self.thumbnail_ready = False
        #: Set once the finished job's picture is cached (or there is none to cache), so
        #: ``wait()`` returns with the thumbnail ready and saved notebooks are deterministic.
        self._settled = threading.Event()

    def observe(self, fn: Callable[[Any], None]) -> Callable[[], None]:
        """Call ``fn(self)`` on every change (on the client's loop thread); returns unsubscribe."""
        self._observers.append(fn)

        def unsubscribe() -> None:
            if fn in self._observers:
                self._observers.remove(fn)

        return unsubscribe

    def _notify(self) -> None:
        _call_observers(self._observers, self)

    def _set_done(self) -> None:
        if not self.done:
            self.done_at = time.monotonic()
        self.done = True
        self._done_event.set()

    def _wait_event(self, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._done_event.wait(timeout):
            raise TimeoutError(f"{self!r} not finished after {timeout} s")
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        self._settled.wait(left)  # the picture's download; a failure there only logs

    def _settle(self, thumbnail_ready: bool) -> None:
        """The picture is cached (or will not be): tell observers, then wake waiters."""
        self.thumbnail_ready = thumbnail_ready
        self._notify()
        self._settled.set()


class Job(_Observable):
    """One Wujie artwork, tracked until it reaches a terminal status."""

    def __init__(
        self,
        runner: Runner,
        key: str,
        request: dict[str, Any],
        *,
        request_id: str,
        experiment: str | None = None,
        axes: dict[str, Any] | None = None,
        record: dict[str, Any] | None = None,
        raw: dict[str, Any] | None = None,
        backend: str = "wujie",
    ) -> None:
        super().__init__()
        self._runner = runner
        self.key = key
        self.request = request
        self.request_id = request_id
        self.experiment = experiment
        self.axes = dict(axes or {})
        self.backend = backend
        self.submitted_at = time.time()
        self.generating: GeneratingInfo | None = None
        self.info: ArtworkInfo | None = None
        self.status: ArtworkStatus | None = ArtworkStatus.SUBMITTED
        self.progress: float | None = None
        self.queue_position: int | None = None
        self.eta_s: float | None = None
        self._record = dict(record) if record else None
        if record:
            self._restore(record, raw)

    def __repr__(self) -> str:
        return f"<Job {self.key} {self.status_name}>"

    # ------------------------------------------------------------------ reading

    @property
    def client(self) -> Any:
        """The sync client that owns this job."""
        return self._runner.owner

    @property
    def status_name(self) -> str:
        """Lower-case status name (``"queued"``, ``"success"``...); ``"error"`` on client errors."""
        if self.error and self.done and self.info is None:
            return "error"
        return self.status.name.lower() if self.status is not None else "unknown"

    @property
    def nsfw(self) -> bool:
        """True when the service flagged the picture (a placeholder is shown instead)."""
        src = self.info or self.generating
        return bool(src and src.involve_yellow == 1)

    @property
    def audit(self) -> AuditSuggestion | None:
        """PASS / REVIEW / BLOCK from the audit, when known."""
        src = self.info or self.generating
        return src.audit_info.verdict if src and src.audit_info else None

    @property
    def failed(self) -> bool:
        """True when generation failed (status 3 or 12) or the job ended in a client error."""
        return bool(self.status and self.status.failed) or (self.done and self.error is not None)

    @property
    def fail_message(self) -> str | None:
        """The service's failure reason (or the client error) for a failed job."""
        src = self.info or self.generating
        if src and src.fail_message and src.fail_message.fail_code:
            return src.fail_message.fail_message
        return self.error

    @property
    def refunded(self) -> bool:
        """True when the service says the credits were returned."""
        src = self.info or self.generating
        return bool(src and src.integral_cost_message == IntegralCostMessage.REFUNDED.value)

    @property
    def cost(self) -> int:
        """Credits this artwork cost (0 once refunded)."""
        src = self.info or self.generating
        if not src or self.refunded:
            return 0
        return src.integral_cost or 0

    @property
    def picture_url(self) -> str | None:
        """The picture's URL once the artwork succeeded."""
        src = self.info or self.generating
        return src.picture_url if src else None

    @property
    def record(self) -> dict[str, Any]:
        """The flat row (canonical columns plus sweep axes) for DataFrames and the ledger."""
        if self._record is None or not self.done:
            self._record = self._make_record()
        return self._record

    def _make_record(self) -> dict[str, Any]:
        rec = records.wujie_record(
            self.key,
            self.request,
            info=self.info,
            generating=self.generating,
            experiment=self.experiment,
            backend=self.backend,
            submitted_at=self.submitted_at,
        )
        for axis, value in self.axes.items():
            rec.setdefault(axis, value)
        if self.error and rec.get("fail_message") is None:
            rec["fail_message"] = self.error
        return rec

    def _restore(self, rec: dict[str, Any], raw: dict[str, Any] | None) -> None:
        """Take the state the ledger holds (after a restart): its record and raw reply."""
        self.status = ArtworkStatus.parse(rec.get("status"))
        if rec.get("submitted_at"):
            self.submitted_at = float(rec["submitted_at"])
        if raw is not None:
            self.info = ArtworkInfo.from_dict(raw)
            self.info.key = self.key

    def _follow(self, rec: dict[str, Any], raw: dict[str, Any] | None) -> bool:
        """Take what another kernel wrote to the shared ledger (``raw`` once it ended);
        True when anything visible changed."""
        before = (self.status, self.done)
        self._restore(rec, raw)
        if raw is not None and self.info is not None:
            self._apply_info(self.info)
        elif raw is not None:
            self._set_done()
        return before != (self.status, self.done)

    # ------------------------------------------------------------------ updates (loop thread)

    def _apply_generating(self, g: GeneratingInfo) -> bool:
        """Take a poll result; True when anything visible changed."""
        before = (self.status, self.progress, self.queue_position, self.eta_s)
        self.generating = g
        status = g.status_enum
        if status is not None:
            self.status = status
        self.progress = g.complete_percent
        self.queue_position = g.queue_before_num
        self.eta_s = float(g.expected_seconds) if g.expected_seconds is not None else None
        return before != (self.status, self.progress, self.queue_position, self.eta_s)

    def _apply_info(self, info: ArtworkInfo) -> None:
        """Take the final detail and finish the job."""
        info.key = self.key
        self.info = info
        status = info.status_enum
        if status is not None:
            self.status = status
        if self.status == ArtworkStatus.SUCCESS:
            self.progress = 100.0
        self.queue_position = None
        self.eta_s = 0.0
        self._set_done()
        self._record = self._make_record()

    def _apply_error(self, message: str) -> None:
        """End the job in a clear client-side error state."""
        self.error = message
        self._set_done()
        self._record = self._make_record()

    # ------------------------------------------------------------------ actions

    def wait(self, timeout: float | None = None) -> Job:
        """Block until the job is terminal; returns it."""
        _check_timeout(timeout)
        self._runner.ensure_tracking()
        self._wait_event(timeout)
        return self

    def image(self) -> Image.Image:
        """The full-size picture (downloaded once, then read from the disk cache)."""
        url = self.picture_url
        if not self.done or not url:
            raise JobError(f"job {self.key} has no picture ({self.status_name})")
        return decode(self._runner.call(self._runner.fetch_image(url)))

    def thumbnail(self, size: int = 256) -> bytes | None:
        """A small JPEG of the picture (blurred when flagged NSFW), or None without one."""
        url = self.picture_url
        if not self.done or not url:
            return None
        thumb = self._runner.images.thumbnail(url, size, blur=self.nsfw)
        if thumb is None:
            self._runner.call(self._runner.fetch_image(url))
            thumb = self._runner.images.thumbnail(url, size, blur=self.nsfw)
        self.thumbnail_ready = self.thumbnail_ready or thumb is not None
        return thumb

    def cancel(self) -> None:
        """Cancel the artwork while it is still queued (``NotCancellable`` otherwise)."""
        self._runner.call(self._runner.cancel(self))

    def accelerate(self, step_num: int = 1) -> None:
        """Ask the service to speed the artwork up (costs credits)."""
        self._runner.call(self._runner.accelerate(self, step_num))

    def _repr_html_(self) -> str:
        from .html import job_html

        return job_html(self)


class MjTask(_Observable):
    """One Midjourney-proxy task (imagine, upscale, variation...), tracked to the end."""

    def __init__(
        self,
        runner: Runner,
        task_id: str,
        request: dict[str, Any],
        *,
        request_id: str,
        action: str = "IMAGINE",
        experiment: str | None = None,
        parent: MjTask | None = None,
    ) -> None:
        super().__init__()
        self._runner = runner
        self.id = task_id
        self.key = task_id
        self.request = request
        self.request_id = request_id
        self.action = action
        self.experiment = experiment
        self.parent = parent
        self.task: WireMjTask | None = None
        self.children: list[MjTask] = []
        self._seed: str | None = None

    def __repr__(self) -> str:
        return f"<MjTask {self.id} {self.action} {self.status_name}>"

    @property
    def client(self) -> Any:
        """The sync client that owns this task."""
        return self._runner.owner

    @property
    def status(self) -> MjStatus | None:
        """The proxy's status, when known."""
        return self.task.status_enum if self.task else MjStatus.SUBMITTED

    @property
    def status_name(self) -> str:
        """Lower-case status name, ``"error"`` on a client error."""
        if self.error and self.done and self.task is None:
            return "error"
        status = self.status
        return status.value.lower() if status else "unknown"

    @property
    def progress(self) -> float | None:
        """Percent done (the proxy reports text such as ``"45%"``)."""
        return self.task.percent if self.task else None

    @property
    def picture_url(self) -> str | None:
        """The grid or upscale image (a preview while in progress)."""
        return self.task.image_url if self.task else None

    @property
    def buttons(self) -> list[MjButton]:
        """Buttons of the finished task (U1..U4, V1..V4, reroll)."""
        return list(self.task.buttons or []) if self.task else []

    @property
    def failed(self) -> bool:
        """True when the proxy reported FAILURE or the task ended in a client error."""
        return self.status == MjStatus.FAILURE or (self.done and self.error is not None)

    @property
    def fail_message(self) -> str | None:
        """Why the task failed."""
        return (self.task.fail_reason if self.task else None) or self.error

    nsfw = False
    audit = None
    refunded = False

    @property
    def record(self) -> dict[str, Any]:
        """The flat row, same schema as a Wujie artwork's."""
        task = self.task or WireMjTask(id=self.id, action=self.action)
        return records.mj_record(task, self.request, experiment=self.experiment)

    def _apply_task(self, task: WireMjTask) -> bool:
        """Take a poll or callback result; True when anything visible changed."""
        before = self.task.to_dict() if self.task else None
        self.task = task
        status = task.status_enum
        if status is not None and status.terminal:
            self._set_done()
        return before != task.to_dict()

    def _apply_error(self, message: str) -> None:
        self.error = message
        self._set_done()

    def wait(self, timeout: float | None = None) -> MjTask:
        """Block until the task is terminal; returns it."""
        _check_timeout(timeout)
        self._runner.ensure_tracking()
        self._wait_event(timeout)
        return self

    def press(self, label: str) -> MjTask:
        """Press a button (``"U2"``, ``"V1"``, ``"reroll"``); returns the child task."""
        return self._runner.call(self._runner.mj_press(self, label))

    def seed(self) -> str:
        """The task's Midjourney seed (asked once, then remembered)."""
        if self._seed is None:
            self._seed = self._runner.call(self._runner.mj_seed(self))
        return self._seed

    def image(self) -> Image.Image:
        """The full-size image."""
        url = self.picture_url
        if not self.done or not url:
            raise JobError(f"task {self.id} has no image ({self.status_name})")
        return decode(self._runner.call(self._runner.fetch_image(url)))

    def thumbnail(self, size: int = 256) -> bytes | None:
        """A small JPEG of the image (a preview while in progress), or None."""
        url = self.picture_url
        if not url:
            return None
        thumb = self._runner.images.thumbnail(url, size)
        if thumb is None or not self.done:
            self._runner.call(self._runner.fetch_image(url))
            thumb = self._runner.images.thumbnail(url, size)
        return thumb

    def cancel(self) -> None:
        """Ask the proxy to cancel the task."""
        self._runner.call(self._runner.mj_cancel(self))

    def _repr_html_(self) -> str:
        from .html import mj_html

        return mj_html(self)


AnyJob = Job | MjTask


class JobSet(Sequence[AnyJob]):
    """An ordered, growing set of jobs: one ``generate``, a sweep, or a loaded experiment."""

    def __init__(
        self,
        runner: Runner,
        jobs: Sequence[AnyJob] = (),
        *,
        experiment: str | None = None,
        axes: dict[str, list[Any]] | None = None,
    ) -> None:
        self._runner = runner
        self._jobs: list[AnyJob] = list(jobs)
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
    def __getitem__(self, index: int) -> AnyJob: ...
    @overload
    def __getitem__(self, index: slice) -> list[AnyJob]: ...
    def __getitem__(self, index: int | slice) -> AnyJob | list[AnyJob]:
        return self._jobs[index]

    def __len__(self) -> int:
        return len(self._jobs)

    def __iter__(self) -> Iterator[AnyJob]:
        return iter(list(self._jobs))

    def observe(self, fn: Callable[[JobSet], None]) -> Callable[[], None]:
        """Call ``fn(self)`` when jobs are added; returns unsubscribe."""
        self._observers.append(fn)
        return lambda: self._observers.remove(fn) if fn in self._observers else None

    def _sort(self, key: Callable[[AnyJob], int]) -> None:
        """Put the jobs in a stable order (a sweep's plan order), telling observers."""
        ordered = sorted(self._jobs, key=key)
        if ordered != self._jobs:
            self._jobs = ordered
            self._add([])

    def _add(self, jobs: Sequence[AnyJob]) -> None:
        self._jobs.extend(jobs)
        _call_observers(self._observers, self)

    @property
    def done(self) -> bool:
        """True when every job is terminal and nothing is still being submitted."""
        return self.pending_requests == 0 and all(j.done for j in self._jobs)

    @property
    def cost(self) -> int:
        """Credits charged for these jobs so far (refunds deducted)."""
        return sum(j.cost for j in self._jobs if isinstance(j, Job))

    def wait(self, timeout: float | None = None, progress: bool = False) -> JobSet:
        """Block until every job is terminal; a progress bar in a notebook when asked."""
        _check_timeout(timeout)
        self._runner.ensure_tracking()
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = _progress_bar(self) if progress else None
        try:
            for job in list(self._jobs):
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                job.wait(left)
            self._runner.call(self._runner.settle(self))
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
        from .frame import to_dataframe

        return to_dataframe(self.records(), axes=list(self.axes))

    def to_mlflow(
        self, *, experiment: str | None = None, tracking_uri: str | None = None
    ) -> MlflowExport:
        """Log the finished jobs to MLflow: one run per artwork under a parent run, idempotent."""
        from .export.mlflow import to_mlflow

        return to_mlflow(self, experiment=experiment, tracking_uri=tracking_uri)

    def to_dataset(self, path: str | os.PathLike[str], *, metadata: str = "jsonl") -> Any:
        """Write the pictures as a Hugging Face imagefolder at ``path``; returns the Dataset."""
        from .export.dataset import to_dataset

        return to_dataset(self, path, metadata=metadata)

    def gallery(self) -> Any:
        """A live, paginated gallery widget of the jobs' cards."""
        from .widgets import gallery

        return gallery(self)

    def grid(self, x: str, y: str) -> Any:
        """A labelled contact sheet of a sweep along two axes (widget with PNG fallback)."""
        from .widgets import grid

        known = set(self.axes) or {k for j in self._jobs for k in j.request}
        for name, axis in (("x", x), ("y", y)):
            if not isinstance(axis, str) or axis not in known:
                axes = ", ".join(sorted(map(str, known))) or "none"
                raise InvalidArgument(name, f"no axis {axis!r} in this set (axes: {axes})")

        return grid(self, x, y)

    def _repr_html_(self) -> str:
        from .html import jobset_html

        return jobset_html(self)


def _check_timeout(timeout: object) -> None:
    """``wait``'s timeout: None, or a finite number of seconds (``InvalidArgument`` else)."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise InvalidArgument("timeout", f"expected seconds, got {type(timeout).__name__}")
    if not 0 <= timeout < 1e9:
        raise InvalidArgument("timeout", f"expected 0 to 1e9 seconds, got {timeout!r}")


def _progress_bar(jobs: JobSet) -> Callable[[], None] | None:
    """Show a progress bar in a live notebook; returns a function that closes it.

    The bar's static text (``wjnb: 18/18 done``) is refreshed in place when it closes, so
    a saved notebook shows the final count where widgets do not render.
    """
    try:
        from IPython import get_ipython

        shell = get_ipython()  # type: ignore[no-untyped-call]
    except ImportError:
        return None
    if shell is None or not hasattr(shell, "kernel"):
        return None
    import ipywidgets as w
    from IPython.display import display

    bar = w.IntProgress(min=0, max=max(1, len(jobs)), description="wjnb")
    label = w.Label()

    def summary() -> str:
        return f"wjnb: {sum(j.done for j in jobs)}/{len(jobs)} done"

    class Progress(w.HBox):  # type: ignore[misc]
        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
            data: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
            data["text/plain"] = summary()
            data["text/html"] = f"<code>{summary()}</code>"
            return data

    box = Progress([bar, label])

    def refresh(_: object = None) -> None:
        bar.max = max(1, len(jobs))
        bar.value = sum(j.done for j in jobs)
        label.value = summary().removeprefix("wjnb: ")

    subs = [j.observe(refresh) for j in jobs]
    subs.append(jobs.observe(refresh))
    refresh()
    handle = display(box, display_id=True)  # type: ignore[no-untyped-call]

    def close() -> None:
        refresh()
        for unsubscribe in subs:
            unsubscribe()
        if handle is not None:
            handle.update(box)

    return close
