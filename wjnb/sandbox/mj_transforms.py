"""Zoom out, pan and Vary (Region) as real image operations on a parent picture.

Each result is a 2x2 grid of four candidates, as Midjourney returns them: a candidate keeps
the parent's pixels where the operation keeps them (the centre after a zoom out, the shifted
part after a pan, everything outside the mask after Vary (Region)) and fills the rest with
new, seed-dependent content derived from the parent.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable

from PIL import Image, ImageChops, ImageFilter, ImageOps

PAN_SHARE = 1 / 3
"""The share of the picture a pan brings into view."""

DIRECTIONS = ("left", "right", "up", "down")


def _fill(source: Image.Image, seed: int) -> Image.Image:
    """New content in the parent's palette: a mirrored, blurred, tinted copy (per seed)."""
    rng = random.Random(seed)
    base = ImageOps.mirror(source) if rng.random() < 0.5 else ImageOps.flip(source)
    base = base.filter(ImageFilter.GaussianBlur(radius=max(2, source.width // 24)))
    tint = Image.new("RGB", source.size, tuple(rng.randrange(40, 216) for _ in range(3)))
    return Image.blend(base, tint, 0.35)


def zoom_out(source: Image.Image, factor: float, seed: int) -> Image.Image:
    """The parent shrunk by ``factor`` (1-2) in the middle of new surrounding content."""
    factor = min(max(factor, 1.0), 2.0)
    canvas = _fill(source, seed)
    w, h = max(1, round(source.width / factor)), max(1, round(source.height / factor))
    small = source.resize((w, h), Image.Resampling.LANCZOS)
    canvas.paste(small, ((source.width - w) // 2, (source.height - h) // 2))
    return canvas


def pan(source: Image.Image, direction: str, seed: int) -> Image.Image:
    """The view moved ``direction``: the parent slides the other way, new content enters."""
    if direction not in DIRECTIONS:
        raise ValueError(f"cannot pan {direction!r}")
    canvas = _fill(source, seed)
    dx = round(source.width * PAN_SHARE) if direction in ("left", "right") else 0
    dy = round(source.height * PAN_SHARE) if direction in ("up", "down") else 0
    shift = {"left": (dx, 0), "right": (-dx, 0), "up": (0, dy), "down": (0, -dy)}[direction]
    canvas.paste(source, shift)
    return canvas


def region(source: Image.Image, mask: bytes, seed: int) -> Image.Image:
    """The parent with the mask's white area redrawn (black background kept as it was)."""
    with Image.open(io.BytesIO(mask)) as img:
        alpha = img.convert("L").resize(source.size, Image.Resampling.NEAREST)
    alpha = alpha.point(lambda v: 255 if v >= 128 else 0)
    redrawn = ImageChops.invert(_fill(source, seed))
    return Image.composite(redrawn, source, alpha)


def four(
    source: Image.Image, draw: Callable[..., Image.Image], seed: int, *args: object
) -> Image.Image:
    """A 2x2 grid of ``draw(cell, *args, seed + i)`` over the parent scaled to one cell."""
    w, h = source.width // 2, source.height // 2
    cell = source.resize((w, h), Image.Resampling.LANCZOS)
    grid = Image.new("RGB", (w * 2, h * 2))
    for i in range(4):
        grid.paste(draw(cell, *args, seed + i), ((i % 2) * w, (i // 2) * h))
    return grid


KINDS = ("zoom", "pan", "region")


def transformed(
    kind: str, source: Image.Image, argument: str, mask: bytes, seed: int
) -> Image.Image:
    """The grid for ``kind``: ``argument`` is the zoom factor or the pan direction."""
    if kind == "zoom":
        return four(source, zoom_out, seed, float(argument))
    if kind == "pan":
        return four(source, pan, seed, argument)
    if kind == "region":
        return four(source, region, seed, mask)
    raise ValueError(f"unknown transform {kind!r}")
