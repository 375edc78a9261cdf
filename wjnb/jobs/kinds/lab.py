"""The AI lab: segment anything, infinite zoom and vectorise (``/ai/pro/lab/create…``),
read one job at a time with ``/ai/pro/lab/info`` by (key, ``aiType``), pushed to
``notifyUrl``. Results: a PNG mask, a zoom clip, or an SVG with a PNG preview."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...models import Model
from ...models_more import LabAiType, LabInfo, LabStatus
from ..kind import Json, Media, Reading, Submitted
from ._media import KeyedKind, media_record
from .rows import wire_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

LAB_SEGMENT = "/ai/pro/lab/create/segmentation"
LAB_ZOOM = "/ai/pro/lab/createInfiniteZoom"
LAB_VECTOR = "/ai/pro/lab/createVectorsStudio"

#: Each create route's ``aiType`` and the short tool name shown in rows and cards.
TOOLS = {
    LAB_SEGMENT: (LabAiType.AI_LAB_SEGMENTATION, "segment"),
    LAB_ZOOM: (LabAiType.AI_LAB_INFINITE_ZOOM, "infinite zoom"),
    LAB_VECTOR: (LabAiType.VECTOR, "vectorize"),
}
_TOOL_NAMES = {ai_type.value: tool for ai_type, tool in TOOLS.values()}

#: The create fields shown as the kind's own DataFrame columns.
PARAMS = ("image_url", "init_image_url", "init_image", "quantize", "video_second", "prompt")


class LabKind(KeyedKind[LabInfo], statuses=LabStatus):
    """One lab job, whichever tool made it (``tool`` and ``ai_type`` in its row)."""

    wire_type = LabInfo
    name: ClassVar[str] = "lab"
    routes: ClassVar[tuple[str, ...]] = tuple(TOOLS)
    measured_in: ClassVar[str | None] = "integral"

    def __init__(self) -> None:
        #: Each job's ``aiType`` (its read needs it): from the create, or its stored row.
        self._types: dict[str, str] = {}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """One create with the lab method's own arguments (snake_case)."""
        lab = api.wujie.lab
        fields = dict(body)
        if route == LAB_SEGMENT:
            made = await lab.segment(fields.pop("image_url"), **fields)
        elif route == LAB_ZOOM:
            made = await lab.infinite_zoom(fields.pop("init_image_url"), **fields)
        else:
            made = await lab.vectorize(fields.pop("init_image"), **fields)
        key = str(made.key)
        self._types[key] = made.ai_type or TOOLS[route][0].value
        return Submitted([key], made.to_dict())

    async def fetch(self, api: AsyncClient, key: str) -> Model:
        """``/ai/pro/lab/info`` with the job's ``aiType``."""
        return await api.wujie.lab.info(key, self._types[key])

    def read(self, key: str, wire: object) -> Reading:
        """A lab view; its ``aiType`` is kept (the next read of the job needs it)."""
        view = wire_of(LabInfo, wire, "a lab")
        if view.ai_type:
            self._types[key] = view.ai_type
        return super().read(key, view)

    def made(self, view: LabInfo) -> tuple[Media, ...]:
        """The mask, the zoom clip, or the SVG and its preview."""
        return _media(view)

    def progress(self, view: LabInfo) -> dict[str, float | None]:
        """The view's percentage."""
        return {"progress": view.complete_percent}

    def callback(self, body: Json) -> Reading | None:
        """A callback posts the info view, keyed by ``serviceKey``."""
        wire = LabInfo.from_dict(body)
        return self.read(wire.service_key, wire) if wire.service_key else None

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The job's ``aiType`` from its row; a finished job's stored view."""
        if isinstance(record.get("ai_type"), str):
            self._types[key] = record["ai_type"]
        return super().restore(key, record, raw)

    def record(self, job: Job) -> Json:
        """The row: the tool, its parameters and the result files."""
        ai_type = self._types.get(job.key)
        return media_record(
            job,
            None,
            {name: job.request[name] for name in PARAMS if name in job.request},
            ai_type=ai_type,
            tool=_TOOL_NAMES.get(ai_type or ""),
            result_urls=" ".join(m.url for m in job.media if m.url) or None,
        )


def _media(info: LabInfo) -> tuple[Media, ...]:
    """What a finished lab job made, the picture to show first."""
    zoom = info.infinite_zoom_info or {}
    if isinstance(zoom.get("videoUrl"), str) and zoom["videoUrl"]:
        return (Media("video", zoom["videoUrl"]), Media("image", zoom["videoUrl"]))
    out: list[Media] = []
    for url in info.result_urls:
        is_svg = url.lower().split("?")[0].endswith(".svg")
        out.append(Media("svg" if is_svg else "image", url))
    return tuple(sorted(out, key=lambda m: m.type != "image"))
