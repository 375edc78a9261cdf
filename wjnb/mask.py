"""Masks for Vary (Region): a PIL image, a numpy array or a rectangle -> the PNG data URL
``/submit/modal`` takes as ``maskBase64`` (white = the region to redraw)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from .errors import InvalidArgument

#: A mask as users give it: an image, an array, or ``(left, top, right, bottom)``.
Mask = Any


def rectangle(box: Sequence[float], size: tuple[int, int]) -> Image.Image:
    """A white rectangle on black; fractions (all values within 0-1) or pixels."""
    if len(box) != 4 or not all(isinstance(v, (int, float)) for v in box):
        raise InvalidArgument("mask", f"a rectangle is (left, top, right, bottom), not {box!r}")
    width, height = size
    fractions = all(0 <= v <= 1 for v in box) and any(isinstance(v, float) for v in box)
    scale = (width, height, width, height) if fractions else (1, 1, 1, 1)
    left, top, right, bottom = (round(v * s) for v, s in zip(box, scale, strict=True))
    if not (0 <= left < right <= width and 0 <= top < bottom <= height):
        raise InvalidArgument("mask", f"the rectangle {box!r} is empty or outside {size}")
    image = Image.new("L", size, 0)
    image.paste(255, (left, top, right, bottom))
    return image


def mask_image(mask: Mask, size: tuple[int, int]) -> Image.Image:
    """Any accepted mask as a black-and-white image of ``size`` (resized when needed)."""
    if isinstance(mask, Image.Image):
        image = mask.convert("L")
    elif isinstance(mask, np.ndarray):
        if mask.ndim != 2 or mask.size == 0:
            raise InvalidArgument("mask", f"a mask array is 2-D, not of shape {mask.shape}")
        values = mask.astype(float)
        peak = values.max() if values.max() > 1 else 1.0
        image = Image.fromarray((values / peak * 255).clip(0, 255).astype(np.uint8), "L")
    elif isinstance(mask, (tuple, list)):
        return rectangle(mask, size)
    else:
        raise InvalidArgument("mask", f"a PIL image, numpy array or rectangle, not {mask!r}")
    image = image.resize(size, Image.Resampling.NEAREST) if image.size != size else image
    black_white = image.point(lambda v: 255 if v >= 128 else 0)
    if black_white.getextrema()[1] == 0:
        raise InvalidArgument("mask", "the mask selects nothing (no white pixels)")
    return black_white


def data_url(mask: Mask, size: tuple[int, int]) -> str:
    """The mask as a PNG data URL (what ``maskBase64`` carries)."""
    buf = io.BytesIO()
    mask_image(mask, size).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
