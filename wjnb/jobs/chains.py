"""Actions that chain kinds: a finished job offers them (``job.actions``, a card's buttons)
and performing one submits a child job of another kind whose ``parent`` is the source.

A chain is declared once with its buttons: Upscale and Describe here (any finished
picture of an artwork, pro artwork or upscale), Animate next to image-to-video.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidArgument, JobError
from .kind import FollowUp

if TYPE_CHECKING:
    from .job import Job

#: Create routes of the chained kinds (their modules import this one).
SUPERSIZE = "/ai/supersize"
SPELL_ANALYSIS = "/ai/spell_analysis/create"
#: Kinds whose finished results are pictures worth upscaling or describing.
PICTURE_KINDS = frozenset({"artwork", "pro", "upscale"})

#: A card button of a chain: its label, its tooltip and the action's arguments.
Button = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class Chain:
    """One chained action: its name, which kinds offer it, the child's create, its buttons."""

    name: str
    #: Kinds (``job.kind``) whose finished, successful jobs with a picture offer it.
    sources: frozenset[str]
    build: Callable[[Job, dict[str, Any]], FollowUp]
    buttons: tuple[Button, ...]

    def offered_by(self, job: Job) -> bool:
        """True when ``job`` can be the source of this chain now."""
        return job.kind in self.sources and job.done and not job.failed and bool(job.picture_url)

    def follow_up(self, job: Job, args: dict[str, Any]) -> FollowUp:
        """The child's create (``JobError`` when the source has no finished picture yet)."""
        if not self.offered_by(job):
            raise JobError(f"job {job.key} has no finished picture to {self.name}; wait() first")
        return self.build(job, args)


CHAINS: dict[str, Chain] = {}


def register(chain: Chain) -> Chain:
    """Declare a chained action (kinds modules do this when imported); returns it."""
    CHAINS[chain.name] = chain
    return chain


def offered(job: Job) -> tuple[Chain, ...]:
    """The chains a job offers now, in declaration order."""
    return tuple(c for c in CHAINS.values() if c.offered_by(job))


def find(job: Job, action: str) -> Chain | None:
    """The chain named ``action`` when ``job``'s kind is one of its sources."""
    chain = CHAINS.get(action)
    return chain if chain is not None and job.kind in chain.sources else None


def _upscale(job: Job, args: dict[str, Any]) -> FollowUp:
    """The supersize create of ``job``'s picture (``multiple``: 1 to 4, default 2)."""
    multiple = args.get("multiple", 2)
    if isinstance(multiple, bool) or not isinstance(multiple, (int, float)):
        raise InvalidArgument("multiple", f"expected 1 to 4, got {multiple!r}")
    if not 1 <= multiple <= 4:
        raise InvalidArgument("multiple", f"expected 1 to 4, got {multiple!r}")
    body = {"url": job.picture_url, "multiple": float(multiple)}
    return FollowUp(SUPERSIZE, body, f"x{multiple:g}")


def _describe(job: Job, args: dict[str, Any]) -> FollowUp:
    """The spell-analysis create that reads tags from ``job``'s picture."""
    return FollowUp(SPELL_ANALYSIS, {"image_url": job.picture_url}, "describe")


UPSCALE = register(
    Chain(
        "upscale",
        PICTURE_KINDS,
        _upscale,
        (
            ("Upscale ×2", "Upscale this picture twice (a new tracked job)", {"multiple": 2}),
            ("Upscale ×4", "Upscale this picture 4 times (a new tracked job)", {"multiple": 4}),
        ),
    )
)
DESCRIBE = register(
    Chain(
        "describe",
        PICTURE_KINDS,
        _describe,
        (("Describe", "Read tags from this picture (a new tracked job)", {}),),
    )
)
