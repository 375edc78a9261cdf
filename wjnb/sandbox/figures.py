"""Pasting subject glyphs into the renderer's float canvas: scaled, shaded for the scene's
light, mirrored on demand, with a soft contact shadow."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["paste", "shadow"]

Arr = NDArray[np.float32]


def _box(img: Arr, x0: int, y0: int, w: int, h: int) -> tuple[slice, slice, slice, slice] | None:
    """Destination and source slices of a ``w`` x ``h`` patch at (x0, y0), clipped to ``img``."""
    hh, ww = img.shape[:2]
    dx0, dy0, dx1, dy1 = max(0, x0), max(0, y0), min(ww, x0 + w), min(hh, y0 + h)
    if dx1 <= dx0 or dy1 <= dy0:
        return None
    return (
        slice(dy0, dy1),
        slice(dx0, dx1),
        slice(dy0 - y0, dy1 - y0),
        slice(dx0 - x0, dx1 - x0),
    )


def paste(
    img: Arr,
    glyph: Image.Image,
    cx: float,
    foot: float,
    height: float,
    shade: tuple[float, float, float],
    flip: bool = False,
) -> None:
    """Blend ``glyph`` into ``img`` (float RGB, in place): centred on ``cx``, its bottom at
    ``foot``, ``height`` pixels tall, its colours multiplied by ``shade``."""
    h = max(2, round(height))
    w = max(2, round(glyph.width * h / glyph.height))
    g = glyph.resize((w, h), Image.Resampling.BILINEAR, reducing_gap=2.0)
    if flip:
        g = g.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    box = _box(img, round(cx - w / 2), round(foot - h), w, h)
    if box is None:
        return
    dy, dx, sy, sx = box
    a = np.asarray(g, dtype=np.float32)[sy, sx] * np.float32(1.0 / 255.0)
    rgb = a[..., :3] * np.asarray(shade, dtype=np.float32)
    alpha = a[..., 3:4]
    img[dy, dx] = img[dy, dx] + (rgb - img[dy, dx]) * alpha


def shadow(img: Arr, cx: float, foot: float, width: float, strength: float) -> None:
    """Darken a soft ellipse of ``width`` pixels under a standing subject (in place)."""
    rx, ry = max(1.0, width * 0.55), max(1.0, width * 0.09)
    box = _box(img, round(cx - rx), round(foot - ry), round(2 * rx) + 1, round(2 * ry) + 1)
    if box is None:
        return
    dy, dx, _, _ = box
    ys = np.arange(dy.start, dy.stop, dtype=np.float32)[:, None]
    xs = np.arange(dx.start, dx.stop, dtype=np.float32)[None, :]
    d = ((xs - cx) / rx) ** 2 + ((ys - foot) / ry) ** 2
    a = np.clip(1.0 - d, 0.0, 1.0) ** 1.5 * np.float32(strength)
    img[dy, dx] = img[dy, dx] * (1.0 - a[..., None])
