"""Rendering styles a prompt can ask for by name ("watercolour", "pixel art", "pencil
sketch", "photo"), applied to the renderer's float RGB canvas (values in 0..1)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFilter

__all__ = ["mono", "photo", "pixelate", "sketch", "watercolor"]

Arr = NDArray[np.float32]
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _u8(img: Arr) -> Image.Image:
    """Float RGB to a Pillow image."""
    return Image.fromarray(np.asarray(np.clip(img * 255.0 + 0.5, 0, 255), dtype=np.uint8))


def _f(img: Image.Image) -> Arr:
    """Pillow image back to float RGB (or grey) in 0..1."""
    return np.asarray(img, dtype=np.float32) * np.float32(1.0 / 255.0)


def _soften(img: Image.Image, cells: float, w: int, h: int) -> Image.Image:
    """A cheap wide blur: box-shrink to about ``cells`` across, bilinear back to ``w`` x ``h``."""
    k = max(1.0, max(w, h) / max(cells, 1.0))
    small = img.resize((max(1, round(w / k)), max(1, round(h / k))), Image.Resampling.BOX)
    return small.resize((w, h), Image.Resampling.BILINEAR)


def watercolor(img: Arr, paper: Arr) -> Arr:
    """Soft washes: flattened, lightened colour with darker pigment pooled at the edges of
    each wash, and a grainy paper (``paper``: noise of about unit variance)."""
    m = max(img.shape[:2])
    hh, ww = img.shape[:2]
    pil = _u8(img)
    wash = _f(_soften(pil, m / 3.0, ww, hh))
    soft = _f(_soften(pil, m / 24.0, ww, hh))
    edge = np.clip(np.abs(wash - soft).sum(axis=-1, keepdims=True) * 2.2, 0, 1)
    out = 1.0 - (1.0 - wash) * 0.78  # thin pigment over white paper
    out = out * (1.0 - 0.35 * edge)
    grain = (1.0 + 0.05 * paper)[..., None]
    return np.asarray(np.clip(out * grain, 0, 1), dtype=np.float32)


def sketch(img: Arr) -> Arr:
    """A graphite drawing: dark lines where the picture has edges, hatched shading, paper."""
    m = max(img.shape[:2])
    lum = img @ _LUMA
    blur = _f(_u8(img).convert("L").filter(ImageFilter.GaussianBlur(m / 80.0)))
    dodge = np.clip(lum / np.maximum(blur, 0.05) * 0.92, 0, 1)  # colour dodge: the outlines
    ys, xs = np.mgrid[0 : img.shape[0], 0 : img.shape[1]].astype(np.float32)
    hatch = (np.sin((xs + ys) * (2 * np.pi / max(3.0, m / 90.0))) > 0.3) & (blur < 0.45)
    out = dodge * (1.0 - 0.25 * hatch)
    paper = np.asarray((0.97, 0.95, 0.9), dtype=np.float32)
    return np.asarray(out[..., None] * paper, dtype=np.float32)


def photo(img: Arr) -> Arr:
    """A photographic grade: gentle S-curve, slightly warm highlights, soft vignette."""
    hh, ww = img.shape[:2]
    v = np.linspace(-1, 1, hh, dtype=np.float32)[:, None]
    u = np.linspace(-1, 1, ww, dtype=np.float32)[None, :]
    vig = 1.0 - 0.18 * (u * u + v * v)
    out = img + (img - img * img) * (img - 0.5) * 0.6
    out = out * np.asarray((1.03, 1.0, 0.96), dtype=np.float32)
    return np.asarray(out * vig[..., None], dtype=np.float32)


def mono(img: Arr) -> Arr:
    """Black and white: every pixel its own luminance."""
    return np.asarray(np.repeat((img @ _LUMA)[..., None], 3, axis=2), dtype=np.float32)


def pixelate(img: Image.Image, width: int, height: int) -> Image.Image:
    """Pixel art: about 64 blocks across the longer side, a 24-colour palette, hard edges."""
    m = max(img.size)
    k = max(1.0, m / 64.0)
    small = img.resize(
        (max(1, round(img.width / k)), max(1, round(img.height / k))), Image.Resampling.BOX
    )
    small = small.quantize(24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return small.convert("RGB").resize((width, height), Image.Resampling.NEAREST)
