"""Thumbnail encoding and contact sheets: what wjnb puts into notebooks and widgets.

Every picture a widget or an HTML fallback sends to the browser goes through here, so a
saved notebook stays light: a thumbnail is a small JPEG (or WebP) of at most
``MAX_THUMB_BYTES`` whatever the size of the original. NSFW results are blurred here, in
the kernel, so the real picture never reaches the browser until the user reveals it.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import Literal

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

#: Upper bound of one thumbnail's encoded size (bytes), as saved in a notebook.
MAX_THUMB_BYTES = 40 * 1024
#: Side of the larger preview shown when a card is enlarged (still a JPEG, never the PNG).
PREVIEW_SIZE = 1024
#: Upper bound of the enlarged preview's encoded size.
MAX_PREVIEW_BYTES = 400 * 1024

ImageLike = Image.Image | bytes
Format = Literal["JPEG", "WEBP"]

_QUALITIES = (85, 75, 62, 50, 38)
_MIME = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png", b"GIF8": "image/gif"}


def open_image(data: ImageLike) -> Image.Image:
    """An RGB image from bytes or a PIL image; transparency is flattened onto white."""
    img = Image.open(io.BytesIO(data)) if isinstance(data, bytes) else data
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(img, mask=img.getchannel("A"))
        return flat
    return img.convert("RGB")


def thumbnail(
    data: ImageLike,
    size: int = 256,
    *,
    fmt: Format = "JPEG",
    max_bytes: int = MAX_THUMB_BYTES,
    blur: bool = False,
) -> bytes:
    """Encode ``data`` to fit ``size`` px per side and ``max_bytes``, lowering quality then size.

    The byte bound always holds: when the lowest quality is still too big the picture is
    shrunk until it fits. ``blur`` makes the content unrecognisable (see ``blurred``).
    """
    img = open_image(data)
    img.thumbnail((size, size), Image.Resampling.LANCZOS)
    if blur:
        img = _obscure(img)
    while True:
        for quality in _QUALITIES:
            out = _encode(img, fmt, quality)
            if len(out) <= max_bytes:
                return out
        img = img.resize(
            (max(1, img.width * 3 // 4), max(1, img.height * 3 // 4)), Image.Resampling.LANCZOS
        )


def bounded(data: bytes, size: int = 256, *, max_bytes: int = MAX_THUMB_BYTES) -> bytes:
    """``data`` itself when it is already a small enough JPEG/WebP, else a re-encoded copy.

    Saves a second lossy pass over thumbnails the image cache already made small.
    """
    if len(data) <= max_bytes and mime_type(data) in ("image/jpeg", "image/webp"):
        with Image.open(io.BytesIO(data)) as img:  # reads the header only
            if max(img.size) <= size:
                return data
    return thumbnail(data, size, max_bytes=max_bytes)


def blurred(data: ImageLike, size: int = 256, *, fmt: Format = "JPEG") -> bytes:
    """A thumbnail whose content cannot be made out (NSFW results before they are revealed)."""
    return thumbnail(data, size, fmt=fmt, blur=True)


def preview(data: ImageLike) -> bytes:
    """The larger JPEG a card swaps in when clicked: sharp enough to judge, far below a PNG."""
    return thumbnail(data, PREVIEW_SIZE, max_bytes=MAX_PREVIEW_BYTES)


def _obscure(img: Image.Image) -> Image.Image:
    """Pixelate to a 12 px grid, then blur: no detail survives to be un-blurred."""
    small = img.resize((12, max(1, round(12 * img.height / img.width))), Image.Resampling.BOX)
    big = small.resize(img.size, Image.Resampling.BICUBIC)
    return big.filter(ImageFilter.GaussianBlur(radius=max(4, img.width // 24)))


def _encode(img: Image.Image, fmt: Format, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "WEBP":
        img.save(buf, "WEBP", quality=quality, method=4)
    else:
        img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
    return buf.getvalue()


def mime_type(data: bytes) -> str:
    """The MIME type of encoded image bytes, from their magic number."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, mime in _MIME.items():
        if data.startswith(magic):
            return mime
    return "application/octet-stream"


def data_uri(data: bytes) -> str:
    """A ``data:`` URI for an ``<img src>``; only ever used with small thumbnails."""
    return f"data:{mime_type(data)};base64,{base64.b64encode(data).decode('ascii')}"


# --------------------------------------------------------------------------- contact sheet

#: One cell of a contact sheet: images, or a text shown in place of a missing image.
CellItem = ImageLike | str
_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

_BG = (255, 255, 255)
_TILE_BG = (241, 243, 246)
_INK = (31, 41, 55)
_MUTED = (107, 114, 128)


def _font(size: int) -> _Font:
    """DejaVu Sans when installed (wide coverage), else Pillow's bundled scalable font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _text_size(draw: ImageDraw.ImageDraw, text: str, font: _Font) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return int(right - left), int(bottom - top)


def _fit(text: str, width: int, draw: ImageDraw.ImageDraw, font: _Font) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` pixels."""
    if _text_size(draw, text, font)[0] <= width:
        return text
    while text and _text_size(draw, text + "…", font)[0] > width:
        text = text[:-1]
    return text + "…"


def _tile(item: CellItem, size: tuple[int, int], font: _Font) -> Image.Image:
    """One tile: the image centred on a light ground, or the text of a missing one."""
    tw, th = size
    out = Image.new("RGB", size, _TILE_BG)
    if isinstance(item, str):
        draw = ImageDraw.Draw(out)
        text = _fit(item, tw - 12, draw, font)
        w, h = _text_size(draw, text, font)
        draw.text(((tw - w) // 2, (th - h) // 2), text, fill=_MUTED, font=font)
        return out
    img = open_image(item)
    img.thumbnail(size, Image.Resampling.LANCZOS)
    out.paste(img, ((tw - img.width) // 2, (th - img.height) // 2))
    return out


def contact_sheet(
    cells: Sequence[Sequence[Sequence[CellItem]]],
    *,
    x_values: Sequence[object],
    y_values: Sequence[object],
    x_name: str,
    y_name: str,
    title: str | None = None,
    tile: int = 160,
) -> bytes:
    """``contact_sheet_image`` as PNG bytes: the sweep's picture for static use."""
    img = contact_sheet_image(
        cells,
        x_values=x_values,
        y_values=y_values,
        x_name=x_name,
        y_name=y_name,
        title=title,
        tile=tile,
    )
    return png(img)


def png(img: Image.Image) -> bytes:
    """Lossless PNG bytes (contact sheets: their labels stay crisp)."""
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def contact_sheet_image(
    cells: Sequence[Sequence[Sequence[CellItem]]],
    *,
    x_values: Sequence[object],
    y_values: Sequence[object],
    x_name: str,
    y_name: str,
    title: str | None = None,
    tile: int = 160,
) -> Image.Image:
    """A labelled grid of a two-axis sweep.

    ``cells[row][col]`` holds the pictures made with ``y_values[row]`` and
    ``x_values[col]`` (several when a sweep also varies seeds); a text item stands for a
    picture that does not exist (failed, queued, blocked). Axis values label the columns
    and rows, axis names the axes. Tiles take the first picture's aspect, ``tile`` px wide
    at most.
    """
    if len(cells) != len(y_values) or any(len(row) != len(x_values) for row in cells):
        raise ValueError("cells must have one row per y value and one column per x value")
    first = next(
        (i for row in cells for items in row for i in items if not isinstance(i, str)), None
    )
    size = open_image(first).size if first is not None else (1, 1)
    aspect = size[1] / size[0]
    tw, th = (tile, round(tile * aspect)) if aspect <= 1 else (round(tile / aspect), tile)
    per_cell = max([len(items) for row in cells for items in row] + [1])
    cols = per_cell if per_cell <= 3 else math.ceil(math.sqrt(per_cell))
    gap, inner, pad = 14, 4, 18
    cell_w = cols * tw + (cols - 1) * inner
    cell_h = math.ceil(per_cell / cols) * (th + inner) - inner

    label_font, axis_font, title_font, tile_font = _font(15), _font(14), _font(18), _font(13)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    row_labels = [str(v) for v in y_values]
    label_w = max([_text_size(scratch, s, label_font)[0] for s in row_labels] + [20])
    line = _text_size(scratch, "Ag", label_font)[1]
    title_h = _text_size(scratch, "Ag", title_font)[1] + 14 if title else 0

    left = pad + line + 10 + label_w + 12  # rotated y name, then the row labels
    top = pad + title_h + line + 8 + line + 10  # title, x name, then the column labels
    grid_w = len(x_values) * cell_w + (len(x_values) - 1) * gap
    grid_h = len(y_values) * cell_h + (len(y_values) - 1) * gap
    sheet = Image.new("RGB", (left + grid_w + pad, top + grid_h + pad), _BG)
    draw = ImageDraw.Draw(sheet)

    if title:
        draw.text(
            (pad, pad),
            _fit(title, sheet.width - 2 * pad, draw, title_font),
            fill=_INK,
            font=title_font,
        )
    x_head = f"{x_name} →"
    w, _ = _text_size(draw, x_head, axis_font)
    draw.text((left + (grid_w - w) // 2, pad + title_h), x_head, fill=_MUTED, font=axis_font)
    y_head = f"← {y_name}"  # reads upwards once rotated, the arrow pointing down the rows
    w, h = _text_size(draw, y_head, axis_font)
    label = Image.new("RGB", (w + 4, h + 6), _BG)
    ImageDraw.Draw(label).text((2, 0), y_head, fill=_MUTED, font=axis_font)
    rotated = label.rotate(90, expand=True)
    sheet.paste(rotated, (pad, top + (grid_h - rotated.height) // 2))

    for j, value in enumerate(x_values):
        text = _fit(str(value), cell_w, draw, label_font)
        w, _ = _text_size(draw, text, label_font)
        draw.text(
            (left + j * (cell_w + gap) + (cell_w - w) // 2, top - line - 10),
            text,
            fill=_INK,
            font=label_font,
        )
    for i, text in enumerate(row_labels):
        y0 = top + i * (cell_h + gap)
        w, _ = _text_size(draw, text, label_font)
        draw.text((left - 12 - w, y0 + (cell_h - line) // 2), text, fill=_INK, font=label_font)
        for j, items in enumerate(cells[i]):
            x0 = left + j * (cell_w + gap)
            for k, item in enumerate(items or ["—"]):
                r, c = divmod(k, cols)
                pos = (x0 + c * (tw + inner), y0 + r * (th + inner))
                sheet.paste(_tile(item, (tw, th), tile_font), pos)
    return sheet


def photo_sheet(photos: Sequence[ImageLike], side: int = 256) -> bytes:
    """Photos as one JPEG ``side`` px wide: one fills it, more sit two to a row, each
    cropped square (an avatar training's card shows what it learned from)."""
    cols = 1 if len(photos) == 1 else 2
    cell = (side - 4 * (cols - 1)) // cols
    rows = math.ceil(len(photos) / cols)
    sheet = Image.new("RGB", (side, rows * cell + 4 * (rows - 1)), _BG)
    for i, photo in enumerate(photos):
        square = ImageOps.fit(open_image(photo).convert("RGB"), (cell, cell))
        sheet.paste(square, ((i % cols) * (cell + 4), (i // cols) * (cell + 4)))
    return thumbnail(sheet, side)


def before_after(before: ImageLike, after: ImageLike, side: int = 128) -> bytes:
    """The centre of ``after`` at its own pixel scale next to the same region of ``before``
    (scaled up): one JPEG strip, before on the left, where an upscale's gain shows."""
    old, new = open_image(before), open_image(after)
    crop = min(side, new.width, new.height)
    left, top = (new.width - crop) // 2, (new.height - crop) // 2
    sx, sy = old.width / new.width, old.height / new.height
    region = (left * sx, top * sy, (left + crop) * sx, (top + crop) * sy)
    panels = [
        old.resize((side, side), Image.Resampling.BICUBIC, box=region),
        new.crop((left, top, left + crop, top + crop)).resize((side, side)),
    ]
    strip = Image.new("RGB", (2 * side + 4, side), (255, 255, 255))
    for i, panel in enumerate(panels):
        strip.paste(panel, (i * (side + 4), 0))
    return _encode(strip, "JPEG", 85)
