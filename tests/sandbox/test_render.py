"""The sandbox's procedural renderer: deterministic, sized exactly, and every request
parameter changes the picture in the documented, measurable direction."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from wjnb.sandbox import render as R

PROMPT = "a lighthouse at dusk"
ROOT = Path(__file__).resolve().parents[2]
SIDE = 384


def art(**kw: object) -> Image.Image:
    """``render_artwork`` with defaults for everything not given."""
    args: dict[str, object] = {
        "prompt": PROMPT,
        "seed": 7,
        "model": 1,
        "sampler_index": 0,
        "steps": 30,
        "cfg": 7.0,
        "width": SIDE,
        "height": SIDE,
    }
    args.update(kw)
    return R.render_artwork(**args)  # type: ignore[arg-type]


def arr(img: Image.Image, side: int | None = None) -> NDArray[np.float64]:
    """Float RGB array, optionally box-downscaled to ``side`` x ``side``."""
    if side is not None:
        img = img.resize((side, side), Image.Resampling.BOX)
    return np.asarray(img.convert("RGB"), dtype=np.float64)


def mad(a: Image.Image, b: Image.Image, side: int = 128) -> float:
    """Mean absolute difference (0..255) after downscaling both to ``side``."""
    return float(np.abs(arr(a, side) - arr(b, side)).mean())


def hf_energy(img: Image.Image) -> float:
    """Mean squared 4-neighbour Laplacian of the grey image: per-pixel noise energy."""
    g = np.asarray(img.convert("L"), dtype=np.float64)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float((lap**2).mean())


def saturation(img: Image.Image) -> float:
    """Mean HSV saturation (0..255)."""
    return float(np.asarray(img.convert("HSV"), dtype=np.float64)[..., 1].mean())


def contrast(img: Image.Image) -> float:
    """Standard deviation of luminance."""
    return float(np.asarray(img.convert("L"), dtype=np.float64).std())


def digest(img: Image.Image) -> str:
    return hashlib.sha256(R.encode_png(img)).hexdigest()


# --- determinism --------------------------------------------------------------------------


def test_same_arguments_give_identical_png_bytes() -> None:
    assert R.encode_png(art()) == R.encode_png(art())
    assert R.encode_png(art(cfg=7)) == R.encode_png(art(cfg=7.0))


def test_identical_bytes_in_a_fresh_process_with_another_hash_seed() -> None:
    code = (
        "import hashlib; from wjnb.sandbox import render as R; "
        f"img = R.render_artwork({PROMPT!r}, 7, 1, 0, 30, 7.0, {SIDE}, {SIDE}); "
        "g = R.render_mj_grid('pig --v 6.1', 3, 256, 256); "
        "print(hashlib.sha256(R.encode_png(img)).hexdigest(), "
        "hashlib.sha256(R.encode_png(g)).hexdigest())"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [digest(art()), digest(R.render_mj_grid("pig --v 6.1", 3, 256, 256))]


def test_model_and_sampler_fallbacks_are_exact() -> None:
    assert digest(art(model=2)) == digest(art(model=1)) == digest(art(model=-9))
    n = len(R.SAMPLER_STYLES)
    assert n >= 4
    assert digest(art(sampler_index=n + 1)) == digest(art(sampler_index=1))


# --- what each parameter does -------------------------------------------------------------


@pytest.mark.parametrize("other", [{"seed": 8}, {"seed": 123456}, {"prompt": "a red fox"}])
def test_seed_and_prompt_change_the_picture(other: dict[str, object]) -> None:
    assert mad(art(), art(**other)) > 12.0


def test_prompt_sets_the_palette() -> None:
    dusk = arr(art(prompt="a lighthouse at dusk")).mean(axis=(0, 1))
    day = arr(art(prompt="a lighthouse at noon")).mean(axis=(0, 1))
    night = arr(art(prompt="a lighthouse at night")).mean(axis=(0, 1))
    assert day.mean() > dusk.mean() > night.mean()
    assert dusk[0] > dusk[2] - 10  # warm dusk, blue day
    assert day[2] > day[0]


@pytest.mark.parametrize("sampler", range(5))
def test_steps_reduce_noise_energy_monotonically(sampler: int) -> None:
    # the noise is what separates a render from the converged one (same seed, 150 steps);
    # its per-pixel (Laplacian) energy must fall with every increase in steps
    final = np.asarray(art(steps=150, sampler_index=sampler).convert("L"), dtype=np.float64)
    energies = []
    for s in (4, 8, 15, 25, 40, 80):
        d = np.asarray(art(steps=s, sampler_index=sampler).convert("L"), dtype=np.float64) - final
        lap = 4 * d[1:-1, 1:-1] - d[:-2, 1:-1] - d[2:, 1:-1] - d[1:-1, :-2] - d[1:-1, 2:]
        energies.append(float((lap**2).mean()))
    assert energies == sorted(energies, reverse=True), energies
    assert energies[0] > 100 * energies[-1]


@pytest.mark.parametrize("sampler", range(5))
def test_steps_add_structure_and_detail(sampler: int) -> None:
    # at thumbnail scale (96 px) the picture gains structure as the blur and blotches go
    detail = [hf_energy(art(steps=s, sampler_index=sampler).resize((96, 96))) for s in (4, 15, 40)]
    assert detail == sorted(detail), detail
    assert detail[-1] > 2 * detail[0]


def test_steps_converge_towards_the_final_picture() -> None:
    final = art(steps=150)
    dists = [mad(art(steps=s), final) for s in (3, 8, 15, 25, 40, 70)]
    assert dists == sorted(dists, reverse=True), dists
    assert dists[-1] < 2.0 < 8.0 < dists[0]


@pytest.mark.parametrize(("model", "sampler"), [(1, 0), (1, 1), (1, 3), (1, 4), (3, 2), (7, 0)])
def test_cfg_raises_saturation_and_contrast_monotonically(model: int, sampler: int) -> None:
    cfgs = (0, 2, 4, 7, 10, 14, 20)
    imgs = [art(cfg=c, steps=50, model=model, sampler_index=sampler) for c in cfgs]
    sats = [saturation(i) for i in imgs]
    cons = [contrast(i) for i in imgs]
    assert sats == sorted(sats), sats
    assert cons == sorted(cons), cons
    assert sats[-1] > 2.5 * sats[1]


@pytest.mark.parametrize("side", [SIDE, 1024])
def test_high_cfg_posterizes(side: int) -> None:
    # luminance collapses onto a few flat bands: count the grey levels holding half the pixels
    def levels50(img: Image.Image) -> int:
        grey = np.asarray(img.convert("L")).ravel()
        counts = np.sort(np.bincount(grey, minlength=256))[::-1]
        return int(np.searchsorted(np.cumsum(counts), 0.5 * grey.size)) + 1

    def at(cfg: float) -> int:
        return levels50(art(cfg=cfg, steps=60, width=side, height=side))

    assert at(7) > 40
    assert at(12) < 20
    assert at(20) < 12


def test_samplers_have_distinct_textures() -> None:
    imgs = [art(sampler_index=i, steps=50) for i in range(len(R.SAMPLER_STYLES))]
    for i in range(len(imgs)):
        for j in range(i + 1, len(imgs)):
            assert mad(imgs[i], imgs[j], side=SIDE) > 5.0, (i, j)
    # at 128 px every texture is busier than "smooth"
    energies = [hf_energy(i.resize((128, 128), Image.Resampling.BOX)) for i in imgs]
    assert min(energies[1:]) > 2 * energies[0], energies


def test_models_have_distinct_styles() -> None:
    imgs = {m: art(model=m, steps=50) for m in (1, 3, 4, 7)}
    keys = list(imgs)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            assert mad(imgs[a], imgs[b], side=SIDE) > 5.0, (a, b)

    # comic: flat colours and ink, i.e. few distinct colours compared with general
    def colours(img: Image.Image) -> int:
        small = np.asarray(img.resize((128, 128), Image.Resampling.NEAREST))
        return len(np.unique(small.reshape(-1, 3) // 8, axis=0))

    assert colours(imgs[3]) < colours(imgs[1])
    # cinematic: vignette darkens the corners relative to the centre
    cine, gen = arr(imgs[7]), arr(imgs[1])
    corner = (slice(0, 40), slice(0, 40))
    assert cine[corner].mean() / cine.mean() < gen[corner].mean() / gen.mean()


# --- sizes and arguments ------------------------------------------------------------------


@pytest.mark.parametrize("size", [(640, 360), (360, 640), (64, 64), (513, 77), (1, 1), (3, 2)])
def test_exact_output_size_and_mode(size: tuple[int, int]) -> None:
    img = art(width=size[0], height=size[1])
    assert img.size == size and img.mode == "RGB"


@pytest.mark.slow
def test_extreme_aspect_and_large_sizes() -> None:
    assert art(width=64, height=4096).size == (64, 4096)
    assert art(width=4096, height=2048, steps=20).size == (4096, 2048)


@pytest.mark.parametrize("size", [(0, 64), (64, -1), (-5, -5), (R.MAX_SIDE + 1, 64)])
def test_bad_sizes_raise_value_error(size: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        art(width=size[0], height=size[1])
    with pytest.raises(ValueError):
        R.render_placeholder(*size)
    with pytest.raises(ValueError):
        R.render_mj_grid("x", 1, *size)


def test_non_integer_size_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        art(width=512.0)


@pytest.mark.parametrize("kw", [{"steps": -1}, {"cfg": -0.5}, {"cfg": float("nan")}])
def test_bad_steps_or_cfg_raise(kw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        art(**kw)


# --- placeholder and preview --------------------------------------------------------------


def test_placeholder_is_a_neutral_grey_card_with_a_mark() -> None:
    img = R.render_placeholder(640, 360)
    assert img.size == (640, 360) and img.mode == "RGB"
    a = arr(img)
    assert saturation(img) < 12
    centre = a[120:200, 280:360].mean()
    assert centre < a[:, :60].mean() - 3  # the darker shield/eye mark
    assert R.encode_png(img) == R.encode_png(R.render_placeholder(640, 360))
    assert mad(img, R.render_placeholder(640, 360, "BLOCKED"), side=256) > 0.1
    assert R.render_placeholder(64, 64).size == (64, 64)
    assert R.render_placeholder(7, 300, "a long flagged text").size == (7, 300)


def test_preview_sharpens_towards_the_final() -> None:
    final = art(steps=50)
    previews = [R.render_preview(final, p) for p in (0, 20, 40, 60, 80, 95)]
    assert all(p.size == final.size and p.mode == "RGB" for p in previews)
    dists = [mad(p, final) for p in previews]
    assert dists == sorted(dists, reverse=True), dists
    assert R.encode_png(R.render_preview(final, 100)) == R.encode_png(final)
    assert R.encode_png(R.render_preview(final, 40)) == R.encode_png(previews[2])
    assert R.render_preview(final, 250).tobytes() == final.tobytes()
    with pytest.raises(ValueError):
        R.render_preview(final, float("nan"))


# --- Midjourney ---------------------------------------------------------------------------


def quadrants(img: Image.Image) -> list[Image.Image]:
    w, h = img.size
    return [img.crop((x, y, x + qw, y + qh)) for x, y, qw, qh in R._quadrants(w, h)]


def test_mj_grid_has_four_distinct_candidates() -> None:
    grid = R.render_mj_grid("pig --v 6.1", 42, 512, 512)
    assert grid.size == (512, 512) and grid.mode == "RGB"
    qs = quadrants(grid)
    for i in range(4):
        for j in range(i + 1, 4):
            assert mad(qs[i], qs[j], side=64) > 6.0, (i, j)
    assert R.render_mj_grid("pig", 42, 511, 301).size == (511, 301)


@pytest.mark.parametrize("index", [1, 2, 3, 4])
def test_mj_upscale_looks_like_its_quadrant(index: int) -> None:
    qs = quadrants(R.render_mj_grid("a castle at dawn", 5, 512, 512))
    up = R.render_mj_upscale("a castle at dawn", 5, index, 512, 512)
    assert up.size == (512, 512)
    dists = [mad(up, q, side=64) for q in qs]
    assert dists.index(min(dists)) == index - 1, dists
    assert dists[index - 1] < 4.0


def test_mj_variation_stays_close_to_the_chosen_candidate() -> None:
    qs = quadrants(R.render_mj_grid("a castle at dawn", 5, 512, 512))
    var = R.render_mj_variation("a castle at dawn", 5, 3, 77, 512, 512)
    vs = quadrants(var)
    for v in vs:
        dists = [mad(v, q, side=64) for q in qs]
        assert dists.index(min(dists)) == 2, dists
    for i in range(4):
        for j in range(i + 1, 4):
            assert mad(vs[i], vs[j], side=64) > 1.0
    other = R.render_mj_variation("a castle at dawn", 5, 3, 78, 512, 512)
    assert R.encode_png(other) != R.encode_png(var)


@pytest.mark.parametrize("index", [0, 5, -1])
def test_mj_bad_index(index: int) -> None:
    with pytest.raises(ValueError):
        R.render_mj_upscale("x", 1, index, 256, 256)
    with pytest.raises(ValueError):
        R.render_mj_variation("x", 1, index, 2, 256, 256)


# --- encoders -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "I;16"])
@pytest.mark.parametrize("size", [(37, 5), (1024, 1024)])
def test_png_round_trips(mode: str, size: tuple[int, int]) -> None:
    src = art(width=size[0], height=size[1], steps=10)
    img = src.convert(mode) if mode != "I;16" else src.convert("L").convert("I;16")
    data = R.encode_png(img)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    back = Image.open(io.BytesIO(data))
    back.load()
    want = img if img.mode in ("RGB", "RGBA", "L", "LA") else img.convert("RGB")
    assert back.size == size and back.mode == want.mode
    assert np.array_equal(np.asarray(back), np.asarray(want))


def test_jpeg() -> None:
    img = art()
    data = R.encode_jpeg(img)
    assert data[:3] == b"\xff\xd8\xff" and data == R.encode_jpeg(img)
    back = Image.open(io.BytesIO(data))
    assert back.size == img.size and mad(back, img) < 3
    assert len(R.encode_jpeg(img, quality=30)) < len(data)
    with pytest.raises(ValueError):
        R.encode_jpeg(img, quality=0)


# --------------------------------------------------------------------------- negative prompt


def luminance(img: Image.Image) -> float:
    return float(np.asarray(img.convert("L"), dtype=np.float64).mean())


def reds(img: Image.Image) -> float:
    """Share of pixels that are clearly red (hue within 25 degrees of red, saturated, lit)."""
    hsv = np.asarray(img.convert("HSV"), dtype=np.float64)
    hue = hsv[..., 0] * 360 / 255
    near = np.minimum(hue, 360 - hue) < 25
    return float((near & (hsv[..., 1] > 90) & (hsv[..., 2] > 60)).mean())


def test_a_negative_prompt_without_known_words_changes_nothing() -> None:
    plain = digest(art())
    assert digest(art(uc_prompt="blurry, lowres, watermark")) == plain
    assert digest(art(uc_prompt="")) == plain


def test_a_negative_mood_is_left_out() -> None:
    prompt = "a lighthouse at night"
    night, not_night = art(prompt=prompt), art(prompt=prompt, uc_prompt="night, dark")
    assert R._scene(prompt, 7).mood == "night"
    assert R._scene(prompt, 7, negative="night").mood != "night"
    assert luminance(not_night) > luminance(night) + 20


def test_a_negative_colour_is_left_out() -> None:
    prompt = "a red fox in a crimson forest"
    red, not_red = art(prompt=prompt), art(prompt=prompt, uc_prompt="red")
    assert reds(red) > 0.05
    assert reds(not_red) < reds(red) / 3


def test_a_negative_subject_is_left_out_and_the_layout_stays() -> None:
    scene = R._scene("a cat on a castle wall", 7, negative="cat")
    assert {f.glyph for f in R._scene("a cat on a castle wall", 7).figures} == {"🐈", "🏰"}
    assert {f.glyph for f in scene.figures} == {"🏰"}  # the other subject the prompt names
    assert scene.sun_x == R._scene("a cat on a castle wall", 7).sun_x  # the seed still decides


def test_midjourney_no_parameter_is_the_negative_prompt() -> None:
    with_no = R._scene("a lighthouse at night --no night, moon --v 6.1", 3)
    assert with_no.mood != "night"
    assert R._scene("a lighthouse at night --v 6.1", 3).mood == "night"
    grid = R.render_mj_grid("a lighthouse at night --no night --v 6.1", 3, 256, 256)
    assert luminance(grid) > luminance(
        R.render_mj_grid("a lighthouse at night --v 6.1", 3, 256, 256)
    )
