"""Live Jupyter views of wjnb jobs: cards, galleries, sweep grids and the Studio.

Views observe jobs and never own their state; each also carries a static ``text/html``
fallback (``wjnb.html``) so a saved notebook shows its pictures without live widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .card import JobCard
from .gallery import Gallery, gallery
from .grid import SweepGrid, grid
from .mjcard import MjCard
from .studio import Studio

if TYPE_CHECKING:
    from ..jobs import Job, MjTask

__all__ = ["Gallery", "JobCard", "MjCard", "Studio", "SweepGrid", "card", "gallery", "grid"]


def card(job: Job | MjTask) -> JobCard | MjCard:
    """The live card of a Wujie job or a Midjourney task."""
    from ..jobs import MjTask

    return MjCard(job) if isinstance(job, MjTask) else JobCard(job)
