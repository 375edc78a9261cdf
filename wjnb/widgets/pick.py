"""Which live card a job gets, by its kind: a Midjourney task's own card, a clip card for
kinds that make clips, the before/after card of an upscale, the job card otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .card import JobCard
from .clip import ClipCard
from .mjcard import MjCard
from .upscale import UpscaleCard

if TYPE_CHECKING:
    from ..surface import JobLike, MjTaskLike

#: Kinds whose result may be a clip (their cards play it inline).
CLIP_KINDS = frozenset({"video", "svd", "lab"})


def card_for(job: JobLike, **options: Any) -> JobCard | MjCard:
    """The live card of ``job``; ``options`` (``on_reuse``, ``on_prompt``) go to job cards."""
    if job.kind == "mj":
        return MjCard(cast("MjTaskLike", job))
    if job.kind in CLIP_KINDS:
        return ClipCard(job, **options)
    if job.kind == "upscale":
        return UpscaleCard(job, **options)
    return JobCard(job, **options)
