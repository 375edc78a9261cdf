"""Live Jupyter views of wjnb jobs: cards, galleries, sweep grids and the Studio.

Views observe jobs and never own their state; each also carries a static ``text/html``
fallback (``wjnb.html``) so a saved notebook shows its pictures without live widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .card import JobCard
from .clip import ClipCard
from .gallery import Gallery, gallery_view
from .grid import SweepGrid, grid_view
from .mjcard import MjCard
from .progress import progress_bar
from .studio import Studio

if TYPE_CHECKING:
    from ..surface import JobLike, MjTaskLike

__all__ = [
    "ClipCard",
    "Gallery",
    "JobCard",
    "MjCard",
    "Studio",
    "SweepGrid",
    "card",
    "card_view",
    "gallery",
    "gallery_view",
    "grid",
    "grid_view",
    "progress_bar",
]


#: Kinds whose result may be a clip (their cards play it inline).
CLIP_KINDS = frozenset({"video", "svd", "lab"})


def card_view(job: JobLike) -> JobCard | MjCard:
    """The live card of a job: a Midjourney task's own card, a clip card for kinds that
    make clips, the job card otherwise."""
    if job.kind == "mj":
        return MjCard(cast("MjTaskLike", job))
    return ClipCard(job) if job.kind in CLIP_KINDS else JobCard(job)


# The former names of the builders (kept for one release). They shadow the modules of the
# same name (``wjnb.widgets.card`` is this function, not ``widgets/card.py``): use the
# ``*_view`` names, which do not.
card = card_view
gallery = gallery_view
grid = grid_view
