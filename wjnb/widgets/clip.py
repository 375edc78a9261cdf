"""The live card of a job whose result is a clip (video to video, image to video, the
lab's infinite zoom): the poster frame first, then the clip itself playing inline.

Clips are animated WebP (what the sandbox makes): an ``Image`` widget plays them. A clip
in another format (MP4) plays in a ``Video`` widget instead. The static card keeps the
poster frame and a link to the clip, so a saved notebook stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..errors import WjnbError
from .card import JobCard
from .style import background, show

if TYPE_CHECKING:
    from ..surface import JobLike as Job

#: Largest clip (bytes) sent to the browser; larger ones stay a poster and a link.
MAX_CLIP_BYTES = 8 * 1024 * 1024


def is_webp(data: bytes) -> bool:
    """True for a (possibly animated) WebP file."""
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


class ClipCard(JobCard):
    """A ``JobCard`` that plays the job's clip once it is done (poster frame until then)."""

    def __init__(self, job: Job, **options: Any) -> None:
        self._clip: bytes | None = None
        self._clip_wanted = False
        self.video = widgets.Video(format="mp4", autoplay=True, loop=True, controls=True)
        super().__init__(job, **options)
        face = self.trait_values()["children"]
        self.set_trait("children", (*face, self.video))
        show(self.video, False)

    def _clip_url(self) -> str | None:
        return next((m.url for m in self.job.media if m.type == "video" and m.url), None)

    def _took(self, data: bytes) -> None:
        """The poster frame arrived (worker thread): fetch the clip next."""
        super()._took(data)
        if not self._clip_wanted and self._clip_url():
            self._clip_wanted = True
            background(self._load_clip)

    def _load_clip(self) -> None:
        url = self._clip_url()
        try:
            data = self.job.download(url) if url else b""
        except (WjnbError, OSError) as exc:
            self._picture_error = f"clip unavailable: {exc}"
            data = b""
        if 0 < len(data) <= MAX_CLIP_BYTES:
            if is_webp(data):
                self._clip = data
            else:
                self.video.value = data
                show(self.video, True)
        self._render()

    def shown(self) -> bytes | None:
        """The clip while it is loaded (not enlarged), else what a job card shows."""
        if self._clip is not None and not self.enlarge_button.value:
            self.picture.format = "webp"
            return self._clip
        self.picture.format = "jpeg"
        return super().shown()
