"""Youthify: ``/ai/youthify`` makes artworks of a younger portrait; they are polled, read
and called back exactly like text-to-image artworks (``/ai/generating_info``, ``/ai/info``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..kind import Json, Submitted
from .artwork import ArtworkKind

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

YOUTHIFY = "/ai/youthify"
#: The create fields shown as the kind's own DataFrame columns.
PARAMS = ("image_url", "super_size_multiple", "init_width", "init_height")


class YouthifyKind(ArtworkKind):
    """A youthified portrait: an artwork made from a photo rather than a prompt."""

    name: ClassVar[str] = "youthify"
    routes: ClassVar[tuple[str, ...]] = (YOUTHIFY,)

    def check(self, route: str, body: Json) -> Json:
        """The route method checks its own arguments when it builds the body."""
        return body

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One youthify; its reply lists the artworks' keys (as a string or a list)."""
        fields = dict(body)
        made = await api.wujie.tools.youthify(fields.pop("image_url"), **fields)
        return Submitted(made.key_list, made.to_dict())

    async def price(self, api: AsyncClient, route: str, body: Json) -> int:
        """Not priced ahead (its reply says ``expected_integral_cost``)."""
        return 0

    def expected_keys(self, body: Mapping[str, Any]) -> int:
        """One portrait per youthify."""
        return 1

    def record(self, job: Job) -> Json:
        """The artwork row, ``kind`` and the youthify's own parameters."""
        row = super().record(job)
        row.update((name, job.request.get(name)) for name in PARAMS)
        row["kind"] = self.name
        return row
