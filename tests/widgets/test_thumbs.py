"""Thumbnails stay small whatever the original; blurred ones hide the picture; contact sheets."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageStat

from wjnb import thumbs


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """The hardest picture to compress: random pixels."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("side", [64, 1024, 4096])
@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_thumbnail_is_bounded_whatever_the_original(side: int, fmt: thumbs.Format) -> None:
    data = thumbs.thumbnail(noise(side, side), 256, fmt=fmt)
    assert len(data) <= thumbs.MAX_THUMB_BYTES
    assert thumbs.mime_type(data) == ("image/jpeg" if fmt == "JPEG" else "image/webp")
    with Image.open(io.BytesIO(data)) as img:
        assert max(img.size) <= 256


def test_a_tight_budget_shrinks_the_picture_rather_than_break_the_bound() -> None:
    data = thumbs.thumbnail(noise(1024, 1024), 1024, max_bytes=6_000)
    assert len(data) <= 6_000
    with Image.open(io.BytesIO(data)) as img:
        assert max(img.size) < 1024


def test_transparency_is_flattened_onto_white() -> None:
    clear = Image.new("RGBA", (100, 60), (255, 0, 0, 0))
    with Image.open(io.BytesIO(thumbs.thumbnail(clear, 50))) as img:
        assert img.size == (50, 30)
        assert min(img.getpixel((25, 15))) > 240  # type: ignore[arg-type]


def test_blurred_hides_the_content() -> None:
    checker = Image.fromarray(
        (np.indices((512, 512)).sum(axis=0) // 32 % 2 * 255).astype(np.uint8)
    ).convert("RGB")
    sharp = Image.open(io.BytesIO(thumbs.thumbnail(checker, 256)))
    veiled = Image.open(io.BytesIO(thumbs.blurred(checker, 256)))
    assert veiled.size == sharp.size
    # The checkerboard's contrast is gone: almost no variation is left.
    assert (
        ImageStat.Stat(veiled.convert("L")).stddev[0]
        < 0.1 * ImageStat.Stat(sharp.convert("L")).stddev[0]
    )


def test_bounded_keeps_small_jpegs_as_they_are() -> None:
    small = thumbs.thumbnail(noise(300, 200), 256)
    assert thumbs.bounded(small, 256) is small
    png = png_bytes(noise(300, 200))
    again = thumbs.bounded(png, 256)
    assert thumbs.mime_type(again) == "image/jpeg"
    assert len(again) <= thumbs.MAX_THUMB_BYTES


def test_preview_is_a_larger_jpeg_far_below_the_png() -> None:
    original = png_bytes(noise(2048, 2048))
    data = thumbs.preview(original)
    assert thumbs.mime_type(data) == "image/jpeg"
    assert len(data) <= thumbs.MAX_PREVIEW_BYTES < len(original)
    with Image.open(io.BytesIO(data)) as img:
        assert max(img.size) <= thumbs.PREVIEW_SIZE


def test_data_uri() -> None:
    data = thumbs.thumbnail(noise(32, 32), 32)
    assert thumbs.data_uri(data).startswith("data:image/jpeg;base64,/9j/")


def test_contact_sheet_lays_out_rows_columns_and_missing_pictures() -> None:
    pic = noise(300, 200)
    cells = [
        [[pic, pic], [pic, "failed"], ["queued"]],
        [[pic], [], [pic, pic]],
    ]
    data = thumbs.contact_sheet(
        cells,
        x_values=[4, 7, 10],
        y_values=[20, 40],
        x_name="cfg",
        y_name="steps",
        title="<b>sweep</b>",
        tile=120,
    )
    assert data.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(data)) as sheet:
        # Three columns of two 120 px tiles, two rows of 80 px tiles (the pictures are 3:2).
        assert sheet.width > 3 * 2 * 120
        assert 2 * 80 < sheet.height < 2 * 80 + 200


def test_contact_sheet_rejects_a_table_that_does_not_match_its_axes() -> None:
    with pytest.raises(ValueError, match="one row per y value"):
        thumbs.contact_sheet([[["x"]]], x_values=[1, 2], y_values=[1], x_name="a", y_name="b")


def test_a_photo_sheet_shows_every_photo_two_to_a_row() -> None:
    colours = [(220, 30, 30), (30, 200, 30), (30, 30, 220)]
    photos = [png_bytes(Image.new("RGB", (300, 200), c)) for c in colours]
    sheet = Image.open(io.BytesIO(thumbs.photo_sheet(photos, 256))).convert("RGB")
    assert sheet.width == 256 and sheet.height == 256  # two rows of two square cells
    px = np.asarray(sheet, dtype=int)
    for (x, y), colour in zip([(60, 60), (190, 60), (60, 190)], colours, strict=True):
        assert np.abs(px[y, x] - colour).max() < 12
    assert np.abs(px[190, 190] - 255).max() < 6  # white: there is no fourth photo
    one = Image.open(io.BytesIO(thumbs.photo_sheet(photos[:1], 128)))
    assert one.size == (128, 128)  # one photo fills the sheet
