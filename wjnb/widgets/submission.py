"""What ``Studio.submit`` hands back: a future of the create that is also a live status line.

``result()`` waits for the request to be accepted (the JobSet it made, None when it was
refused); ``wait()`` also waits for its jobs to finish. Displayed in a notebook, the line
moves from "Sending" to "Submitted" to "Done" (with the jobs' cards) by itself, and its
static HTML (what GitHub and nbviewer show) is replaced in place once the jobs are done.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .. import html
from .style import View

if TYPE_CHECKING:
    from ..surface import JobSetLike

_GREY, _BLUE, _GREEN, _RED = "#6b7280", "#1d4ed8", "#15803d", "#b91c1c"


class Submission(View):
    """One Studio submission: a future of its JobSet and a line saying where it stands."""

    def __init__(self) -> None:
        self._line = widgets.HTML()
        super().__init__([self._line], "wjnb-submission")
        self._future: Future[JobSetLike | None] = Future()
        self._jobs: JobSetLike | None = None
        self._error: str | None = None
        self._handles: list[Any] = []  # IPython display handles: their static HTML is updated
        self._handles_lock = threading.Lock()
        self._refresh()

    # ------------------------------------------------------------------ the future

    def done(self) -> bool:
        """True once the create was answered (accepted or refused)."""
        return self._future.done()

    def result(self, timeout: float | None = None) -> JobSetLike | None:
        """The jobs the create made (None when it was refused), once it is answered."""
        jobs = self._future.result(timeout)
        self._publish()
        return jobs

    def wait(self, timeout: float | None = None) -> JobSetLike | None:
        """The jobs, once the create is answered and every job it made is finished."""
        jobs = self.result(timeout)
        if jobs is not None:
            jobs.wait(timeout)
        self._refresh()
        return jobs

    def resolve(self, jobs: JobSetLike | None, error: str | None = None) -> None:
        """The create's answer (from the Studio, on the client's loop thread)."""
        self._jobs, self._error = jobs, error
        if jobs is not None:
            for job in jobs:
                self._watch(job.observe(self._changed))
        self._refresh()
        self._future.set_result(jobs)

    # ------------------------------------------------------------------ the view

    @property
    def stage(self) -> str:
        """``sending``, ``refused``, ``submitted`` or ``done``."""
        if self._jobs is None:
            return "refused" if self._error is not None else "sending"
        return "done" if all(j.done for j in self._jobs) else "submitted"

    def static_html(self) -> str:
        """The status line as HTML (escaped), with the jobs' cards once they are done."""
        text, color = self._summary()
        line = html.line_html(text, color, 12)
        if self.stage != "done" or self._jobs is None:
            return line
        return f"<div>{line}<div>{''.join(html.card_html(j) for j in self._jobs)}</div></div>"

    def _summary(self) -> tuple[str, str]:
        state, jobs = self.stage, self._jobs
        if state == "sending":
            return "Sending the request…", _GREY
        if state == "refused" or jobs is None:
            return f"Not sent: {self._error}", _RED
        names = ", ".join(f"{j.key[:8]}… {j.status_name}" for j in jobs)
        count = f"{len(jobs)} job{'s' if len(jobs) != 1 else ''}"
        if state == "done":
            return f"Done: {count} ({names})", _GREEN
        return f"Submitted: {count} ({names})", _BLUE

    def _changed(self, _: object) -> None:
        self._refresh()

    def _refresh(self) -> None:
        """Show the current state; once done, also replace the static HTML in place."""
        self._line.value = self.static_html()
        if self.stage in ("done", "refused"):
            self._publish()

    def _publish(self) -> None:
        """Update every display of this submission (its text/html fallback included)."""
        with self._handles_lock:
            handles = list(self._handles)
        for handle in handles:
            handle.update(self._repr_mimebundle_(), raw=True)

    def _ipython_display_(self) -> None:
        """Display with a handle, so the saved notebook's static HTML can be updated."""
        from IPython.display import display

        handle = display(self._repr_mimebundle_(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        if handle is not None:
            with self._handles_lock:
                self._handles.append(handle)
