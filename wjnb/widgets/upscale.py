"""The live card of an upscale: the result, then before/after beneath it — the centre of the
result at its own pixel scale next to the same region of the source — with both sizes.

The strip is made on a worker thread once the result's thumbnail has arrived (the source is
downloaded then); the static card carries the same strip, so a saved notebook shows it too.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from PIL import Image

from .. import html, kindview, thumbs
from ..errors import WjnbError
from .card import JobCard
from .style import box, image, show, text

if TYPE_CHECKING:
    from ..surface import JobLike as Job

#: Side (px) of each half of the before/after strip.
HALF = 112


class UpscaleCard(JobCard):
    """A ``JobCard`` with the upscale's before/after strip and sizes once it is done."""

    def __init__(self, job: Job, **options: Any) -> None:
        self.strip: bytes | None = None
        self.sizes: tuple[tuple[int, int], tuple[int, int]] | None = None
        self.strip_view = image()
        self.strip_label = text()
        super().__init__(job, **options)
        children = list(self.trait_values()["children"])
        strip = box([self.strip_view, self.strip_label], "wjnb-strip", vertical=True)
        children.insert(children.index(self.picture_box) + 1, strip)
        self.set_trait("children", tuple(children))
        self._render()

    @property
    def picture_box(self) -> Any:
        """The box holding the card's picture (the strip goes right under it)."""
        return next(c for c in self.children if self.picture in getattr(c, "children", ()))

    def _took(self, data: bytes) -> None:
        """The result's thumbnail arrived (worker thread): make the strip next, once."""
        super()._took(data)
        if self.strip is None and not html.veiled(self.job):
            self._make_strip()

    def _make_strip(self) -> None:
        source = self.job.record.get("source_url")
        try:
            before = Image.open(io.BytesIO(self.job.download(str(source))))
            after = self.job.image()
            self.sizes = (before.size, after.size)
            self.strip = thumbs.before_after(before, after, HALF)
        except (WjnbError, OSError) as exc:
            self._picture_error = f"before/after unavailable: {exc}"

    def _render(self) -> None:
        super()._render()
        if self.strip is not None and self.sizes is not None:
            self.strip_view.value = self.strip
            self.strip_label.value = html.line_html(
                kindview.sizes_line(*self.sizes) + " · centre at 100%", "#374151"
            )
        show(self.strip_view, self.strip is not None)
        show(self.strip_label, self.strip is not None)

    def static_html(self) -> str:
        """The static card with the before/after strip under its text."""
        extra = ""
        if self.strip is not None and self.sizes is not None:
            extra = kindview.before_after_html(thumbs.data_uri(self.strip), *self.sizes)
        thumb = self._veil if html.veiled(self.job) else self._sharp
        return html.job_html(self.job, thumb, extra=extra)
