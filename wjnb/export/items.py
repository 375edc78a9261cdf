"""What an export takes from each finished job: its row, sweep axes, lineage and picture.

Both exporters read jobs through this module only, so a run in MLflow and a row of a
dataset always describe an artwork the same way. Unfinished jobs are left out (an export
is a snapshot of results); the picture's original bytes come from the image cache.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

from PIL import Image

from ..errors import WjnbError

if TYPE_CHECKING:
    from ..jobs import Job as AnyJob

log = logging.getLogger("wjnb.export")

#: File suffix of each picture format Pillow may report.
_SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif"}


@dataclass(frozen=True)
class Item:
    """One finished artwork or task, ready to export."""

    record: Mapping[str, Any]
    axes: Mapping[str, Any]
    lineage: Mapping[str, str | None]
    picture: bytes | None = field(repr=False)
    suffix: str = ".png"
    thumbnail: bytes | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """The artwork key (or MJ task id)."""
        return str(self.record["key"])

    @property
    def file_name(self) -> str | None:
        """The picture's file name in an export (``<key><suffix>``), None without one."""
        return None if self.picture is None else f"{self.key}{self.suffix}"


def collect(jobs: Iterable[AnyJob]) -> list[Item]:
    """The finished jobs as items, in the set's order (their pictures downloaded if needed)."""
    return [_item(job) for job in jobs if job.done]


def _item(job: AnyJob) -> Item:
    picture = _picture(job)
    parent = getattr(job, "parent", None)
    lineage = {"request_id": job.request_id, "parent_key": parent.key if parent else None}
    return Item(
        record=job.record,
        axes=dict(getattr(job, "axes", None) or {}),
        lineage=lineage,
        picture=picture,
        suffix=_suffix(picture),
        thumbnail=job.thumbnail() if picture is not None else None,
    )


def _picture(job: AnyJob) -> bytes | None:
    """The original bytes of the job's picture from the cache, downloading it first."""
    url = job.picture_url
    if not url or job.failed:
        return None
    try:
        job.image()  # downloads into the cache once, refusing what is not a safe image
    except WjnbError as exc:
        log.warning("picture of %s left out: %s", job.key, exc)
        return None
    data: bytes | None = job.client.runner.images.cached(url)
    return data


def _suffix(picture: bytes | None) -> str:
    """The file suffix matching the picture's format (``.png`` when unknown)."""
    if picture is None:
        return ".png"
    with Image.open(BytesIO(picture)) as img:
        return _SUFFIX.get(img.format or "", ".png")
