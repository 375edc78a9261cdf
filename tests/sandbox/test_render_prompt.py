"""The sandbox draws what the prompt names: its nouns (as Noto emoji), the colours bound to
them, the style, setting and weather words; without the emoji font it still renders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from wjnb.sandbox import render as R
from wjnb.sandbox import subjects
from wjnb.sandbox.prompt import read
from wjnb.sandbox.vocab import NOUNS

ROOT = Path(__file__).resolve().parents[2]
SIDE = 256

# The kinds of prompts people type, written without looking at the lexicon.
GALLERY = (
    "a red fox in fresh snow",
    "a red bicycle leaning on a blue wall, watercolour",
    "astronaut riding a horse on mars",
    "bowl of ramen, studio photo",
    "a cozy cabin in the woods at night",
    "portrait of an old fisherman, oil painting",
    "a golden retriever puppy playing in autumn leaves",
    "cyberpunk city street at night, neon lights",
    "a cup of coffee on a wooden table, morning light",
    "a dragon flying over a medieval castle",
    "an owl perched on a branch under a full moon",
    "a sailboat on a calm lake at sunset",
    "a pixel art knight with a sword",
    "a cute panda eating bamboo",
    "a vintage red car parked on a street, photo",
    "a lighthouse in a storm, dramatic waves",
    "a bouquet of sunflowers in a vase, oil painting",
    "a white cat sleeping on a pink pillow",
    "an elephant walking in the desert at dusk",
    "a slice of pepperoni pizza, food photography",
    "a steam train crossing a bridge in the mountains",
    "a jellyfish glowing in the deep sea",
    "a green frog sitting on a lily pad in the rain",
    "a hot air balloon over green hills",
    "a robot barista making coffee",
    "a snowman with a red scarf, christmas",
    "a butterfly on a purple flower, macro photo",
    "a wizard casting a spell, fantasy art",
    "a black and white photo of a dog",
    "a penguin on an iceberg, watercolor",
    "a surfer riding a big wave",
    "a bowl of fresh strawberries, still life",
    "a yellow school bus on a country road",
    "an astronaut floating in space",
    "a tiger in the jungle, digital painting",
    "a pirate ship on stormy seas",
    "a birthday cake with candles",
    "a mountain landscape at sunrise, pixel art",
    "a koi fish in a pond, ink drawing",
    "a girl with an umbrella in the rain, anime style",
)


def art(prompt: str, **kw: object) -> Image.Image:
    """``render_artwork`` at the test size with default parameters."""
    args: dict[str, object] = {"seed": 7, "model": 1, "sampler_index": 0, "steps": 30}
    args.update(cfg=7.0, width=SIDE, height=SIDE, **kw)
    return R.render_artwork(prompt, **args)  # type: ignore[arg-type]


def hue_share(img: Image.Image, hue: float, box: tuple[int, int, int, int] | None = None) -> float:
    """Share of saturated, lit pixels within 25 degrees of ``hue`` (in ``box`` if given)."""
    hsv = np.asarray((img.crop(box) if box else img).convert("HSV"), dtype=np.float64)
    d = np.abs((hsv[..., 0] * 360 / 255 - hue + 180) % 360 - 180)
    return float(((d < 25) & (hsv[..., 1] > 100) & (hsv[..., 2] > 60)).mean())


def tokens(prompt: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", prompt.lower())


def test_the_emoji_font_is_installed() -> None:
    # make test installs it (scripts/ensure-emoji-font); without it pictures are degraded
    assert subjects.font_path() is not None


def test_the_lexicon_has_500_everyday_nouns_each_with_a_distinct_drawable_glyph() -> None:
    assert len(NOUNS) >= 500
    glyphs = {n.glyph for n in NOUNS.values()}
    assert len(glyphs) >= 400
    drawn = {g: subjects.glyph(g) for g in glyphs}
    missing = [g for g, img in drawn.items() if img is None or min(img.size) < 40]
    assert not missing
    # ZWJ sequences (astronaut, chef...) shape into their own picture, not their first part
    for g in (g for g in glyphs if "\u200d" in g):
        first = subjects.glyph(g.split("\u200d")[0])
        assert first is not None and drawn[g] is not None
        assert drawn[g].tobytes() != first.tobytes(), g


def test_colours_bind_to_the_noun_they_qualify() -> None:
    reading = read(tokens("a red bicycle leaning on a blue wall, watercolour"))
    assert [(s.noun.word, s.colour) for s in reading.subjects] == [("bicycle", (0.86, 0.1, 0.12))]
    assert reading.paint("wall") == (0.12, 0.34, 0.88) and reading.setting == "wall"
    assert reading.style == "watercolor"
    assert [s.noun.word for s in read(tokens("an orange on a table")).subjects] == ["orange"]
    assert [s.count for s in read(tokens("two black cats")).subjects] == [2]
    assert [s.noun.word for s in read(tokens("a bowl of ramen")).subjects] == ["ramen"]
    assert [s.noun.word for s in read(tokens("a yellow school bus")).subjects] == ["bus"]
    assert [s.noun.word for s in read(tokens("a robot barista")).subjects] == ["robot"]
    dog = read(tokens("a black and white photo of a dog"))
    assert dog.style == "mono" and dog.subjects[0].colour is None  # too far to bind


def test_a_bound_colour_paints_the_subject_and_the_setting() -> None:
    img = art("a red bicycle leaning on a blue wall")
    top, floor = (0, 0, SIDE, SIDE // 3), (0, SIDE * 3 // 4, SIDE, SIDE)  # wall; pavement
    assert hue_share(img, 220, top) > 0.5  # the wall is blue
    assert hue_share(img, 358, floor) > 2 * hue_share(img, 220, floor) + 0.01  # red bicycle
    swapped = art("a blue bicycle leaning on a red wall")
    assert hue_share(swapped, 358, top) > 0.5
    assert hue_share(swapped, 220, floor) > 2 * hue_share(swapped, 358, floor) + 0.01


def test_the_noun_decides_what_is_drawn() -> None:
    fox, cat = art("a fox in the snow"), art("a cat in the snow")
    diff = np.abs(np.asarray(fox, dtype=float) - np.asarray(cat, dtype=float)).mean()
    assert diff > 4.0
    assert {f.glyph for f in R._scene("a fox in the snow", 1).figures} == {"🦊"}
    assert R._scene("a fox in the snow", 1).ground == "snow"
    assert R._scene("a whale", 1).ground == "water"  # the noun implies its ground


@pytest.mark.parametrize("style", ["watercolour", "pixel art", "oil painting", "photo"])
def test_style_words_change_the_rendering(style: str) -> None:
    plain = np.asarray(art("a red bicycle leaning on a blue wall"), dtype=float)
    styled = np.asarray(art(f"a red bicycle leaning on a blue wall, {style}"), dtype=float)
    assert np.abs(plain - styled).mean() > 3.0


def test_black_and_white_is_grey() -> None:
    hsv = np.asarray(art("a black and white photo of a dog").convert("HSV"), dtype=float)
    assert hsv[..., 1].mean() < 3.0
    assert np.asarray(art("a photo of a dog").convert("HSV"), dtype=float)[..., 1].mean() > 30


def test_pixel_art_is_made_of_big_flat_blocks() -> None:
    img = np.asarray(art("a yellow taxi, pixel art"), dtype=np.int16)
    same_as_left = (np.abs(np.diff(img, axis=1)).sum(axis=2) == 0).mean()
    assert same_as_left > 0.9


def test_unknown_words_still_follow_colours_and_style() -> None:
    purple = art("quantum entanglement in purple and violet")
    green = art("quantum entanglement in green and emerald")
    assert hue_share(purple, 275) > hue_share(green, 275) + 0.02
    assert hue_share(green, 135) > hue_share(purple, 135) + 0.02


def test_without_the_emoji_font_the_picture_is_degraded_but_rendered() -> None:
    code = (
        "import hashlib; from wjnb.sandbox import render as R, subjects as S; "
        "assert S.font_path() is None; "
        "img = R.render_artwork('a red fox in fresh snow', 7, 1, 0, 30, 7.0, 128, 128); "
        "assert img.size == (128, 128); "
        "assert R._scene('a red fox in fresh snow', 7).subject == 'figure'; print('ok')"
    )
    env = {"WJNB_EMOJI_FONT": "/nonexistent.ttf", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "ok"


def test_prompt_gallery_contact_sheet() -> None:
    """Writes docs/prompt-gallery.png: the 40 prompts above, each labelled (look at it)."""
    cols, label = 8, 30
    rows = -(-len(GALLERY) // cols)
    sheet = Image.new("RGB", (cols * SIDE, rows * (SIDE + label)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=11)
    tiles = []
    for i, prompt in enumerate(GALLERY):
        tile = art(prompt)
        tiles.append(np.asarray(tile.resize((32, 32)), dtype=float))
        x, y = (i % cols) * SIDE, (i // cols) * (SIDE + label)
        sheet.paste(tile, (x, y))
        draw.text((x + 3, y + SIDE + 2), prompt[:42], fill=(0, 0, 0), font=font)
        draw.text((x + 3, y + SIDE + 15), prompt[42:84], fill=(0, 0, 0), font=font)
    # every prompt gets its own picture
    for i in range(len(tiles)):
        for j in range(i):
            assert np.abs(tiles[i] - tiles[j]).mean() > 5.0, (GALLERY[i], GALLERY[j])
    drawn = sum(bool(R._scene(p, 7).figures) for p in GALLERY)
    assert drawn >= 34  # most prompts name a noun the lexicon draws
    out = ROOT / "docs" / "prompt-gallery.png"
    out.parent.mkdir(exist_ok=True)
    sheet.save(out, optimize=True)
    assert Image.open(out).size == sheet.size
