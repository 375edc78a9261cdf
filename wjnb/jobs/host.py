"""The host interface: all a job object needs from whoever runs it.

Jobs never import the runner, the tracker or any view; they call these few methods. The
runner implements them (and a test can implement them with a fake).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from ..surface import ViewLike
    from .job import Job, JobSet

T = TypeVar("T")


class Host(Protocol):
    """What ``Job`` and ``JobSet`` ask of the client that owns them."""

    @property
    def owner(self) -> object:
        """The sync client that owns the jobs (for views that submit more work)."""
        ...

    def call(self, coro: Coroutine[object, None, T]) -> T:
        """Run a coroutine on the client's loop from another thread and return its result."""
        ...

    def ensure_tracking(self) -> None:
        """Make sure polling (and the callback receiver) run."""
        ...

    async def fetch_image(self, url: str) -> bytes:
        """Download an image once into the disk cache."""
        ...

    def thumbnail(self, url: str, size: int, blur: bool) -> bytes | None:
        """A cached image's JPEG thumbnail, or None when the image is not cached yet."""
        ...

    async def act(self, job: Job, action: str, args: dict[str, object]) -> object:
        """Perform one of the job's actions (a chained action returns the child job)."""
        ...

    async def settle(self, jobs: JobSet) -> None:
        """Wait out the set's creates whose outcome is still unknown."""
        ...

    def html_view(self, subject: Job | JobSet) -> str:
        """The static HTML card of a job, or the gallery of a set (``_repr_html_``)."""
        ...

    def progress_view(self, jobs: JobSet) -> Callable[[], None] | None:
        """Show a live progress bar of ``jobs``; returns what closes it (None off a kernel)."""
        ...

    def gallery_view(self, jobs: JobSet) -> ViewLike:
        """A live, paginated gallery of the set's cards."""
        ...

    def grid_view(self, jobs: JobSet, x: str, y: str) -> ViewLike:
        """A labelled contact sheet of the set along axes ``x`` and ``y``."""
        ...
