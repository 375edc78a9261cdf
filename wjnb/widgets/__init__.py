"""Live Jupyter views of wjnb jobs: cards, galleries, sweep grids and the Studio.

Views observe jobs and never own their state; each also carries a static ``text/html``
fallback (``wjnb.html``) so a saved notebook shows its pictures without live widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .card import JobCard
from .clip import ClipCard
from .gallery import Gallery, gallery_view
from .grid import SweepGrid, grid_view
from .mjcard import MjCard
from .pick import CLIP_KINDS, card_for
from .progress import progress_bar
from .studio import Studio
from .upscale import UpscaleCard

if TYPE_CHECKING:
    from ..surface import JobLike

__all__ = [
    "CLIP_KINDS",
    "ClipCard",
    "Gallery",
    "JobCard",
    "MjCard",
    "Studio",
    "SweepGrid",
    "UpscaleCard",
    "card",
    "card_view",
    "gallery",
    "gallery_view",
    "grid",
    "grid_view",
    "progress_bar",
]


def card_view(job: JobLike) -> JobCard | MjCard:
    """The live card of a job: a Midjourney task's own card, a clip card for kinds that
    make clips, an upscale's before/after card, the job card otherwise."""
    return card_for(job)


# The former names of the builders (kept for one release). They shadow the modules of the
# same name (``wjnb.widgets.card`` is this function, not ``widgets/card.py``): use the
# ``*_view`` names, which do not.
card = card_view
gallery = gallery_view
grid = grid_view
