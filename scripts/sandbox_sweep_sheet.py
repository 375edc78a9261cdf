"""Render the sandbox's parameter-sweep contact sheet to ``docs/sandbox-sweep.png``.

One prompt and seed, model 1 (general), rendered at 512x512 for every combination of
cfg (columns), steps (rows) and sampler_index (one panel each), shown as 256 px thumbnails
with the axis values on the margins.  It documents what each knob does in the sandbox.
Thumbnail channels are rounded to 6 bits (64 levels, invisible here; a 256-colour palette
would band the smooth skies and fake the high-cfg posterization) to keep the PNG ~1.3 MB.

Run from the repository root:  PYTHONPATH=. .venv/bin/python scripts/sandbox_sweep_sheet.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from wjnb.sandbox.render import SAMPLER_STYLES, render_artwork

PROMPT = "a lighthouse at dusk"
SEED = 7
MODEL = 1
RENDER_SIZE = 512
THUMB = 256
BITS = 6  # bits kept per channel in the thumbnails
CFGS = (3.0, 7.0, 12.0)
STEPS = (10, 25, 50)
SAMPLERS = (0, 1)

GAP = 6
LEFT = 118
TOP = 118
PANEL_GAP = 44
MARGIN = 22
BG = (246, 245, 241)
INK = (34, 34, 40)
MUTED = (110, 110, 118)


_SHIFT = 8 - BITS
_ROUND_LUT = [min(255, ((i >> _SHIFT) << _SHIFT) + (1 << (_SHIFT - 1))) for i in range(256)]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font at ``size`` px (no system fonts needed)."""
    return ImageFont.load_default(size=size)


def _centered(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    fill: tuple[int, int, int],
) -> None:
    """Draw ``text`` centred on ``xy``."""
    draw.text(xy, text, font=font, fill=fill, anchor="mm")


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int]) -> None:
    """A short arrow from ``start`` to ``end`` (horizontal or vertical)."""
    draw.line([start, end], fill=MUTED, width=2)
    y0, (x1, y1) = start[1], end
    if y0 == y1:
        head = [(x1, y1), (x1 - 7, y1 - 5), (x1 - 7, y1 + 5)]
    else:
        head = [(x1, y1), (x1 - 5, y1 - 7), (x1 + 5, y1 - 7)]
    draw.polygon(head, fill=MUTED)


def build_sheet() -> Image.Image:
    """Render every cell and lay out the labelled two-panel sheet."""
    grid_w = len(CFGS) * THUMB + (len(CFGS) - 1) * GAP
    grid_h = len(STEPS) * THUMB + (len(STEPS) - 1) * GAP
    panel_w = LEFT + grid_w
    width = MARGIN * 2 + panel_w * len(SAMPLERS) + PANEL_GAP * (len(SAMPLERS) - 1)
    height = TOP + grid_h + MARGIN + 30
    sheet = Image.new("RGB", (width, height), BG)
    draw = ImageDraw.Draw(sheet)
    size = f"{RENDER_SIZE}x{RENDER_SIZE}"
    title = f'"{PROMPT}"  ·  seed {SEED}  ·  model {MODEL} (general)  ·  rendered {size}'
    draw.text((MARGIN, 14), "wjnb sandbox renderer: parameter sweep", font=_font(24), fill=INK)
    draw.text((MARGIN, 44), title, font=_font(15), fill=MUTED)
    for p, sampler in enumerate(SAMPLERS):
        x0 = MARGIN + p * (panel_w + PANEL_GAP)
        gx0, gy0 = x0 + LEFT, TOP
        name = SAMPLER_STYLES[sampler % len(SAMPLER_STYLES)]
        _centered(draw, (gx0 + grid_w / 2, 78), f"sampler_index {sampler} ({name})", _font(19), INK)
        # axis names with drawn arrows (the bundled font has no arrow glyphs)
        draw.text((x0 + 4, TOP - 24), "cfg", font=_font(16), fill=MUTED)
        _arrow(draw, (x0 + 36, TOP - 15), (x0 + 72, TOP - 15))
        draw.text((x0 + 4, TOP + 2), "steps", font=_font(16), fill=MUTED)
        _arrow(draw, (x0 + 22, TOP + 26), (x0 + 22, TOP + 62))
        for c, cfg in enumerate(CFGS):
            cx = gx0 + c * (THUMB + GAP) + THUMB / 2
            _centered(draw, (cx, TOP - 14), f"cfg {cfg:g}", _font(17), INK)
        for r, steps in enumerate(STEPS):
            ry = gy0 + r * (THUMB + GAP)
            _centered(draw, (x0 + LEFT / 2, ry + THUMB / 2), f"steps {steps}", _font(17), INK)
            for c, cfg in enumerate(CFGS):
                img = render_artwork(
                    PROMPT, SEED, MODEL, sampler, steps, cfg, RENDER_SIZE, RENDER_SIZE
                )
                thumb = img.resize((THUMB, THUMB), Image.Resampling.LANCZOS)
                thumb = thumb.point(_ROUND_LUT * 3)
                sheet.paste(thumb, (gx0 + c * (THUMB + GAP), ry))
    foot = (
        "columns: cfg (prompt adherence: washed-out -> saturated, posterized)   rows: steps "
        "(noisy, blurry -> clean, detailed)   panels: sampler texture"
    )
    draw.text((MARGIN, height - 30), foot, font=_font(14), fill=MUTED)
    return sheet


def main() -> None:
    """Write the sheet (default ``docs/sandbox-sweep.png``) and print its size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=Path("docs/sandbox-sweep.png"))
    args = ap.parse_args()
    sheet = build_sheet()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, format="PNG", optimize=True)
    print(
        f"wrote {args.out} ({sheet.width}x{sheet.height}, {args.out.stat().st_size / 1e6:.2f} MB)"
    )


if __name__ == "__main__":
    main()
