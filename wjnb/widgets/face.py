"""What a job card and a Midjourney card share: the picture (or the status while there is
none), badges and text, loading the thumbnail once the job has cached it, action errors.

A mixin for ``View`` subclasses: ``_face()`` and ``_text()`` make the widgets, the subclass
lays them out, draws in ``_render`` and keeps the thumbnail bytes it gets in ``_took``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .. import html
from ..errors import WjnbError
from .style import background, box, image, show, text

if TYPE_CHECKING:
    from ..surface import JobLike as Job
    from ..surface import MjTaskLike as MjTask


class Face:
    """Picture, placeholder, badges and details of one job, kept current from the job."""

    job: Job | MjTask
    #: Side (px) of the thumbnail this card shows.
    size: int
    #: Height (px) of the picture area (a text result fills it).
    area: int

    def _face(self, picture_class: str = "wjnb-pic") -> widgets.Box:
        """Make the picture area (and the state behind it); the card lays it out."""
        self._lock = threading.RLock()
        self._loading = False
        self._failure = ""  # why the last action failed (display only)
        self._picture_error = ""  # why the picture could not be loaded (display only)
        self.picture = image()
        self.placeholder = text()
        return box([self.picture, self.placeholder], picture_class)

    def _text(self) -> widgets.Box:
        """Make the badges and the text under the picture."""
        self.badges = text()
        self.details = text()
        return box([self.badges, self.details], "wjnb-body", vertical=True)

    def _changed(self, job: Job | MjTask, construct: bool = False) -> None:
        """Redraw; once the job is done and its thumbnail cached, load it on a worker thread.

        A card made for a job that is already done loads at once (the cache may be warm).
        """
        with self._lock:
            photos = not job.picture_url and html.photo_urls(job)  # need no cached picture
            wanted = job.done and not job.failed and (job.picture_url or photos)
            if wanted and not self._loading and (job.thumbnail_ready or construct or photos):
                self._loading = True
                background(self._load_thumbnail)
            self._render()

    def _load_thumbnail(self) -> None:
        try:
            job = self.job
            data = job.thumbnail(self.size) if job.picture_url else html.photos_thumbnail(job)
            if data is not None:
                self._took(data)
            self._picture_error = ""
        except (WjnbError, OSError) as exc:
            with self._lock:  # together: whoever sees the error may ask again at once
                self._loading = False  # the job's next change tries again
                self._picture_error = f"picture unavailable: {exc}"
        self._render()

    def _problems(self) -> str:
        """What went wrong, for the card's red line (empty when nothing did)."""
        return " · ".join(p for p in (self._picture_error, self._failure) if p)

    def _show_picture(self, data: bytes | None) -> None:
        """Show ``data``, or the job's status and progress where there is no picture."""
        if data is not None:
            self.picture.value = data
        else:
            self.placeholder.value = html.pending_html(self.job, self.area)
        show(self.picture, data is not None)
        show(self.placeholder, data is None)

    def _acted(self, error: str) -> None:
        """After a button's action: its error (or none) on the card."""
        self._failure = error
        self._render()

    def _render(self) -> None:
        raise NotImplementedError

    def _took(self, data: bytes) -> None:
        raise NotImplementedError
