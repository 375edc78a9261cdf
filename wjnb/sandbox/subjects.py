"""Subject glyphs for the sandbox renderer: Noto Color Emoji bitmaps, loaded once and
recoloured on demand.

The font comes from Debian's ``fonts-noto-color-emoji`` (``scripts/ensure-emoji-font``,
``binder/apt.txt``); ``WJNB_EMOJI_FONT`` may name another copy (set but empty: none).
Without it ``glyph`` returns None and the renderer falls back to its procedural silhouettes
(a degraded, still deterministic picture).
"""

from __future__ import annotations

import colorsys
import functools
import os
import threading
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

__all__ = ["FONT_PATHS", "font_path", "glyph", "main_hue", "recolour"]

Arr = NDArray[np.float32]

#: Where the Noto colour emoji font is looked for, after ``$WJNB_EMOJI_FONT``.
FONT_PATHS: Final = (
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/google-noto-emoji/NotoColorEmoji.ttf",
)
_SIZE: Final = 109  # the CBDT font's only bitmap size: Pillow refuses any other
_ZWJ: Final = "\u200d"
_FREETYPE: Final = threading.Lock()  # one FreeType face is not safe to use from two threads


def font_path() -> str | None:
    """Path of the emoji font in use, or None when none is installed."""
    env = os.environ.get("WJNB_EMOJI_FONT")
    for path in (env,) if env is not None else FONT_PATHS:  # set (even empty): only that one
        if path and Path(path).is_file():
            return path
    return None


@functools.lru_cache(maxsize=4)
def _font(path: str) -> ImageFont.FreeTypeFont | None:
    """The font at ``path`` at its bitmap size, or None when Pillow cannot load it."""
    try:
        return ImageFont.truetype(path, _SIZE)
    except OSError:
        return None


def _draw(font: ImageFont.FreeTypeFont, text: str) -> Image.Image | None:
    """``text`` drawn in colour and cropped to its ink, or None when nothing was drawn."""
    canvas = Image.new("RGBA", (3 * _SIZE, 2 * _SIZE), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((8, 8), text, font=font, embedded_color=True)
    box = canvas.getbbox()
    return canvas.crop(box) if box else None


@functools.lru_cache(maxsize=512)
def _glyph(text: str, path: str) -> Image.Image | None:
    """Cached bitmap of one emoji from the font at ``path``."""
    with _FREETYPE:
        font = _font(path)
        if font is None:
            return None
        img = _draw(font, text)
        # a ZWJ sequence that did not shape into one glyph (no raqm): draw its first part
        if img is not None and _ZWJ in text and img.width > 1.4 * img.height:
            img = _draw(font, text.split(_ZWJ)[0])
        return img


def glyph(text: str, colour: tuple[float, float, float] | None = None) -> Image.Image | None:
    """RGBA bitmap (about 128 px) of the emoji ``text``, painted ``colour`` if given (see
    ``recolour``), or None without the emoji font."""
    path = font_path()
    if path is None:
        return None
    return _coloured(text, path, colour)


@functools.lru_cache(maxsize=256)
def _coloured(
    text: str, path: str, colour: tuple[float, float, float] | None
) -> Image.Image | None:
    """Cached recoloured glyph."""
    img = _glyph(text, path)
    return img if img is None or colour is None else recolour(img, colour)


def _hsv(rgb: Arr) -> tuple[Arr, Arr, Arr]:
    """Vectorised RGB (0..1) to hue (0..1), saturation and value."""
    mx, mn = rgb.max(axis=-1), rgb.min(axis=-1)
    d = mx - mn
    s = np.where(mx > 0, d / np.maximum(mx, 1e-6), 0.0)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    dd = np.maximum(d, 1e-6)
    h = np.where(
        mx == r, (g - b) / dd % 6.0, np.where(mx == g, (b - r) / dd + 2.0, (r - g) / dd + 4.0)
    )
    return np.asarray(h / 6.0, np.float32), np.asarray(s, np.float32), np.asarray(mx, np.float32)


def _rgb(h: Arr, s: Arr, v: Arr) -> Arr:
    """Vectorised hue/saturation/value back to RGB."""
    i = np.floor(h * 6.0) % 6
    f = h * 6.0 - np.floor(h * 6.0)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = np.zeros((*h.shape, 3), dtype=np.float32)
    for k, (a, b, c) in enumerate(choices):
        m = i == k
        out[m] = np.stack([a[m], b[m], c[m]], axis=-1)
    return out


def main_hue(img: Image.Image) -> float | None:
    """The hue (degrees) of the glyph's largest coloured region, or None for a grey glyph."""
    a = np.asarray(img, dtype=np.float32) / 255.0
    h, s, v = _hsv(a[..., :3])
    w = s * v * a[..., 3] * (s > 0.25)
    if float(w.sum()) < 0.04 * w.size:
        return None
    hist = np.bincount(np.minimum((h * 36).astype(np.int64), 35).ravel(), w.ravel(), 36)
    smooth = hist + np.roll(hist, 1) + np.roll(hist, -1)
    return float(np.argmax(smooth) * 10 + 5)


def recolour(img: Image.Image, colour: tuple[float, float, float]) -> Image.Image:
    """``img`` with its main coloured region (or, for a grey glyph, its body) painted
    ``colour``, keeping the glyph's shading, outlines and small details."""
    a = np.asarray(img, dtype=np.float32) / 255.0
    h, s, v = _hsv(a[..., :3])
    alpha = a[..., 3]
    th, ts, tv = colorsys.rgb_to_hsv(*colour)
    hue0 = main_hue(img)
    if hue0 is None:
        body = (alpha > 0.5) & (v > 0.18)
    else:
        dist = np.abs((h * 360.0 - hue0 + 180.0) % 360.0 - 180.0)
        body = (alpha > 0.5) & (dist < 40.0) & (s > 0.2)
    if not body.any():
        return img
    mean_v = float(v[body].mean())
    nv = np.clip(v * (tv / max(mean_v, 1e-3)) ** 0.85, 0.0, 1.0) if tv > 0.2 else v * 0.25 + 0.04
    ns = np.full_like(s, ts) if ts > 0.15 else s * 0.1
    new = _rgb(np.full_like(h, th), ns.astype(np.float32), np.asarray(nv, np.float32))
    out = a.copy()
    out[..., :3] = np.where(body[..., None], new, a[..., :3])
    return Image.fromarray(np.asarray(np.clip(out * 255.0 + 0.5, 0, 255), np.uint8), "RGBA")
