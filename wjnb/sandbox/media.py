"""Results derived from a source picture: upscales, youthified portraits, tags, clips, masks
and vector art.

Pure functions of their inputs (numpy + Pillow), safe in worker threads, deterministic:
the same picture and parameters give the same bytes.
"""

from __future__ import annotations

import colorsys
import io

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

MAX_UPSCALE_SIDE = 4096
CLIP_SIDE = 320
CLIP_FPS = 8
MAX_CLIP_FRAMES = 32
VECTOR_GRID = 48
VECTOR_COLOURS = 8

_HUES = (
    (15, "red"),
    (45, "orange"),
    (70, "yellow"),
    (160, "green"),
    (200, "cyan"),
    (260, "blue"),
    (300, "purple"),
    (345, "pink"),
    (360, "red"),
)


def upscale(img: Image.Image, multiple: float) -> Image.Image:
    """``img`` ``multiple`` times larger (at most 4096 px a side), Lanczos then sharpened."""
    scale = min(multiple, MAX_UPSCALE_SIDE / max(img.width, img.height))
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    big = img.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    return big.filter(ImageFilter.UnsharpMask(radius=2, percent=160, threshold=1))


def smooth(img: Image.Image) -> Image.Image:
    """Flattened texture before an anime-style upscale."""
    return img.filter(ImageFilter.SMOOTH_MORE)


def youthify(img: Image.Image, width: int, height: int) -> Image.Image:
    """A younger-looking ``img`` at ``width``×``height``: skin softened where there are no
    edges, a little brighter and warmer."""
    base = ImageOps.fit(img.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    radius = max(1.0, max(width, height) / 200)
    soft = base.filter(ImageFilter.GaussianBlur(radius))
    edges = base.convert("L").filter(ImageFilter.FIND_EDGES).filter(ImageFilter.GaussianBlur(1))
    smoothed = Image.composite(base, soft, edges.point(lambda v: min(255, v * 6)))
    r, g, b = ImageEnhance.Brightness(smoothed).enhance(1.08).split()
    warm_r = r.point(lambda v: min(255, round(v * 1.05 + 4)))
    return Image.merge("RGB", (warm_r, g, b.point(lambda v: round(v * 0.94))))


def small(img: Image.Image, side: int = 256) -> Image.Image:
    """A copy at most ``side`` pixels a side (analysis needs no more)."""
    out = img.copy()
    out.thumbnail((side, side))
    return out


def sharpness(img: Image.Image) -> float:
    """Mean absolute Laplacian of the grey image: higher is sharper."""
    grey = np.asarray(img.convert("L"), dtype=np.float32)
    lap = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    return float(np.abs(lap).mean())


def _hue_name(hue_degrees: float) -> str:
    return next(name for limit, name in _HUES if hue_degrees <= limit)


def tags(img: Image.Image) -> list[str]:
    """Tags read from the picture: main colours, light, saturation, detail and shape."""
    small = np.asarray(img.convert("RGB").resize((64, 64)), dtype=np.float32) / 255
    hsv = np.asarray(img.convert("RGB").resize((64, 64)).convert("HSV"), dtype=np.float32) / 255
    value, sat = float(hsv[..., 2].mean()), float(hsv[..., 1].mean())
    colourful = hsv[..., 1] > 0.25
    hues = (hsv[..., 0][colourful] * 360).astype(int)
    found: list[str] = []
    if hues.size:
        counts = np.bincount(hues // 30, minlength=12)
        for bucket in np.argsort(counts)[::-1][:2]:
            if counts[bucket] > hues.size * 0.15:
                name = _hue_name(bucket * 30 + 15)
                if name not in found:
                    found.append(name)
    else:
        found.append("monochrome")
    found.append("bright" if value > 0.62 else "dark" if value < 0.32 else "mid-tone")
    found.append("vivid" if sat > 0.45 else "muted" if sat < 0.2 else "natural colours")
    top, bottom = small[:21].mean(axis=(0, 1)), small[43:].mean(axis=(0, 1))
    if top[2] > top[0] + 0.08:
        found.append("sky")
    if float(top.mean()) > float(bottom.mean()) + 0.1:
        found.append("horizon")
    found.append("detailed" if sharpness(img.resize((256, 256))) > 12 else "soft")
    ratio = img.width / img.height
    found.append("landscape" if ratio > 1.15 else "portrait" if ratio < 0.87 else "square")
    r, g, b = (float(c) for c in small.reshape(-1, 3).mean(axis=0))
    found.append("warm" if colorsys.rgb_to_hsv(r, g, b)[0] < 0.17 or r > b + 0.05 else "cool")
    return found


def clip_frames(
    img: Image.Image, seconds: float, move: str = "MOVE_ZOOMIN", amplitude: float = 1.0
) -> list[Image.Image]:
    """Frames of a short camera move over ``img`` (``CLIP_FPS`` a second, at most 32)."""
    base = img.convert("RGB")
    base.thumbnail((CLIP_SIDE * 2, CLIP_SIDE * 2))
    count = max(2, min(MAX_CLIP_FRAMES, round(seconds * CLIP_FPS)))
    w, h = base.size
    out_w, out_h = (
        (CLIP_SIDE, round(CLIP_SIDE * h / w)) if w >= h else (round(CLIP_SIDE * w / h), CLIP_SIDE)
    )
    reach = 0.12 * max(0.2, min(amplitude, 3.0))
    frames = []
    for i in range(count):
        t = i / (count - 1)
        zoom = 1 + reach * (t if move != "MOVE_ZOOMOUT" else 1 - t)
        if move in ("MOVE_ZOOMIN", "MOVE_ZOOMOUT", "DEFAULT"):
            cw, ch = w / zoom, h / zoom
            x0, y0 = (w - cw) / 2, (h - ch) / 2
        else:
            cw, ch = w / (1 + reach), h / (1 + reach)
            dx, dy = {
                "MOVE_LEFT": (1 - t, 0.5),
                "MOVE_RIGHT": (t, 0.5),
                "MOVE_UP": (0.5, 1 - t),
                "MOVE_DOWN": (0.5, t),
            }.get(move, (0.5, 0.5))
            x0, y0 = (w - cw) * dx, (h - ch) * dy
        box = (x0, y0, x0 + cw, y0 + ch)
        frames.append(base.resize((out_w, out_h), Image.Resampling.BILINEAR, box=box))
    return frames


def restyle(frames: list[Image.Image], model_code: int) -> list[Image.Image]:
    """Video-to-video: the model's look (posterised, toned or inked) over each frame."""
    style = model_code % 3
    out = []
    for frame in frames:
        if style == 0:
            out.append(ImageOps.posterize(frame, 3))
        elif style == 1:
            grey = ImageOps.grayscale(frame)
            out.append(ImageOps.colorize(grey, (30, 20, 60), (250, 200, 140)))
        else:
            edges = frame.filter(ImageFilter.FIND_EDGES).convert("L")
            ink = edges.point(lambda v: 255 if v > 40 else 0)
            vivid = ImageEnhance.Color(frame).enhance(1.6)
            out.append(Image.composite(Image.new("RGB", frame.size, (20, 20, 20)), vivid, ink))
    return out


def encode_clip(frames: list[Image.Image]) -> bytes:
    """An animated WebP looping ``frames`` at ``CLIP_FPS``."""
    buf = io.BytesIO()
    frames[0].save(
        buf,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=round(1000 / CLIP_FPS),
        loop=0,
        quality=70,
        method=2,
    )
    return buf.getvalue()


def mask(img: Image.Image, points: list[tuple[int, int]], threshold: int) -> Image.Image:
    """A segmentation mask (L, 0/255): pixels close in colour to the picked points.

    Without points the brightest half of the picture is the subject; ``threshold`` (0-100)
    widens the match.
    """
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    h, w = rgb.shape[:2]
    if points:
        picks = [rgb[min(max(y, 0), h - 1), min(max(x, 0), w - 1)] for x, y in points]
        tolerance = 30 + 1.5 * max(0, min(threshold, 100))
        near = np.zeros((h, w), dtype=bool)
        for colour in picks:
            near |= np.linalg.norm(rgb - colour, axis=2) < tolerance
    else:
        grey = rgb.mean(axis=2)
        near = grey > np.median(grey)
    out = Image.fromarray((near * 255).astype(np.uint8), "L")
    return out.filter(ImageFilter.MedianFilter(5))


def vector_svg(img: Image.Image, colours: int = VECTOR_COLOURS) -> str:
    """The picture as SVG: a quantised grid of rectangles, runs of one colour merged."""
    small = img.convert("RGB")
    ratio = small.height / small.width
    cols, rows = VECTOR_GRID, max(1, round(VECTOR_GRID * ratio))
    small = small.resize((cols, rows), Image.Resampling.BOX).quantize(colours).convert("RGB")
    px = np.asarray(small)
    cell_w, cell_h = img.width / cols, img.height / rows
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{img.width}" height="{img.height}" '
        f'viewBox="0 0 {img.width} {img.height}" shape-rendering="crispEdges">'
    ]
    for y in range(rows):
        x = 0
        while x < cols:
            end = x
            while end + 1 < cols and (px[y, end + 1] == px[y, x]).all():
                end += 1
            r, g, b = (int(c) for c in px[y, x])
            parts.append(
                f'<rect x="{x * cell_w:.1f}" y="{y * cell_h:.1f}" '
                f'width="{(end - x + 1) * cell_w + 0.5:.1f}" height="{cell_h + 0.5:.1f}" '
                f'fill="#{r:02x}{g:02x}{b:02x}"/>'
            )
            x = end + 1
    parts.append("</svg>")
    return "".join(parts)
