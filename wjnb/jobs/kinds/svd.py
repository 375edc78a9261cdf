"""Image to video (SVD): ``/ai/pro/svd/create``, read one key at a time with
``/ai/pro/svd/info``, pushed to ``notify_url``; and the Animate chain that makes one from
any finished picture."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ...models import Model
from ...models_more import SvdInfo, VideoStatus
from .. import chains
from ..kind import FollowUp, Json, Media, Submitted
from ._media import KeyedKind, media_record
from .rows import one_key

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

SVD_CREATE = "/ai/pro/svd/create"

#: The create fields shown as the kind's own DataFrame columns.
PARAMS = ("init_image_url", "duration", "camera_move_type", "motion_amplitude", "noise_intensity")


class SvdKind(KeyedKind[SvdInfo], statuses=VideoStatus):
    """An image-to-video job: a short clip (animated WebP in the sandbox) from one picture."""

    wire_type = SvdInfo
    name: ClassVar[str] = "svd"
    silent: ClassVar[bool] = True
    routes: ClassVar[tuple[str, ...]] = (SVD_CREATE,)
    measured_in: ClassVar[str | None] = "integral"

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One create; its reply names the job's key."""
        return await one_key(api.wujie.video.svd_create, body, "init_image_url")

    async def fetch(self, api: AsyncClient, key: str) -> Model:
        """``/ai/pro/svd/info``."""
        return await api.wujie.video.svd_info(key)

    def made(self, view: SvdInfo) -> tuple[Media, ...]:
        """The clip, which is also its own poster."""
        url = view.video_url
        return (Media("video", url), Media("image", url)) if url else ()

    def record(self, job: Job) -> Json:
        """The row: status, clip URL and the create's parameters."""
        reading = job.final or job.latest
        wire = reading.wire if reading else None
        params = {name: job.request.get(name) for name in PARAMS}
        seed = wire.random_seed if isinstance(wire, SvdInfo) else None
        return media_record(
            job,
            wire.status if isinstance(wire, SvdInfo) else None,
            params,
            seed=seed or _text(job.request.get("random_seed")),
            video_url=next((m.url for m in job.media if m.type == "video"), None),
        )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _animate(job: Job, args: dict[str, Any]) -> FollowUp:
    """The SVD create that animates ``job``'s picture (``args``: the create's fields)."""
    body = {"duration": 4, **args, "init_image_url": job.picture_url}
    return FollowUp(SVD_CREATE, body, "ANIMATE")


ANIMATE = chains.register(
    chains.Chain(
        "animate",
        frozenset({"artwork", "youthify", "camera"}),
        _animate,
        (("Animate", "Make a short clip from this picture (image to video)", {}),),
    )
)
