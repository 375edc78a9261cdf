"""The upscale card, headless against the sandbox: the result, then before/after with sizes."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageChops, ImageStat

import wjnb
from wjnb.widgets import Gallery, UpscaleCard, card_view
from wjnb.widgets.style import shown as visible
from wjnb.widgets.upscale import HALF


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two same-sized pictures (grey levels)."""
    return float(ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0])


def test_upscale_card_shows_before_and_after_with_sizes(
    client: wjnb.Client, until: Callable[..., None]
) -> None:
    source = client.generate("a lighthouse at dusk", width=512, height=512, seed="4")[0]
    up = source.wait(30).upscale(2)
    card = card_view(up)
    assert isinstance(card, UpscaleCard) and not visible(card.strip_view)  # nothing to compare yet
    until(lambda: card.strip is not None and visible(card.strip_view), card, up)
    assert card.sizes == ((512, 512), (1024, 1024))
    assert "before 512×512 → after 1024×1024" in card.strip_label.value
    assert bytes(card.strip_view.value) == card.strip
    strip = Image.open(io.BytesIO(card.strip))
    assert strip.size == (2 * HALF + 4, HALF)
    before, after = strip.crop((0, 0, HALF, HALF)), strip.crop((HALF + 4, 0, 2 * HALF + 4, HALF))
    # After: the result's centre at its own pixel scale; before: the source's same region.
    centre = (512 - HALF // 2, 512 - HALF // 2, 512 + HALF // 2, 512 + HALF // 2)
    assert difference(after, up.image().crop(centre)) < 6
    region = tuple(v / 2 for v in centre)
    scaled = source.image().resize((HALF, HALF), Image.Resampling.BICUBIC, box=region)
    assert difference(before, scaled) < 6
    assert difference(before, after) > difference(after, up.image().crop(centre))
    page = card.static_html()
    assert page.count("<img") == 2 and "before 512×512 → after 1024×1024" in page
    gallery = Gallery([up])
    assert isinstance(gallery.cards[0], UpscaleCard)
    gallery.close()
    card.close()
