"""A sweep's labelled contact sheet: live tiles as a widget, a PNG for static use.

Rows are the values of axis ``y``, columns those of axis ``x``; a cell holds every job
made with that pair (several when the sweep also varies seeds). Tiles observe their jobs
and fill in as pictures arrive; ``png()`` renders the same sheet with Pillow.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from PIL import Image

from .. import html, thumbs
from .face import Face
from .style import THUMB, TILE_SIDE, View, box, text

if TYPE_CHECKING:
    from ..surface import JobLike as Job
    from ..surface import MjTaskLike as MjTask


def axis_value(job: Job | MjTask, axis: str) -> Any:
    """The value ``job`` was made with along ``axis`` (its sweep axes, else its request)."""
    axes = getattr(job, "axes", None) or {}
    return axes[axis] if axis in axes else job.request.get(axis)


def axis_values(jobs: Sequence[Job | MjTask], axis: str) -> list[Any]:
    """The values of ``axis``: as the sweep declared them, else as found (sorted if possible)."""
    declared = (getattr(jobs, "axes", None) or {}).get(axis)
    if declared:
        return list(declared)
    found = list(dict.fromkeys(axis_value(j, axis) for j in jobs))
    try:
        return sorted(found)
    except TypeError:
        return found


def cells(
    jobs: Sequence[Job | MjTask], x: str, y: str
) -> tuple[list[Any], list[Any], list[list[list[Job | MjTask]]]]:
    """(x values, y values, jobs per [row][column]); jobs off both axes are left out."""
    xs, ys = axis_values(jobs, x), axis_values(jobs, y)
    table: list[list[list[Job | MjTask]]] = [[[] for _ in xs] for _ in ys]
    for job in jobs:
        xv, yv = axis_value(job, x), axis_value(job, y)
        if xv in xs and yv in ys:
            table[ys.index(yv)][xs.index(xv)].append(job)
    return xs, ys, table


def sheet_image(jobs: Sequence[Job | MjTask], x: str, y: str, *, tile: int = 160) -> Image.Image:
    """The sweep as a labelled picture: cached thumbnails (veiled when flagged), else status."""
    xs, ys, table = cells(jobs, x, y)
    items = [
        [[html.static_thumbnail(j) or html.status(j)[0] for j in cell] for cell in row]
        for row in table
    ]
    return thumbs.contact_sheet_image(
        items, x_values=xs, y_values=ys, x_name=x, y_name=y, title=title(jobs), tile=tile
    )


def title(jobs: Sequence[Job | MjTask]) -> str | None:
    """``experiment · prompt`` of a sweep (what it is a sheet of)."""
    parts = [getattr(jobs, "experiment", None), jobs[0].request.get("prompt") if jobs else None]
    return " · ".join(str(p) for p in parts if p) or None


class Tile(Face, View):
    """One job in a grid cell: its thumbnail (veiled when flagged) once cached, else its
    status and progress."""

    size = THUMB
    area = TILE_SIDE

    def __init__(self, job: Job | MjTask) -> None:
        self.job = job
        self._thumb: bytes | None = None
        super().__init__([self._face("wjnb-tile")])
        self._watch(job.observe(self._changed))
        self._changed(job, construct=True)

    def _render(self) -> None:
        with self._lock:
            self._show_picture(self._thumb)

    def _took(self, data: bytes) -> None:
        self._thumb = html.shareable(self.job, data, THUMB)

    def static_html(self) -> str:
        return html.card_html(self.job)


class SweepGrid(View):
    """A live contact sheet of a sweep along axes ``x`` (columns) and ``y`` (rows)."""

    def __init__(self, jobs: Sequence[Job | MjTask], x: str, y: str) -> None:
        self.jobs, self.x, self.y = jobs, x, y
        self._lock = threading.RLock()
        self._tiles: dict[int, Tile] = {}
        self.heading = text()
        self.table = widgets.GridBox()
        self.table.add_class("wjnb-grid")
        super().__init__([self.heading, self.table])
        observe = getattr(jobs, "observe", None)
        if callable(observe):
            self._watch(observe(lambda _: self.refresh()))
        self.refresh()

    @property
    def tiles(self) -> list[Tile]:
        """Every job's tile."""
        return list(self._tiles.values())

    def refresh(self) -> None:
        """Lay the grid out again for the current members (tiles are kept)."""
        with self._lock:
            xs, ys, table = cells(self.jobs, self.x, self.y)
            self.heading.value = (
                f'<div style="font:600 14px {html.FONT};color:#111827;margin:0 0 10px">'
                f"{html.esc(title(self.jobs) or '')}</div>"
            )
            label = f'style="font:600 13px {html.FONT};color:#374151;text-align:center"'
            axis = f'style="font:12px {html.FONT};color:#6b7280"'
            items: list[widgets.Widget] = [
                text(f"<div {axis}>{html.esc(self.y)} ↓ &nbsp; {html.esc(self.x)} →</div>")
            ]
            items += [text(f"<div {label}>{html.esc(v)}</div>") for v in xs]
            for yv, row in zip(ys, table, strict=True):
                items.append(text(f"<div {label}>{html.esc(yv)}</div>"))
                for cell in row:
                    items.append(box([self._tile(j) for j in cell], "wjnb-cell"))
            old = self.table.children
            self.table.layout.grid_template_columns = f"max-content repeat({len(xs)}, max-content)"
            self.table.children = tuple(items)
            for w in old:  # labels and cell boxes; the tiles in them are kept
                w.close()

    def _tile(self, job: Job | MjTask) -> Tile:
        tile = self._tiles.get(id(job))
        if tile is None:
            tile = self._tiles[id(job)] = Tile(job)
        return tile

    def png(self) -> bytes:
        """The sheet as a PNG, for static use (what ``wjnb.thumbs.contact_sheet`` draws)."""
        return thumbs.png(sheet_image(self.jobs, self.x, self.y))

    def static_html(self) -> str:
        """The sheet as one embedded JPEG, at most ``MAX_THUMB_BYTES`` per picture in it."""
        budget = thumbs.MAX_THUMB_BYTES * max(1, len(self.jobs))
        data = thumbs.thumbnail(sheet_image(self.jobs, self.x, self.y), 4096, max_bytes=budget)
        return (
            f'<img src="{thumbs.data_uri(data)}" alt="{html.esc(self.x)} × {html.esc(self.y)}"'
            ' style="max-width:100%">'
        )


def grid_view(jobs: Sequence[Job], x: str, y: str) -> SweepGrid:
    """A live labelled contact sheet of a sweep (what ``JobSet.grid(x, y)`` returns)."""
    return SweepGrid(jobs, x, y)
