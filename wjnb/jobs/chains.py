"""Actions that chain kinds: a finished picture is upscaled (supersize) or described
(spell analysis) as a tracked child job whose ``parent`` is the picture's job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InvalidArgument, JobError
from .job import Job
from .kind import FollowUp, Kind

if TYPE_CHECKING:
    from ..client import AsyncClient

#: Create routes of the chained kinds (their modules import this one).
SUPERSIZE = "/ai/supersize"
SPELL_ANALYSIS = "/ai/spell_analysis/create"

#: The chained actions a finished picture offers (``act`` names).
CHAINS = ("upscale", "describe")


def picture_actions(job: Job) -> tuple[str, ...]:
    """``upscale`` and ``describe`` once a job has a finished picture."""
    return CHAINS if job.done and job.picture_url and not job.failed else ()


def follow_up(job: Job, action: str, args: dict[str, Any]) -> FollowUp:
    """The child create of a chained action on a finished picture."""
    url = job.picture_url
    if not job.done or not url:
        raise JobError(f"job {job.key} has no finished picture to {action}; wait() first")
    if action == "upscale":
        multiple = args.get("multiple", 2)
        if isinstance(multiple, bool) or not isinstance(multiple, (int, float)):
            raise InvalidArgument("multiple", f"expected 1 to 4, got {multiple!r}")
        if not 1 <= multiple <= 4:
            raise InvalidArgument("multiple", f"expected 1 to 4, got {multiple!r}")
        return FollowUp(SUPERSIZE, {"url": url, "multiple": float(multiple)}, f"x{multiple:g}")
    if action == "describe":
        return FollowUp(SPELL_ANALYSIS, {"image_url": url}, "describe")
    raise InvalidArgument("action", f"no chained action {action!r} (have: {', '.join(CHAINS)})")


class PictureJob(Job):
    """A job whose result is a picture: it can be upscaled and described."""

    def __repr__(self) -> str:
        return "<Job" + super().__repr__().removeprefix(f"<{type(self).__name__}")

    def upscale(self, multiple: float = 2) -> Job:
        """Upscale the finished picture ``multiple`` times (1 to 4); returns the child job."""
        child = self.act("upscale", multiple=multiple)
        assert isinstance(child, Job)
        return child

    def describe(self) -> Job:
        """Read tags from the finished picture (spell analysis); returns the child job."""
        child = self.act("describe")
        assert isinstance(child, Job)
        return child


class PictureKind(Kind):
    """A kind whose finished jobs are pictures: they offer the chained actions."""

    job_class: ClassVar[type[Job]] = PictureJob

    def actions(self, job: Job) -> tuple[str, ...]:
        """``upscale`` and ``describe`` once the picture is there."""
        return picture_actions(job)

    async def act(self, api: AsyncClient, job: Job, action: str, **args: Any) -> object:
        """A chained action's child create."""
        if action in CHAINS:
            return follow_up(job, action, args)
        return await super().act(api, job, action, **args)
