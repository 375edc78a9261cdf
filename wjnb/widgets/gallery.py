"""A paginated live gallery of job cards.

Only the visible page has cards, so only its thumbnails ever reach the browser and a set
of thousands of jobs opens as fast as a set of twelve. A ``JobSet`` is observed for new
members (a sweep grows while it submits); a plain list is re-read on ``refresh()``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import html
from .card import JobCard, PromptCallback, ReuseCallback
from .mjcard import MjCard
from .pick import card_for
from .style import View, box, button, text

if TYPE_CHECKING:
    from ..surface import JobLike as Job
    from ..surface import MjTaskLike as MjTask


class Gallery(View):
    """Cards of ``jobs``, ``page_size`` at a time, with previous/next buttons."""

    def __init__(
        self,
        jobs: Sequence[Job | MjTask],
        *,
        page_size: int = 12,
        on_reuse: ReuseCallback | None = None,
        on_prompt: PromptCallback | None = None,
    ) -> None:
        self.jobs = jobs
        self.page_size = page_size
        self.page = 0
        self._on_reuse = on_reuse
        self._on_prompt = on_prompt
        self._lock = threading.RLock()
        self._cards: dict[int, JobCard | MjCard] = {}  # id(job) -> card, visible page only

        self.title = text()
        self.prev_button = button("‹ Prev", "Previous page")
        self.next_button = button("Next ›", "Next page")
        self.page_label = text()
        self.prev_button.on_click(lambda _: self.show_page(self.page - 1))
        self.next_button.on_click(lambda _: self.show_page(self.page + 1))
        self.cards_box = box([], "wjnb-wrap")
        pager = box([self.title, self.prev_button, self.page_label, self.next_button], "wjnb-pager")
        super().__init__([pager, self.cards_box], "wjnb-gallery")
        observe = getattr(jobs, "observe", None)
        if callable(observe):
            self._watch(observe(lambda _: self.refresh()))
        self.refresh()

    @property
    def cards(self) -> list[JobCard | MjCard]:
        """The cards on the visible page, in order."""
        return list(self.cards_box.children)

    @property
    def pages(self) -> int:
        """How many pages the jobs fill (at least one)."""
        return max(1, math.ceil(len(self.jobs) / self.page_size))

    def show_page(self, page: int) -> None:
        """Go to ``page`` (0-based, clamped)."""
        self.page = page
        self.refresh()

    def refresh(self) -> None:
        """Re-read the jobs: keep the cards still visible, make the new ones, close the rest."""
        with self._lock:
            self.page = min(max(0, self.page), self.pages - 1)
            start = self.page * self.page_size
            visible = list(self.jobs[start : start + self.page_size])
            old = self._cards
            self._cards = {
                id(job): old.pop(id(job)) if id(job) in old else self._card(job) for job in visible
            }
            self.cards_box.children = tuple(self._cards.values())
            for card in old.values():
                card.close()
            total = len(self.jobs)
            name = getattr(self.jobs, "experiment", None)
            self.title.value = (
                f'<span style="font:600 13px {html.FONT};color:#111827">'
                + (f"{html.esc(name)} · " if name else "")
                + f"{html.plural(total, 'job')}</span>"
            )
            end = start + len(visible)
            self.page_label.value = (
                f'<span style="font:12px {html.FONT};color:#6b7280">'
                f"{start + 1 if visible else 0}–{end} of {total:,}</span>"
            )
            self.prev_button.disabled = self.page == 0
            self.next_button.disabled = self.page >= self.pages - 1

    def _card(self, job: Job) -> JobCard | MjCard:
        return card_for(job, on_reuse=self._on_reuse, on_prompt=self._on_prompt)

    def static_html(self) -> str:
        """The visible page as static cards, with the pictures the cards hold."""
        return html.jobset_html(self.jobs, cards=[c.static_html() for c in self.cards])


def gallery_view(jobs: Sequence[Job], *, page_size: int = 12) -> Gallery:
    """A live gallery of ``jobs`` (what ``JobSet.gallery()`` returns)."""
    return Gallery(jobs, page_size=page_size)
