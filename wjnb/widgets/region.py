"""The modal pickers of a finished Midjourney picture (core ipywidgets only): Vary (Region)
— choose a rectangle with two range sliders, see it outlined — and Custom Zoom — choose a
zoom-out factor. Each confirms through the proxy's modal (``task.vary("region", mask=...)``,
``task.zoom(factor)``) and shows, in a saved notebook, the equivalent code."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

import ipywidgets as widgets
from PIL import ImageDraw

from .style import View, act, box, button, text

if TYPE_CHECKING:
    from ..surface import MjTaskLike as MjTask

#: Longest side (px) of the picture shown while choosing.
PREVIEW = 384


class Modal(View):
    """A picker's confirm button and its outcome line; ``_confirm`` submits the child."""

    def __init__(self, task: MjTask, label: str, tip: str, controls: list[widgets.Widget]) -> None:
        self.task = task
        self.go = button(label, tip, kind="primary")
        self.status = text()
        self.child: MjTask | None = None
        self.go.on_click(lambda _: act(self.go, self._confirm, self._done))
        super().__init__([*controls, box([self.go, self.status])], "wjnb-modal")

    def _confirm(self) -> None:
        raise NotImplementedError

    def _done(self, error: str) -> None:
        child = self.child.key if self.child is not None else ""
        self.status.value = html.escape(error or f"submitted: task {child}")

    def call(self) -> str:
        """The code that makes the same child task."""
        raise NotImplementedError


class RegionPicker(Modal):
    """Sliders for the region (fractions of width and height), a preview, and a button."""

    def __init__(self, task: MjTask, region: tuple[float, float, float, float]) -> None:
        picture = task.image().convert("RGB")
        picture.thumbnail((PREVIEW, PREVIEW))
        self._picture = picture
        left, top, right, bottom = region
        self.x = widgets.FloatRangeSlider(value=(left, right), min=0, max=1, step=0.01)
        self.y = widgets.FloatRangeSlider(value=(top, bottom), min=0, max=1, step=0.01)
        self.x.description, self.y.description = "across", "down"
        self.preview = widgets.Image(format="jpeg")
        for slider in (self.x, self.y):
            slider.observe(lambda _: self._draw(), names="value")
        controls = [self.preview, self.x, self.y]
        super().__init__(task, "Vary (Region)", "Redraw the outlined region", controls)
        self._draw()

    @property
    def region(self) -> tuple[float, float, float, float]:
        """``(left, top, right, bottom)`` as fractions of the picture."""
        (left, right), (top, bottom) = self.x.value, self.y.value
        return (float(left), float(top), float(right), float(bottom))

    def outlined(self) -> bytes:
        """The preview (JPEG) with the chosen region outlined."""
        image = self._picture.copy()
        w, h = image.size
        left, top, right, bottom = self.region
        box_px = (left * w, top * h, max(left * w, right * w - 1), max(top * h, bottom * h - 1))
        ImageDraw.Draw(image).rectangle(box_px, outline=(255, 40, 40), width=3)
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=80)
        return buf.getvalue()

    def _draw(self) -> None:
        self.preview.value = self.outlined()

    def _confirm(self) -> None:
        self.child = self.task.vary("region", mask=self.region)

    def call(self) -> str:
        return f'task.vary("region", mask=({", ".join(f"{v:g}" for v in self.region)}))'

    def static_html(self) -> str:
        """The outlined picture and the call that makes the same variation."""
        data = base64.b64encode(self.outlined()).decode()
        return (
            f'<div><img src="data:image/jpeg;base64,{data}"><br>'
            f"<code>{html.escape(self.call())}</code></div>"
        )


class ZoomPicker(Modal):
    """A zoom-out factor (1 to 2 times) and an optional prompt for Custom Zoom's modal."""

    def __init__(self, task: MjTask, factor: float = 1.3) -> None:
        self.factor = widgets.FloatSlider(value=factor, min=1.0, max=2.0, step=0.1)
        self.factor.description = "zoom out"
        self.prompt = widgets.Text(placeholder="prompt (default: the task's own)")
        tip = "Zoom out by the chosen factor"
        super().__init__(task, "Custom Zoom", tip, [self.factor, self.prompt])

    def _confirm(self) -> None:
        prompt = self.prompt.value.strip() or None
        self.child = self.task.zoom(float(self.factor.value), prompt=prompt)

    def call(self) -> str:
        prompt = self.prompt.value.strip()
        return f"task.zoom({self.factor.value:g}" + (f", prompt={prompt!r})" if prompt else ")")

    def static_html(self) -> str:
        """The call that makes the same zoom."""
        return f"<div><code>{html.escape(self.call())}</code></div>"


def region_picker(
    task: MjTask, region: tuple[float, float, float, float] = (0.25, 0.25, 0.75, 0.75)
) -> RegionPicker:
    """A live region chooser for a finished task (its picture must be downloadable)."""
    return RegionPicker(task, region)
