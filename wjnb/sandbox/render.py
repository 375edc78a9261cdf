"""Procedural image renderer for the sandbox (numpy + Pillow only).

The sandbox must return real pictures whose look follows the request, so that a parameter
sweep run against it teaches something at a glance:

* prompt   -> palette (mood words, colour words, hashed hues) and subject (lighthouse, tower,
              planet, trees, city, creature, portal, peaks or floating blobs);
* negative -> what the scene leaves out (Wujie ``uc_prompt``, Midjourney ``--no``): a mood,
              subject, ground or colour it names is never used (other words change nothing);
* seed     -> layout (horizon, sun, ridges, clouds, where and how big the subject is);
* steps    -> refinement (few steps: blurry, blotchy, grainy; many: clean with extra detail);
* cfg      -> prompt adherence (low: washed out, grey, flat; high: oversaturated, contrasty,
              posterized);
* sampler  -> texture signature (see ``SAMPLER_STYLES``);
* model    -> rendering style (see ``MODEL_STYLES``).

Everything is a pure function of its arguments: random streams come from SHA-256 digests fed
to ``numpy.random.default_rng``, never from Python's ``hash()`` or global state, so the same
request gives byte-identical PNGs in any process.  The composition is computed at a small
internal resolution (max side 384-768) and upscaled with Pillow, which keeps a 1024x1024
render plus PNG encode well under 150 ms.  The layout does not depend on the output size (only
on its aspect ratio), which is what lets a Midjourney upscale look like its grid quadrant;
the per-pixel noise streams do include width and height.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import math
import os
import re
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from . import figures, styles, subjects
from .prompt import Reading, read
from .vocab import COLOURS

__all__ = [
    "MAX_SIDE",
    "MODEL_STYLES",
    "SAMPLER_STYLES",
    "encode_jpeg",
    "encode_png",
    "render_artwork",
    "render_mj_grid",
    "render_mj_upscale",
    "render_mj_variation",
    "render_placeholder",
    "render_preview",
]

Arr = NDArray[np.float32]
RGB = tuple[float, float, float]

#: Largest accepted width or height; bigger requests raise ``ValueError`` (never clamped).
MAX_SIDE: Final = 8192

#: Texture signature per ``sampler_index % len(SAMPLER_STYLES)``.
SAMPLER_STYLES: Final = ("smooth", "stipple", "brush", "crosshatch", "mosaic")

#: Rendering style per Wujie model type; any other model falls back to ``"general"``.
MODEL_STYLES: Final = MappingProxyType({1: "general", 3: "comic", 4: "painterly", 7: "cinematic"})

_MJ_MODEL: Final = 7
_MJ_STEPS: Final = 60
_MJ_CFG: Final = 7.0
_PNG_LEVEL: Final = 1
_PNG_PART_BYTES: Final = 768 * 1024
_PNG_MAX_PARTS: Final = 4
_LUMA: Final = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# ---------------------------------------------------------------------------------------------
# deterministic randomness


def _key(*parts: object) -> int:
    """Stable 64-bit key for ``parts`` (SHA-256 of their reprs), the root of every RNG stream."""
    text = "\x1f".join(f"{type(p).__name__}:{p!r}" for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def _rng(*parts: object) -> np.random.Generator:
    """A fresh numpy generator seeded from ``_key(*parts)``."""
    return np.random.default_rng(_key(*parts))


# ---------------------------------------------------------------------------------------------
# prompt analysis


@dataclass(frozen=True)
class _Hint:
    """What a known prompt word says about the scene (any field may be unset)."""

    hue: float | None = None
    mood: str | None = None
    ground: str | None = None
    subject: str | None = None


def _hints() -> MappingProxyType[str, _Hint]:
    """Build the read-only table of prompt words the renderer understands."""
    table: dict[str, _Hint] = {}

    def put(words: str, **kw: Any) -> None:
        for w in words.split():
            table[w] = _Hint(**kw)

    put("dusk sunset evening twilight", mood="dusk")
    put("night midnight moon moonlit moonlight stars starry nocturnal", mood="night")
    put("dawn sunrise morning", mood="dawn")
    put("day noon sunny summer daylight", mood="day")
    put("dream dreamy abstract surreal cosmic nebula psychedelic fantasy", mood="dream")
    put("sea ocean lake river beach harbor harbour coast bay water island waves", ground="water")
    put("desert dune dunes sand sahara", ground="sand")
    put("snow snowy winter ice icy arctic frozen", ground="snow")
    put("meadow field grass garden prairie hill hills countryside valley", ground="grass")
    put("lighthouse", subject="lighthouse", ground="water")
    put("tower minaret", subject="tower")
    put("forest woods tree trees pine pines jungle", subject="trees", ground="grass")
    put("mountain mountains peak peaks alps volcano cliffs", subject="peaks")
    put("city cyberpunk town skyline street building buildings metropolis", subject="city")
    put("planet orb sphere bubble saturn jupiter globe", subject="orb")
    put("gate arch portal door doorway bridge ring", subject="arch")
    put("bubbles blobs shapes jellyfish balloons", subject="blobs")
    for words, hue in (
        ("red crimson scarlet ruby", 355.0),
        ("orange amber", 28.0),
        ("yellow gold golden", 48.0),
        ("green emerald jade", 135.0),
        ("teal turquoise", 172.0),
        ("cyan aqua", 188.0),
        ("blue azure sapphire", 218.0),
        ("purple violet lavender", 272.0),
        ("magenta neon", 305.0),
        ("pink rose", 335.0),
        ("fire lava flames ember", 14.0),
    ):
        put(words, hue=hue)
    table["cyberpunk"] = _Hint(hue=300.0, mood="night", subject="city")
    return MappingProxyType(table)


_HINTS: Final = _hints()
_STOP: Final = frozenset(
    {
        "a",
        "an",
        "the",
        "at",
        "of",
        "in",
        "on",
        "and",
        "with",
        "by",
        "for",
        "to",
        "from",
        "under",
        "over",
        "into",
        "is",
        "its",
        "very",
        "highly",
        "detailed",
        "4k",
        "8k",
        "hd",
        "best",
        "quality",
        "masterpiece",
        "photo",
        "photograph",
        "image",
        "picture",
    }
)
_MJ_PARAM: Final = re.compile(r"--[a-z]+(?:\s+(?!--)\S+)?", re.IGNORECASE)
_MJ_NO: Final = re.compile(r"--no\s+(.+?)(?=\s--|$)", re.IGNORECASE)
_HUE_GAP: Final = 40.0  # degrees a colour keeps from a hue the negative prompt names
_WORD: Final = re.compile(r"[a-z0-9]+")
_MOODS: Final = ("day", "dusk", "night", "dawn", "dream")
_GROUNDS: Final = ("water", "land", "grass", "water", "sand", "snow", "land")
_SUBJECTS: Final = ("orb", "tower", "trees", "city", "arch", "peaks", "blobs")
_BACKDROPS: Final = frozenset({"wall", "studio", "table", "space"})


def _tokens(prompt: str) -> list[str]:
    """Lower-case words of ``prompt``, stop words kept (Midjourney ``--param value`` pairs and
    the words of ``--no`` removed)."""
    return _WORD.findall(_MJ_PARAM.sub(" ", _MJ_NO.sub(" ", prompt)).lower())


def _words(prompt: str) -> list[str]:
    """Content words of ``prompt``: its ``_tokens`` without stop words."""
    return [w for w in _tokens(prompt) if w not in _STOP]


@dataclass(frozen=True)
class _Avoid:
    """What a negative prompt rules out: the moods, subjects, grounds and hues it names."""

    moods: frozenset[str] = frozenset()
    subjects: frozenset[str] = frozenset()
    grounds: frozenset[str] = frozenset()
    hues: tuple[float, ...] = ()

    def hue_ok(self, hue: float) -> bool:
        """True when ``hue`` is at least ``_HUE_GAP`` degrees from every avoided hue."""
        return all(abs((hue - h + 180.0) % 360.0 - 180.0) >= _HUE_GAP for h in self.hues)


def _avoid(negative: str) -> _Avoid:
    """The features a negative prompt names (words the renderer does not know are ignored)."""
    hints = [h for w in _words(negative) if (h := _HINTS.get(w)) is not None]
    return _Avoid(
        frozenset(h.mood for h in hints if h.mood),
        frozenset(h.subject for h in hints if h.subject),
        frozenset(h.ground for h in hints if h.ground),
        tuple(h.hue for h in hints if h.hue is not None),
    )


def _mj_negative(prompt: str) -> str:
    """The text of a Midjourney prompt's ``--no`` parameters."""
    return " ".join(_MJ_NO.findall(prompt))


def _pick(options: tuple[str, ...], key: int, banned: frozenset[str]) -> str:
    """``options[key % n]``, or the next option after it that is not banned."""
    n = len(options)
    for step in range(n):
        option = options[(key + step) % n]
        if option not in banned:
            return option
    return options[key % n]


# ---------------------------------------------------------------------------------------------
# scene description (prompt + seed -> numbers)


def _hsv(h: float, s: float, v: float) -> RGB:
    """HSV (hue in degrees, s and v in 0..1, clamped) to an RGB float triple."""
    r, g, b = colorsys.hsv_to_rgb((h % 360.0) / 360.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    return (r, g, b)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend of two colours."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _scale(c: RGB, k: float) -> RGB:
    """Colour times a scalar."""
    return (c[0] * k, c[1] * k, c[2] * k)


@dataclass(frozen=True)
class _Palette:
    """Colours of a scene, all derived from the prompt alone."""

    sky_top: RGB
    sky_hor: RGB
    sun: RGB
    cloud: RGB
    land_far: RGB
    land_near: RGB
    dark: RGB
    accent: RGB
    accent2: RGB
    lamp: RGB
    light: float


@dataclass(frozen=True)
class _Scene:
    """Everything the compositor needs: palette and style (prompt) plus layout (seed)."""

    mood: str
    ground: str
    subject: str
    peaks: bool
    forest: bool
    pal: _Palette
    n_ridges: int
    cloudiness: float
    haze: float
    flow_angle: float
    horizon: float
    sun_x: float
    sun_y: float
    sun_r: float
    subj_x: float
    subj_y: float
    subj_s: float
    flip: float
    ridges: tuple[tuple[float, float, int], ...]
    items: tuple[tuple[float, float, float], ...]
    keys: tuple[tuple[int, float], ...]
    reading: Reading
    figures: tuple[_Figure, ...]
    backdrop: RGB


@dataclass(frozen=True)
class _Figure:
    """One glyph to paste: emoji, colour (None: its own), centre x and foot y and height (in
    shorter-side units), mirrored or not, and whether it casts a contact shadow."""

    glyph: str
    colour: RGB | None
    x: float
    foot: float
    size: float
    flip: bool
    shadow: bool


def _palette(
    words: list[str],
    mood: str,
    prompt_key: int,
    tint: float,
    avoid: _Avoid,
    reading: Reading,
    ground: str,
) -> _Palette:
    """Pick the scene colours from mood, colour words and hashed content words.

    ``tint`` (degrees, seed-derived, small) shifts the sky hues so candidates differ a little;
    colour words the negative prompt names are dropped, and hashed hues near them turn away.
    Colours bound to a noun ("a red bicycle") paint that noun, not the sky: only the free
    ones (and the sky's own, "a pink sky") tint the palette.
    """
    r = _rng("palette", prompt_key)
    hints = [h for w in words if w not in COLOURS and (h := _HINTS.get(w)) is not None]
    named = [h.hue for h in hints if h.hue is not None]
    free = [*reading.free_colours, *([c] if (c := reading.paint("sky")) else [])]
    named += [colorsys.rgb_to_hsv(*c)[0] * 360.0 for c in free if _chroma(c) > 0.15]
    color_hues = [h for h in named if avoid.hue_ok(h)]
    free_words = [w for w in words if w not in _HINTS]
    hashed = [(_key("hue", w) % 3600) / 10.0 for w in (free_words or words or ["untitled"])]
    hashed = [hue if avoid.hue_ok(hue) else (hue + 180.0) % 360.0 for hue in hashed]
    acc = color_hues[0] if color_hues else hashed[0]
    acc2 = color_hues[1] if len(color_hues) > 1 else (hashed[1] if len(hashed) > 1 else acc + 140)
    dh = float(r.uniform(-22.0, 22.0)) + tint
    if mood == "day":
        top, hor, sun, light = (
            _hsv(212 + dh, 0.58, 0.86),
            _hsv(198 + dh, 0.2, 0.98),
            _hsv(50, 0.2, 1),
            1.0,
        )
        cloud = _hsv(220, 0.03, 1.0)
    elif mood == "dusk":
        top, hor, sun, light = (
            _hsv(252 + dh, 0.6, 0.34),
            _hsv(24 + dh * 0.5, 0.78, 1),
            _hsv(40, 0.5, 1),
            0.55,
        )
        cloud = _hsv(345 + dh, 0.45, 0.92)
    elif mood == "night":
        top, hor, sun, light = (
            _hsv(228 + dh, 0.78, 0.1),
            _hsv(214 + dh, 0.55, 0.36),
            _hsv(50, 0.08, 1),
            0.3,
        )
        cloud = _hsv(220 + dh, 0.25, 0.45)
    elif mood == "dawn":
        top, hor, sun, light = (
            _hsv(204 + dh, 0.38, 0.72),
            _hsv(342 + dh, 0.3, 1),
            _hsv(42, 0.4, 1),
            0.85,
        )
        cloud = _hsv(20 + dh, 0.25, 1.0)
    else:  # dream
        top, hor, sun, light = (
            _hsv(acc, 0.62, 0.42),
            _hsv(acc2, 0.5, 0.96),
            _hsv(acc + 60, 0.45, 1),
            0.8,
        )
        cloud = _hsv(acc2 + 30, 0.3, 1.0)
    if ground == "mars" and mood != "night":
        top, hor = _hsv(22 + dh * 0.3, 0.4, 0.62 * light + 0.1), _hsv(28, 0.45, 0.92)
    if color_hues and mood != "dream":
        hor = _mix(hor, _hsv(acc, 0.7, 1.0), 0.45)
        top = _mix(top, _hsv(acc, 0.7, max(top)), 0.3)
    lk = light**0.7
    dark = _hsv(252 + dh, 0.45, 0.05 + 0.2 * light)
    land_far, land_near = {
        "water": (_hsv(205 + dh, 0.5, 0.5 * lk), _hsv(215 + dh, 0.65, 0.28 * lk)),
        "grass": (_hsv(95 + dh, 0.45, 0.6 * lk), _hsv(115 + dh, 0.65, 0.34 * lk)),
        "sand": (_hsv(38, 0.35, 0.92 * lk), _hsv(28, 0.55, 0.66 * lk)),
        "snow": (_hsv(215, 0.06, 0.98 * lk), _hsv(220, 0.18, 0.8 * lk)),
        "mars": (_hsv(18, 0.62, 0.66 * lk), _hsv(12, 0.72, 0.42 * lk)),
    }.get(
        ground,
        (_hsv(acc + 25, 0.3, 0.55 * lk), _hsv(acc + 10, 0.45, 0.3 * lk)),
    )
    accent = _hsv(acc, 0.72, 0.45 + 0.5 * light)
    accent2 = _hsv(acc2, 0.6, 0.5 + 0.45 * light)
    lamp = _hsv(48, 0.45, 1.0)

    def away(color: RGB) -> RGB:  # the mood's own colours turn too (a dusk sky, "no red")
        return _turn_away(color, avoid)

    return _Palette(
        sky_top=away(top),
        sky_hor=away(hor),
        sun=away(sun),
        cloud=away(cloud),
        land_far=away(land_far),
        land_near=away(land_near),
        dark=away(dark),
        accent=away(accent),
        accent2=away(accent2),
        lamp=away(lamp),
        light=light,
    )


def _chroma(color: RGB) -> float:
    """HSV saturation of ``color``."""
    return colorsys.rgb_to_hsv(*color)[1]


def _turn_away(color: RGB, avoid: _Avoid) -> RGB:
    """``color`` with its hue moved just outside every avoided hue band (greys stay)."""
    h, s, v = colorsys.rgb_to_hsv(*color)
    hue = h * 360.0
    if s < 0.12 or avoid.hue_ok(hue):
        return color
    for step in range(5, 185, 5):
        for turned in (hue + step, hue - step):
            if avoid.hue_ok(turned % 360.0):
                return _hsv(turned, s, v)
    return _hsv(hue, 0.0, v)  # every hue avoided: grey


def _ground_of(words: list[str], prompt_key: int, banned: frozenset[str] = frozenset()) -> str:
    """Ground type: the first word that names one (and is not banned), else a hash-chosen
    default."""
    for w in words:
        h = _HINTS.get(w)
        if h is not None and h.ground is not None and h.ground not in banned:
            return h.ground
    return _pick(_GROUNDS, prompt_key, banned)


def _scene(
    prompt: str, seed: int, variation: tuple[int, int] | None = None, negative: str = ""
) -> _Scene:
    """Describe the scene: prompt -> palette and subject; seed -> layout; ``negative`` (and
    the prompt's own ``--no``) -> what is left out.

    ``variation`` (variant seed, slot) nudges the layout a little, for Midjourney variations.
    """
    words = _words(prompt)
    negative = f"{negative} {_mj_negative(prompt)}"
    avoid = _avoid(negative)
    reading = read(_tokens(prompt), frozenset(_tokens(negative)))
    drawn = bool(reading.subjects) and subjects.font_path() is not None
    pkey = _key("prompt", " ".join(words))
    pr = _rng("style", pkey)
    moods = [h.mood for w in words if (h := _HINTS.get(w)) and h.mood]
    if reading.setting == "space":
        moods.insert(0, "night")
    mood = next((m for m in moods if m not in avoid.moods), None)
    mood = mood or _pick(_MOODS, pkey, avoid.moods)
    named = [h.subject for w in words if (h := _HINTS.get(w)) and h.subject]
    named = [n for n in named if n not in avoid.subjects]
    if reading.subjects and not drawn:  # no emoji font: the procedural creature stands in
        named.insert(0, "figure")
    # nothing to draw: procedural scenery; with colour words, shapes that show them off
    options = ("orb", "blobs") if reading.free_colours else _SUBJECTS
    fallback = "none" if drawn else _pick(options, pkey >> 8, avoid.subjects)
    subject = named[0] if named else fallback
    peaks = "peaks" in named or subject == "peaks"
    forest = "trees" in named and subject != "trees"
    ground = _ground_of(words, pkey, avoid.grounds)
    implied = [s.noun.ground for s in reading.subjects if s.noun.ground]
    if reading.setting == "mars":
        ground = "mars"
    elif implied and not any((h := _HINTS.get(w)) and h.ground for w in words):
        ground = implied[0] if implied[0] not in avoid.grounds else ground
    tint = float(_rng("tint", pkey, seed).uniform(-12.0, 12.0))
    pal = _palette(words, mood, pkey, tint, avoid, reading, ground)
    cloud_base = float(pr.uniform(0.25, 0.85)) * (0.6 if mood == "night" else 1.0)
    haze = float(pr.uniform(0.15, 0.45))
    flow = float(pr.uniform(-0.9, 0.9))

    r = _rng("layout", pkey, seed)
    lo, hi = (0.62, 0.8) if peaks or subject in ("orb", "figure") else (0.45, 0.76)
    if drawn:
        lo, hi = (0.5, 0.64)
    horizon = float(r.uniform(lo, hi))
    n_ridges = 3 if peaks else int(r.integers(0, 3)) + (ground != "water")
    cloudiness = cloud_base * float(r.uniform(0.5, 1.3))
    sun_x = float(r.uniform(0.08, 0.92))
    sun_y = horizon - float(r.uniform(0.06, 0.5)) * horizon
    sun_r = float(r.uniform(0.03, 0.09))
    subj_x = float(r.uniform(0.15, 0.85))
    subj_y = float(r.uniform(0.25, 0.45))
    subj_s = float(r.uniform(0.7, 1.4))
    flip = 1.0 if sun_x < subj_x else -1.0
    ridges = tuple(
        (
            float(r.uniform(0.0, 0.05)) + 0.03 * i,
            float(r.uniform(0.05, 0.14)),
            int(r.integers(1 << 62)),
        )
        for i in range(n_ridges)
    )
    items = tuple(
        (float(r.uniform(0, 1)), float(r.uniform(0, 1)), float(r.uniform(0, 1))) for _ in range(18)
    )
    keys: tuple[tuple[int, float], ...] = ((int(r.integers(1 << 62)), 1.0),)
    if variation is not None:
        v = _rng("variation", variation[0], variation[1])
        j = 0.03

        def nudge(x: float, lo: float = 0.02, hi: float = 0.98) -> float:
            return min(max(x + float(v.normal(0.0, j)), lo), hi)

        horizon, sun_x, sun_y = nudge(horizon, 0.4, 0.85), nudge(sun_x), nudge(sun_y, 0.05, 0.8)
        subj_x, subj_y = nudge(subj_x, 0.15, 0.85), nudge(subj_y, 0.2, 0.5)
        subj_s *= float(np.exp(v.normal(0.0, 0.06)))
        # the first item drives discrete choices (e.g. how many towers): keep it
        items = (items[0], *((nudge(a), nudge(b), nudge(c)) for a, b, c in items[1:]))
        keys = (*keys, (int(v.integers(1 << 62)), 0.3))
    figs = _figures(reading, seed, horizon, variation, avoid) if drawn else ()
    backdrop = _backdrop_colour(reading, pal, avoid)
    return _Scene(
        mood,
        ground,
        subject,
        peaks,
        forest,
        pal,
        n_ridges,
        cloudiness,
        haze,
        flow,
        horizon,
        sun_x,
        sun_y,
        sun_r,
        subj_x,
        subj_y,
        subj_s,
        flip,
        ridges,
        items,
        keys,
        reading,
        figs,
        backdrop,
    )


def _backdrop_colour(reading: Reading, pal: _Palette, avoid: _Avoid) -> RGB:
    """Colour of a wall, studio backdrop or table top: the one the prompt names, else one
    from the palette."""
    setting = reading.setting or ""
    named = reading.paint(setting) or reading.paint("background") or reading.paint("studio")
    if named is not None and avoid.hue_ok(colorsys.rgb_to_hsv(*named)[0] * 360.0):
        return named
    if setting == "table":
        return _turn_away((0.52, 0.34, 0.2), avoid)
    if setting == "studio":
        return _mix(pal.accent, (0.82, 0.82, 0.84), 0.7)
    return _mix(pal.accent, (0.7, 0.66, 0.6), 0.45)


def _glyph_colour(text: str, colour: RGB | None, avoid: _Avoid) -> RGB | None:
    """The colour to paint a glyph: its bound colour unless the negative prompt rules that
    hue out; a glyph whose own main hue is ruled out is turned away from it."""
    if colour is not None and (_chroma(colour) < 0.15 or avoid.hue_ok(_hue(colour))):
        return colour
    img = subjects.glyph(text)
    hue = subjects.main_hue(img) if img is not None else None
    if hue is None or avoid.hue_ok(hue):
        return None
    return _turn_away(_hsv(hue, 0.8, 0.85), avoid)


def _hue(color: RGB) -> float:
    """Hue of ``color`` in degrees."""
    return colorsys.rgb_to_hsv(*color)[0] * 360.0


_PLACE_SIZE: Final = {"ground": 0.5, "small": 0.42, "building": 0.6, "sky": 0.36, "water": 0.4}


def _figures(
    reading: Reading,
    seed: int,
    horizon: float,
    variation: tuple[int, int] | None,
    avoid: _Avoid,
) -> tuple[_Figure, ...]:
    """Lay out the prompt's subjects (shorter-side units, aspect 1 box scaled later): the
    first one big near the middle, the others smaller beside it; seed decides the details."""
    r = _rng("figures", seed, reading.words)
    v = _rng("figure-variation", *variation) if variation else None
    backdrop = reading.setting in _BACKDROPS
    floor = 0.9 if backdrop else horizon + (1.0 - horizon) * 0.62
    out: list[_Figure] = []
    cx = 0.5 + float(r.uniform(-0.16, 0.16))
    side = 1.0 if r.uniform() < 0.5 else -1.0
    for rank, subj in enumerate(reading.subjects[:3]):
        place = subj.noun.place
        size = _PLACE_SIZE[place] * float(r.uniform(0.88, 1.12)) * (1.0 if rank == 0 else 0.62)
        size *= 1.0 / math.sqrt(subj.count) ** 0.8
        if v is not None:
            size *= float(np.exp(v.normal(0.0, 0.05)))
        x = cx if rank == 0 else cx + side * (0.3 + 0.05 * rank) * (1 if rank == 1 else -1)
        x = min(max(x, 0.12), 0.88)
        if place == "sky" and not backdrop:
            foot = min(horizon - 0.05, 0.2 + size + float(r.uniform(0.0, 0.08)))
        elif place == "water" and not backdrop:
            foot = horizon + (1.0 - horizon) * 0.45
        elif place == "building" and not backdrop:
            foot = horizon + 0.04
        else:
            foot = floor - (0.0 if rank == 0 else 0.04)
        colour = _glyph_colour(subj.noun.glyph, subj.colour, avoid)
        flip = bool(r.uniform() < 0.5)
        spread = size * 0.72
        for k in range(subj.count):
            dx = (k - (subj.count - 1) / 2) * spread
            dy = 0.03 * (k % 2) if subj.count > 1 else 0.0
            jitter = float(v.normal(0.0, 0.02)) if v is not None else 0.0
            shadow = place in ("ground", "small", "building") or backdrop
            out.append(
                _Figure(subj.noun.glyph, colour, x + dx + jitter, foot + dy, size, flip, shadow)
            )
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# numeric helpers


def _f32(x: Any) -> Arr:
    """View/convert to a float32 array (keeps typing honest after numpy arithmetic)."""
    return np.asarray(x, dtype=np.float32)


def _smooth(e0: float, e1: float, x: Arr) -> Arr:
    """Hermite smoothstep of ``x`` between ``e0`` and ``e1``."""
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return _f32(t * t * (3.0 - 2.0 * t))


def _resize_f(a: Arr, w: int, h: int) -> Arr:
    """Bicubic resize of a single-channel float array with Pillow ("F" mode)."""
    return _f32(np.asarray(Image.fromarray(_f32(a)).resize((w, h), Image.Resampling.BICUBIC)))


def _to_u8(img: Arr) -> NDArray[np.uint8]:
    """Float RGB in 0..1 to uint8 with rounding."""
    return np.asarray(np.clip(img * 255.0 + 0.5, 0, 255), dtype=np.uint8)


def _from_u8(a: Any) -> Arr:
    """uint8 array (or PIL image) to float in 0..1."""
    return _f32(np.asarray(a, dtype=np.float32) * np.float32(1.0 / 255.0))


def _gauss(img: Arr, radius: float) -> Arr:
    """Cheap Gaussian-like blur of a float RGB/grey array: box-downscale then bicubic upscale.

    About 4x faster than Pillow's GaussianBlur at the internal resolution; radius < 0.6 is a
    no-op.
    """
    if radius < 0.6:
        return img
    hh, ww = img.shape[:2]
    f = radius * 1.25
    small = Image.fromarray(_to_u8(img)).resize(
        (max(1, round(ww / f)), max(1, round(hh / f))), Image.Resampling.BOX
    )
    return _from_u8(small.resize((ww, hh), Image.Resampling.BICUBIC))


class _Canvas:
    """Working image at the internal resolution plus its coordinate grids.

    Coordinates: ``u``, ``v`` in 0..1 across width/height; ``x``, ``y`` the same points in
    units of the shorter side (so circles stay round at any aspect ratio).
    """

    def __init__(self, wi: int, hi: int, aspect_w: float, aspect_h: float) -> None:
        self.wi, self.hi = wi, hi
        m = min(aspect_w, aspect_h)
        self.ax, self.ay = aspect_w / m, aspect_h / m
        self.u = _f32((np.arange(wi, dtype=np.float32) + 0.5) / wi)[None, :]
        self.v = _f32((np.arange(hi, dtype=np.float32) + 0.5) / hi)[:, None]
        self.x = _f32(self.u * self.ax)
        self.y = _f32(self.v * self.ay)
        self.px = max(self.ax / wi, self.ay / hi)
        self.img = np.zeros((hi, wi, 3), dtype=np.float32)

    def fill(self, d: Arr, soft: float = 1.0) -> Arr:
        """Anti-aliased coverage of the signed-distance field ``d`` (negative inside)."""
        return _f32(np.clip(0.5 - d / (self.px * soft), 0.0, 1.0))

    def region(self, x0: float, x1: float, y0: float, y1: float) -> tuple[slice, slice] | None:
        """Pixel slices covering the box [x0, x1] x [y0, y1] (shorter-side units), or None."""
        c0 = max(0, math.floor(x0 / self.ax * self.wi) - 1)
        c1 = min(self.wi, math.ceil(x1 / self.ax * self.wi) + 1)
        r0 = max(0, math.floor(y0 / self.ay * self.hi) - 1)
        r1 = min(self.hi, math.ceil(y1 / self.ay * self.hi) + 1)
        if c1 <= c0 or r1 <= r0:
            return None
        return slice(r0, r1), slice(c0, c1)

    def paint(self, sl: tuple[slice, slice], alpha: Arr, color: RGB | Arr) -> None:
        """Alpha-blend ``color`` (RGB triple or per-pixel array) into the region ``sl``."""
        a = alpha[..., None]
        sub = self.img[sl]
        col = _f32(color)
        self.img[sl] = sub + (col - sub) * a

    def fbm(
        self,
        keys: tuple[tuple[int, float], ...],
        base: float,
        octaves: float,
        stretch: float = 1.0,
        salt: str = "",
    ) -> Arr:
        """Fractal noise (about unit variance) from fixed-size random grids, resolution-free.

        Octaves are accumulated pyramid-style (upsample the running sum, add the next grid), so
        only one resize touches the full canvas.  ``octaves`` may be fractional (the last
        octave fades in); ``stretch`` > 1 squashes features vertically (clouds, ripples).
        """
        acc: Arr | None = None
        norm = 0.0
        limit = 2 * max(self.wi, self.hi)
        for k in range(max(1, math.ceil(octaves))):
            weight = 1.0 if k == 0 else min(1.0, octaves - k)
            cells = base * 2.0**k
            gw = max(2, round(cells * self.ax))
            gh = max(2, round(cells * self.ay * stretch))
            if weight <= 0.0 or (k > 0 and max(gw, gh) > limit):
                break
            grid = np.zeros((gh, gw), dtype=np.float32)
            for kk, wt in keys:
                g = _rng("fbm", kk, salt, k, gw, gh).standard_normal((gh, gw), dtype=np.float32)
                grid += g * np.float32(wt)
            amp = 0.5**k * weight
            grid *= np.float32(amp)
            acc = grid if acc is None else _resize_f(acc, gw, gh) + grid
            norm += amp * amp
        assert acc is not None
        return _f32(_resize_f(acc, self.wi, self.hi) / np.float32(math.sqrt(norm) * 0.8))


def _profile(key: int, u: Arr, octaves: float) -> Arr:
    """1-D fractal ridge line over ``u`` (0..1), roughly in -1..1."""
    out = np.zeros(u.shape, dtype=np.float32)
    r = _rng("ridge", key)
    total = 0.0
    for k in range(7):
        weight = 1.0 if k == 0 else min(1.0, max(0.0, octaves - k))
        n = 3 * 2**k + 1
        pts = r.uniform(-1.0, 1.0, n)
        if weight > 0.0:
            amp = 0.55**k * weight
            out += _f32(np.interp(u, np.linspace(0.0, 1.0, n), pts)) * np.float32(amp)
            total += amp
    return _f32(out / np.float32(max(total, 1e-6)) * 1.6)


# ---------------------------------------------------------------------------------------------
# composition


def _compose(sc: _Scene, cv: _Canvas, detail: float) -> None:
    """Paint the setting (a landscape or a backdrop), then the prompt's subjects and weather.

    ``detail`` (0..1, from steps) sets how many noise octaves the textures get.
    """
    if sc.reading.setting in _BACKDROPS:
        _backdrop(sc, cv, 2.0 + 5.0 * detail)
    else:
        _landscape(sc, cv, detail)
    if sc.figures and sc.reading.style == "photo":  # shallow depth of field
        cv.img[:] = _gauss(cv.img, max(cv.wi, cv.hi) / 110.0)
    _paste_figures(sc, cv)
    _weather(sc, cv)


def _paste_figures(sc: _Scene, cv: _Canvas) -> None:
    """Paste the subject glyphs, back to front, lit like the scene."""
    p = sc.pal
    k = 0.55 + 0.45 * p.light
    shade = _mix((k, k, k), p.sky_hor, 0.12 * (1.0 - p.light))
    sx, sy = cv.wi / cv.ax, cv.hi / cv.ay  # pixels per shorter-side unit
    unit = min(cv.ax, cv.ay)
    for f in sorted(sc.figures, key=lambda f: f.foot):
        img = subjects.glyph(f.glyph, f.colour)
        if img is None:
            continue
        x, foot, size = f.x * cv.ax / unit * sx, f.foot * cv.hi, f.size * sy
        if f.shadow:
            figures.shadow(cv.img, x, foot - size * 0.02, size * img.width / img.height, 0.45)
        figures.paste(cv.img, img, x, foot, size, shade, f.flip)


def _backdrop(sc: _Scene, cv: _Canvas, oct_: float) -> None:
    """An indoor or close-up setting: a brick wall over pavement, a studio sweep, a table top
    in front of a blurred room, or open space full of stars."""
    p, c = sc.pal, _f32(sc.backdrop)
    n = cv.fbm(sc.keys, 4.0, oct_, salt="backdrop")
    setting = sc.reading.setting
    if setting == "space":
        top, bottom = _f32(_scale(p.sky_top, 0.5)), _f32(p.dark)
        cv.img[:] = top + (bottom - top) * cv.v[..., None] + _f32(p.accent2) * (0.06 * n)[..., None]
        stars = _rng("space-stars", sc.keys[0][0]).uniform(0, 1, (cv.hi, cv.wi)) > 0.994
        cv.img += _f32(stars)[..., None] * np.float32(0.9)
        return
    floor = 0.72 if setting != "table" else 0.6
    light = 0.55 + 0.45 * p.light
    if setting == "wall":
        row = cv.y / 0.06
        brick = (np.abs(row - np.round(row)) < 0.09) | (
            np.abs(((cv.x / 0.13) + 0.5 * (np.floor(row) % 2)) % 1.0 - 0.5) > 0.46
        )
        wall = c * (0.92 + 0.1 * n)[..., None]
        wall = np.where(brick[..., None], wall * 0.72 + 0.12, wall)
        ground = _f32((0.42, 0.4, 0.38)) * (0.9 + 0.1 * n)[..., None]
    elif setting == "table":
        room = _f32(_mix(p.sky_hor, p.dark, 0.45))
        wall = np.broadcast_to(room, cv.img.shape) * (1.0 + 0.15 * n)[..., None]
        wall = _gauss(_f32(wall), max(cv.wi, cv.hi) / 40.0)
        grain = np.sin(cv.x * 60.0 + 3.0 * n + cv.y * 4.0)
        ground = c * (0.9 + 0.1 * grain)[..., None]
    else:  # studio sweep: lit behind the subject, darker to the corners
        glow = np.exp(-(((cv.u - 0.5) ** 2) * 3.0 + ((cv.v - 0.45) ** 2) * 4.0))
        wall = c * (0.7 + 0.35 * glow)[..., None] + _f32((1.0, 1.0, 1.0)) * 0.03 * n[..., None]
        ground = c * 0.82
    t = _smooth(floor - 0.01, floor + 0.01, _f32(np.broadcast_to(cv.v, (cv.hi, cv.wi))))
    cv.img[:] = (wall + (ground - wall) * t[..., None]) * np.float32(light)


def _weather(sc: _Scene, cv: _Canvas) -> None:
    """Rain streaks, falling snow or fog over the whole picture, when the prompt asks."""
    kind = sc.reading.weather
    if kind is None:
        return
    r = _rng("weather", kind, sc.keys[0][0])
    if kind == "fog":
        fog = _f32(0.35 + 0.3 * cv.v) * (1.0 + 0.1 * cv.fbm(sc.keys, 2.0, 3.0, salt="fog"))
        cv.img += (_f32(_mix(sc.pal.sky_hor, (0.85, 0.86, 0.88), 0.6)) - cv.img) * fog[..., None]
        return
    mask = Image.new("L", (cv.wi, cv.hi), 0)
    draw = ImageDraw.Draw(mask)
    n = 500 if kind == "rain" else 350
    xs, ys = r.uniform(-0.1, 1.1, n) * cv.wi, r.uniform(0, 1, n) * cv.hi
    big = r.uniform(0.4, 1.0, n)
    m = max(cv.wi, cv.hi)
    for x, y, b in zip(xs.tolist(), ys.tolist(), big.tolist(), strict=True):
        if kind == "rain":
            ln = m * 0.04 * b
            draw.line((x, y, x - ln * 0.25, y + ln), fill=round(140 * b), width=1)
        else:
            rad = max(0.6, m * 0.005 * b)
            draw.ellipse((x - rad, y - rad, x + rad, y + rad), fill=round(235 * b))
    a = _from_u8(mask)[..., None]
    col = _f32((0.8, 0.84, 0.9) if kind == "rain" else (1.0, 1.0, 1.0))
    cv.img += (col - cv.img) * a
    if kind == "rain":
        cv.img *= np.float32(0.85)


def _landscape(sc: _Scene, cv: _Canvas, detail: float) -> None:
    """Paint sky, sun, clouds, ridges, ground and the procedural subject onto ``cv.img``."""
    p = sc.pal
    oct_ = 2.0 + 5.0 * detail
    hz = sc.horizon * cv.ay
    sx, sy = sc.sun_x * cv.ax, sc.sun_y * cv.ay
    # sky gradient + sun glow
    t = np.clip(cv.v / sc.horizon, 0.0, 1.0) ** 1.6
    top, hor = _f32(p.sky_top), _f32(p.sky_hor)
    sky = np.broadcast_to(top + (hor - top) * t[..., None], cv.img.shape)
    d_sun = np.sqrt((cv.x - sx) ** 2 + (cv.y - sy) ** 2)
    glow = np.exp(-d_sun / (sc.sun_r * 4.0)) * {"night": 0.25, "day": 0.3}.get(sc.mood, 0.55)
    cv.img[:] = sky + _f32(p.sun)[None, None, :] * glow[..., None]
    if sc.mood in ("night", "dream"):
        r = _rng("stars", sc.keys[0][0])
        n_stars = 260
        su, sv = r.uniform(0, 1, n_stars), r.uniform(0, sc.horizon, n_stars)
        br = r.uniform(0.3, 1.0, n_stars).astype(np.float32)
        ci = np.minimum((su * cv.wi).astype(np.int64), cv.wi - 1)
        ri = np.minimum((sv * cv.hi).astype(np.int64), cv.hi - 1)
        stars = np.zeros((cv.hi, cv.wi), dtype=np.float32)
        np.maximum.at(stars, (ri, ci), br)
        cv.img += stars[..., None] * np.float32(0.9)
    # clouds: horizontally stretched fbm, brighter towards the sun
    cloud_a: Arr | float = 0.0
    if sc.cloudiness > 0.05:
        n = cv.fbm(sc.keys, 2.0, oct_, stretch=3.0, salt="cloud")
        band = np.exp(-(((cv.v - sc.horizon * 0.45) / (0.3 * sc.horizon)) ** 2))
        a = _smooth(0.9 - sc.cloudiness, 1.9 - sc.cloudiness, _f32(n + band))
        cloud_a = _f32(a * (cv.v < sc.horizon) * 0.85)
        lit = np.exp(-d_sun / 0.6)[..., None]
        ccol = _f32(p.cloud) * (0.75 + 0.35 * lit) + _f32(p.sun) * 0.25 * lit
        cv.img += (ccol - cv.img) * cloud_a[..., None]
    # sun / moon disc, partly veiled by clouds
    disc = cv.fill(_f32(d_sun - sc.sun_r), 1.2) * (1.0 - 0.6 * cloud_a)
    cv.img += (_f32(p.sun) - cv.img) * disc[..., None]
    # distant ridges (far to near), with atmospheric perspective; one rock texture for all
    rock = cv.fbm(sc.keys, 6.0, oct_ - 1, salt="rock") if sc.ridges else cv.img[..., 0]
    for i, (base, amp, key) in enumerate(sc.ridges):
        depth = (i + 1) / (len(sc.ridges) + 1)
        hgt = amp * (3.2 if sc.peaks else 1.0)
        prof = _profile(key, cv.u[0], oct_)
        if sc.peaks:
            prof = _f32(1.0 - 1.5 * np.abs(prof))
        line = hz - (base + hgt * (0.6 + 0.4 * prof)) * (1 - 0.3 * depth)
        sl = cv.region(0.0, cv.ax, float(line.min()) - 0.01, hz + 0.02)
        if sl is None:
            continue
        yy = cv.y[sl[0]]
        alpha = cv.fill(_f32(line[None, sl[1]] - yy), 1.0)
        col = _f32(_mix(_mix(p.sky_hor, p.dark, 0.35), _mix(p.land_far, p.dark, 0.5), depth))
        shade = 1.0 + 0.12 * rock[sl]
        colarr = col[None, None, :] * shade[..., None]
        if sc.peaks:
            cap = _smooth(0.02, 0.0, _f32(yy - line.min() - 0.3 * hgt * (1.0 + 0.3 * shade)))
            colarr = colarr + (_f32(_scale((0.95, 0.96, 1.0), 0.4 + 0.6 * p.light)) - colarr) * (
                cap[..., None] * 0.85
            )
        cv.paint(sl, alpha, colarr)
    # things standing on the horizon go first, so water reflects them and land cuts them
    on_ground = sc.subject == "trees" or (sc.subject == "figure" and sc.ground != "water")
    if sc.forest:
        _trees(sc, cv, hz, 0.45, 0.6)
    if not on_ground:
        _subject(sc, cv, oct_, hz)
    _ground(sc, cv, oct_, hz)
    # haze band over the horizon
    fog = np.exp(-(((cv.y - hz) / 0.07) ** 2)) * sc.haze
    cv.img += (_f32(p.sky_hor) - cv.img) * fog[..., None]
    if on_ground:
        _subject(sc, cv, oct_, hz)


def _ground(sc: _Scene, cv: _Canvas, oct_: float, hz: float) -> None:
    """Water with a rippled reflection of the sky, or textured land/grass/sand/snow."""
    p = sc.pal
    row0 = min(cv.hi, max(0, int(sc.horizon * cv.hi)))
    if row0 >= cv.hi:
        return
    vv = cv.v[row0:]
    depth = _f32(np.clip((vv - sc.horizon) / max(1.0 - sc.horizon, 1e-3), 0.0, 1.0))
    if sc.ground == "water":
        rip = cv.fbm(sc.keys, 6.0, oct_ - 1.0, stretch=7.0, salt="ripple")[row0:]
        rows = np.clip(2 * row0 - np.arange(row0, cv.hi) - 1, 0, cv.hi - 1)
        shift = rip * (1.0 + 10.0 * depth) * (cv.wi / 384.0)
        cols = np.clip((np.arange(cv.wi)[None, :] + shift).astype(np.int64), 0, cv.wi - 1)
        refl = cv.img[rows[:, None], cols]
        water = _f32(p.land_far) + (_f32(p.land_near) - _f32(p.land_far)) * depth[..., None]
        mixk = (0.4 + 0.45 * depth)[..., None]
        out = (refl * (1 - mixk) * 0.85 + water * mixk) * (1.0 + 0.12 * rip)[..., None]
        glint = np.exp(-(((cv.x - sc.sun_x * cv.ax) / (0.03 + 0.25 * depth)) ** 2))
        glint = glint * _smooth(0.7, 1.5, rip) * (0.8 - 0.5 * depth)
        out += _f32(p.sun) * glint[..., None]
        cv.img[row0:] = out
        return
    n = cv.fbm(sc.keys, 4.0, oct_, stretch=2.5, salt="ground")[row0:]
    far, near = _f32(p.land_far), _f32(p.land_near)
    out = far + (near - far) * (depth**0.7)[..., None]
    if sc.ground == "sand":
        dunes = np.sin((vv * 40.0 + cv.x * 3.0 + n * 1.5) / (0.3 + depth))
        out = out * (1.0 + 0.12 * dunes)[..., None]
    elif sc.ground == "snow":
        out = out * (1.0 - 0.1 * np.maximum(n, 0.0))[..., None]
    else:
        out = out * (1.0 + 0.18 * n)[..., None]
    edge = _smooth(0.0, 0.02, _f32(vv - sc.horizon - 0.01 * n[:1]))
    cv.img[row0:] = cv.img[row0:] + (out - cv.img[row0:]) * edge[..., None]


def _subject(sc: _Scene, cv: _Canvas, oct_: float, hz: float) -> None:
    """Paint the prompt's subject with seed-chosen position and scale."""
    p = sc.pal
    s = sc.subj_s
    sx = sc.subj_x * cv.ax
    lit = p.light
    sil = _mix(p.dark, p.accent, 0.25 * lit)
    if sc.subject in ("lighthouse", "tower"):
        towers = 1 if sc.subject == "lighthouse" else 1 + int(sc.items[0][0] > 0.5)
        for k in range(towers):
            tx = sx + (0.18 * k * sc.flip if k else 0.0)
            ks = s * (0.75 if k else 1.0)
            _tower(sc, cv, tx, hz + 0.004, ks, sc.subject == "lighthouse")
    elif sc.subject == "orb":
        ox, oy, rad = sx, sc.subj_y * cv.ay * 0.9, 0.16 * s
        sl = cv.region(ox - rad * 2, ox + rad * 2, oy - rad * 2, oy + rad * 2)
        if sl is None:
            return
        dx, dy = (cv.x[:, sl[1]] - ox) / rad, (cv.y[sl[0]] - oy) / rad
        dist = np.sqrt(dx * dx + dy * dy)
        lx, ly = sc.sun_x * cv.ax - ox, sc.sun_y * cv.ay - oy
        ln = math.hypot(lx, ly) or 1.0
        nz = np.sqrt(np.clip(1 - dist * dist, 0, 1))
        lam = np.clip(0.75 * (dx * lx + dy * ly) / ln + 0.6 * nz, 0, 1) * 0.85 + 0.15
        bands = 0.82 + 0.18 * np.sin(dy * 9.0 + 2.0 * dx * dy + sc.items[1][0] * 6.0)
        col = (
            _f32(p.accent) * (lam * bands)[..., None]
            + _f32(p.accent2) * (0.3 * (1 - nz))[..., None]
        )
        ring_r = np.sqrt(dx * dx + (dy / 0.28) ** 2)
        ring = _smooth(0.12, 0.0, _f32(np.abs(ring_r - 1.55) - 0.15)) * 0.75
        ring = ring * ~((dy < 0) & (dist < 1.0))
        cv.paint(sl, cv.fill(_f32((dist - 1.0) * rad), 1.2), col)
        cv.paint(sl, _f32(ring), _mix(p.accent2, (1, 1, 1), 0.4))
    elif sc.subject == "trees":
        _trees(sc, cv, hz, 1.0, s)
    elif sc.subject == "city":
        _city(sc, cv, hz)
    elif sc.subject == "figure":
        fy = hz + (0.004 if sc.ground == "water" else 0.06 * s)
        _figure(sc, cv, sx, fy, s * (0.7 if sc.ground == "water" else 1.0), sil)
    elif sc.subject == "arch":
        rad, th = 0.17 * s, 0.03 * s
        cx, cy = sx, hz - rad * 1.05
        sl = cv.region(cx - rad - th, cx + rad + th, cy - rad - th, hz + 0.06)
        if sl is None:
            return
        dx, dy = cv.x[:, sl[1]] - cx, cv.y[sl[0]] - cy
        dist = np.sqrt(dx * dx + dy * dy)
        inner = np.where(dy > 0, np.abs(dx) - rad, dist - rad)
        swirl = 0.5 + 0.5 * np.sin(dist / rad * 9.0 - np.arctan2(dy, dx) * 2.0)
        portal = (
            _f32(p.accent2) * (0.6 + 0.6 * swirl)[..., None]
            + _f32(p.lamp) * (0.5 * np.exp(-dist / (0.4 * rad)))[..., None]
        )
        bottom = cv.y[sl[0]] - (hz + 0.01)
        cv.paint(sl, cv.fill(_f32(np.maximum(inner, bottom))), portal)
        ring = np.maximum(np.abs(inner) - th, bottom)
        stone = (
            _f32(_mix(sil, p.land_far, 0.35)) * (0.85 + 0.15 * np.sign(dx * -sc.flip))[..., None]
        )
        cv.paint(sl, cv.fill(_f32(ring)), stone)
    elif sc.subject == "blobs":
        _blobs(sc, cv)


def _trees(sc: _Scene, cv: _Canvas, hz: float, depth_span: float, s: float) -> None:
    """Conifers on the ground, far (small, hazy) to near (big, dark)."""
    p = sc.pal
    order = sorted(sc.items[:12], key=lambda it: it[2])
    for tx_n, hscale, dep0 in order:
        dep = dep0 * depth_span
        by = hz + (0.01 + 0.22 * dep) * (cv.ay - hz)
        h = (0.12 + 0.22 * hscale) * (0.6 + 0.7 * dep) * s
        tx = tx_n * cv.ax
        sl = cv.region(tx - h * 0.4, tx + h * 0.4, by - h, by + 0.02)
        if sl is None:
            continue
        rel = (by - cv.y[sl[0]]) / h
        half = h * 0.34 * (1.0 - rel) * (1.0 - 0.35 * ((rel * 4.0) % 1.0))
        d = np.maximum(np.abs(cv.x[:, sl[1]] - tx) - half, -rel)
        trunk = np.maximum(np.abs(cv.x[:, sl[1]] - tx) - 0.06 * h, np.abs(rel + 0.05) - 0.05)
        d = np.minimum(np.maximum(d, rel - 1.0), trunk)
        near = _scale((0.06, 0.22, 0.1), 0.3 + 0.7 * p.light)
        col = _mix(_mix(p.sky_hor, near, 0.55), near, dep)
        if sc.ground == "snow":
            col = _mix(col, p.land_near, 0.3)
        cv.paint(sl, cv.fill(_f32(d)), col)


def _tower(sc: _Scene, cv: _Canvas, tx: float, by: float, s: float, lighthouse: bool) -> None:
    """A tapered tower on a rock; a lighthouse gets stripes, a lamp, glow and a beam."""
    p = sc.pal
    h, wb, wt = 0.3 * s, 0.034 * s, 0.023 * s
    top = by - h
    lamp_h, roof_h = 0.03 * s, 0.026 * s
    sl = cv.region(tx - wb * 2.6, tx + wb * 2.6, top - lamp_h - roof_h, by + 0.05 * s)
    if sl is None:
        return
    x, y = cv.x[:, sl[1]], cv.y[sl[0]]
    rel = (by - y) / h
    half = wb + (wt - wb) * rel
    body = np.maximum(np.maximum(np.abs(x - tx) - half, y - by), top - y)
    side = np.clip((x - tx) / half * -sc.flip, -1.0, 1.0)
    shade = (0.72 + 0.28 * side) * (0.2 + 0.8 * p.light)
    if lighthouse:
        stripe = (np.floor(rel * 7.0) % 2 == 0)[..., None]
        col = np.where(stripe, _f32(_hsv(356, 0.75, 0.85)), _f32((0.95, 0.93, 0.88)))
    else:
        col = np.broadcast_to(_f32(_mix(p.land_far, (0.6, 0.58, 0.55), 0.6)), (*rel.shape, 3))
        crenel = ((x - tx) / (0.018 * s)) % 2.0 < 1.0
        body = np.where(crenel, body, np.maximum(body, top + 0.02 * s - y))
    cv.paint(sl, cv.fill(_f32(body)), _f32(col * shade[..., None]))
    ang = np.arctan2(y - by, x - tx)
    bumps = 1.0 + 0.12 * np.sin(ang * 7.0 + sc.items[4][1] * 6.0) + 0.08 * np.sin(ang * 13.0)
    rock = np.sqrt(((x - tx) / (wb * 3.2)) ** 2 + ((y - by) / (0.045 * s)) ** 2) - bumps
    rock_col = _f32(_f32(_mix(p.dark, p.land_far, 0.25)) * (0.75 + 0.25 * side)[..., None])
    cv.paint(sl, cv.fill(_f32(rock * 0.04 * s), 1.5), rock_col)
    if not lighthouse:
        # a castle tower: crenellated top (above) and two small windows, lit after dark
        lit = sc.mood != "day"
        for wy in (0.3, 0.62):
            win = np.maximum(np.abs(x - tx) - 0.006 * s, np.abs(y - (top + h * wy)) - 0.014 * s)
            wcol = p.lamp if lit else _scale(p.dark, 0.6)
            cv.paint(sl, cv.fill(_f32(win)), wcol)
        return
    lamp = np.maximum(np.abs(x - tx) - wt * 0.85, np.abs(y - (top - lamp_h / 2)) - lamp_h / 2)
    on = sc.mood != "day"
    cv.paint(sl, cv.fill(_f32(lamp)), p.lamp if on else _mix(p.sky_hor, (0.3, 0.3, 0.3), 0.5))
    rt = top - lamp_h
    roof = np.maximum(
        np.abs(x - tx) - wt * 1.25 * (y - (rt - roof_h)) / roof_h,
        np.abs(y - rt + roof_h / 2) - roof_h / 2,
    )
    cv.paint(sl, cv.fill(_f32(roof)), _scale(p.dark, 0.8))
    if not on:
        return
    lx, ly = tx, top - lamp_h / 2
    dx, dy = cv.x - lx, cv.y - ly
    dist = np.sqrt(dx * dx + dy * dy)
    glow = np.exp(-dist / (0.035 * s)) * 0.6
    ang = -sc.flip * (0.12 + 0.25 * sc.items[2][0])
    bx, by_ = -sc.flip * math.cos(ang), math.sin(ang)
    along = dx * bx + dy * by_
    perp = np.abs(dx * by_ - dy * bx)
    beam = np.exp(-((perp / (0.012 + 0.16 * np.maximum(along, 0))) ** 2)) * (along > 0)
    beam = beam * np.exp(-along / 1.2) * 0.45 * (cv.v < sc.horizon + 0.02)
    cv.img += _f32(p.lamp) * (glow + beam)[..., None]


def _city(sc: _Scene, cv: _Canvas, hz: float) -> None:
    """A skyline of rectangular buildings with lit windows, two depth layers."""
    p = sc.pal
    night = sc.mood in ("night", "dusk", "dream")
    lights = _rng("windows", sc.keys[0][0]).uniform(0, 1, 4096).astype(np.float32)
    for layer in (0, 1):
        x0 = -0.05 + 0.07 * sc.items[3 + layer][0]
        i = 0
        while x0 < cv.ax:
            a, b, c = sc.items[(i * 3 + layer * 7) % len(sc.items)]
            bw = (0.05 + 0.07 * a) * (1.25 if layer else 1.0)
            bh = (
                (0.1 + 0.28 * b * b)
                * sc.subj_s
                * (1.3 if layer else 0.9)
                * (1.7 if abs(x0 - sc.subj_x * cv.ax) < 0.15 else 1.0)
            )
            i += 1
            sl = cv.region(x0, x0 + bw, hz - bh, hz + 0.03)
            if sl is None:
                x0 += bw + 0.004
                continue
            x, y = cv.x[:, sl[1]], cv.y[sl[0]]
            d = np.maximum(
                np.abs(x - (x0 + bw / 2)) - bw / 2, np.abs(y - (hz - bh / 2 + 0.015)) - bh / 2
            )
            base = _mix(p.sky_hor, p.dark, 0.55 + 0.35 * layer)
            ci = np.floor((x - x0) / 0.016).astype(np.int64)
            ri = np.floor((y - hz + bh) / 0.022).astype(np.int64)
            win = ((x - x0) / 0.016 % 1.0 > 0.35) & ((y - hz + bh) / 0.022 % 1.0 > 0.4) & (ri >= 1)
            on = lights[(ci * 31 + ri * 17 + i * 7 + layer * 3) % 4096] < (0.45 if night else 0.15)
            wcol = _f32(p.lamp if night else _mix(p.sky_hor, (0.2, 0.25, 0.3), 0.4))
            col = np.where((win & on)[..., None], wcol, _f32(_scale(base, 0.9 + 0.2 * c)))
            cv.paint(sl, cv.fill(_f32(d)), _f32(col))
            x0 += bw + 0.004 + 0.02 * c * (1 - layer)


def _figure(sc: _Scene, cv: _Canvas, fx: float, by: float, s: float, col: RGB) -> None:
    """A sitting creature silhouette (body, head, ears, tail) with a rim light from the sun."""
    sl = cv.region(fx - 0.2 * s, fx + 0.2 * s, by - 0.36 * s, by + 0.01)
    if sl is None:
        return
    x, y = cv.x[:, sl[1]] - fx, cv.y[sl[0]] - by
    f = -sc.flip
    body = np.sqrt((x / (0.085 * s)) ** 2 + ((y + 0.1 * s) / (0.11 * s)) ** 2) - 1.0
    body = np.maximum(body * 0.09 * s, y)
    hx, hy, hr = 0.02 * s * f, -0.24 * s, 0.058 * s
    head = np.sqrt((x - hx) ** 2 + (y - hy) ** 2) - hr
    d = np.minimum(body, head)
    for e in (-1.0, 1.0):
        ex, ey = hx + e * 0.035 * s, hy - 0.035 * s
        t = (ey - y) / (0.06 * s)
        ear = np.maximum(np.abs(x - ex) - 0.024 * s * (1 - t), np.maximum(-t, t - 1))
        d = np.minimum(d, ear)
    tcx, tcy, trad = -f * 0.115 * s, -0.035 * s, 0.05 * s
    tr = np.sqrt((x - tcx) ** 2 + (y - tcy) ** 2)
    tail = np.maximum(np.abs(tr - trad) - 0.011 * s, tcy - y)
    tip_x = tcx - f * trad
    stub = np.maximum(np.abs(x - tip_x) - 0.011 * s, np.abs(y - tcy + 0.03 * s) - 0.03 * s)
    d = np.minimum(d, np.minimum(tail, stub))
    rim = np.clip(1.0 - (np.abs(cv.fill(_f32(d), 6.0) - 0.5) * 2.0), 0, 1) * (x * -f > 0)
    colarr = _f32(col) + (_f32(sc.pal.sun) - _f32(col)) * (0.7 * rim)[..., None]
    cv.paint(sl, cv.fill(_f32(d)), colarr)


def _blobs(sc: _Scene, cv: _Canvas) -> None:
    """Floating soft metaballs in the accent colours (generative-art look)."""
    p = sc.pal
    field = np.zeros((cv.hi, cv.wi), dtype=np.float32)
    for a, b, c in sc.items[:6]:
        cx, cy, r = (0.1 + 0.8 * a) * cv.ax, (0.12 + 0.6 * b * sc.horizon) * cv.ay, 0.04 + 0.1 * c
        field += r * r / ((cv.x - cx) ** 2 + (cv.y - cy) ** 2 + 1e-4)
    alpha = _smooth(0.9, 1.25, field) * 0.9
    grad = _f32(p.accent) + (_f32(p.accent2) - _f32(p.accent)) * cv.v[..., None]
    hl = np.clip(field - 1.6, 0, 1)[..., None] * 0.5
    cv.img += ((grad + hl) - cv.img) * alpha[..., None]


# ---------------------------------------------------------------------------------------------
# model styles and sampler textures


def _lum(img: Arr) -> Arr:
    """Rec. 601 luminance."""
    return _f32(img @ _LUMA)


def _model_style(style: str, img: Arr, cv: _Canvas, sc: _Scene) -> tuple[Arr, Arr | None]:
    """Apply the model's rendering style; returns the image and (comic only) an ink mask."""
    m = max(cv.wi, cv.hi)
    if style == "comic":
        pre = _gauss(img, m / 300.0)
        # palette from a small copy (median cut), nearest-colour mapping in numpy
        thumb = Image.fromarray(_to_u8(pre)).resize((96, 96), Image.Resampling.BOX)
        q = thumb.quantize(colors=14, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        pal = _from_u8(np.asarray(q.convert("RGB")).reshape(-1, 3))
        pal = _f32(np.unique(pal, axis=0))
        d2 = (pal * pal).sum(axis=1)[None, None, :] - 2.0 * (pre @ pal.T)
        labels = np.argmin(d2, axis=2)
        flat = pal[labels]
        lum = _lum(flat)[..., None]
        flat = _f32(np.clip((lum + (flat - lum) * 1.6 - 0.5) * 1.15 + 0.5, 0, 1))
        edge = np.zeros(labels.shape, dtype=bool)
        edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
        edge[1:, :] |= labels[1:, :] != labels[:-1, :]
        return flat, _f32(edge)
    if style == "painterly":
        img = _strokes(img, cv, sc.keys[0][0], sc.flow_angle)
        p = m / 110.0
        weave = np.sin(cv.u * (cv.wi / p) * 2 * math.pi) * np.sin(cv.v * (cv.hi / p) * 2 * math.pi)
        warm = _f32((1.06, 1.0, 0.86))
        lum = _lum(img)[..., None]
        tex = 1.0 + 0.04 * weave
        img = (lum + (img - lum) * 0.9) * warm * tex[..., None] + 0.02
        vig = 1.0 - 0.25 * ((cv.u - 0.5) ** 2 + (cv.v - 0.5) ** 2) * 2
        return _f32(img * vig[..., None]), None
    if style == "watercolor":
        return styles.watercolor(img, cv.fbm(sc.keys[:1], 40.0, 2.0, salt="paper")), None
    if style == "sketch":
        return styles.sketch(img), None
    if style in ("photo", "mono"):  # mono: a photo, turned grey at the end of _render
        return styles.photo(img), None

    if style == "cinematic":
        lum = _lum(img)
        hl = img * _smooth(0.65, 1.0, lum)[..., None]
        bloom = _gauss(hl, m * 0.035)
        small = Image.fromarray(_to_u8(hl)).resize(
            (max(1, cv.wi // 28), cv.hi), Image.Resampling.BILINEAR
        )
        streak = _from_u8(small.resize((cv.wi, cv.hi), Image.Resampling.BILINEAR)) * _f32(
            (0.5, 0.7, 1.0)
        )
        img = img * (1.0 - 0.12 * _smooth(0.3, 0.9, lum))[..., None] + bloom * 0.5 + streak * 0.4
        lum = _lum(np.clip(img, 0, 1))[..., None]
        img = img + _f32((-0.04, 0.02, 0.07)) * (1 - lum) + _f32((0.07, 0.01, -0.06)) * lum
        img = 0.5 + (img - 0.5) * 1.12
        img = np.where(img < 0.8, img, 0.8 + 0.2 * np.tanh((img - 0.8) / 0.2))
        vig = np.clip(1.0 - 0.85 * ((cv.u - 0.5) ** 2 * 1.2 + (cv.v - 0.5) ** 2 * 1.6), 0, 1)
        return _f32(img * vig[..., None]), None
    return img, None


def _strokes(img: Arr, cv: _Canvas, key: int, flow: float) -> Arr:
    """Painterly rendering: short strokes that follow the image's contours, each painted with
    the colour under its centre, over a blurred underpainting; a second pass of finer strokes
    goes only where there is detail.  Positions are resolution-free (drawn with ImageDraw)."""
    m = max(cv.wi, cv.hi)
    hh, ww = img.shape[:2]
    lum = _lum(_gauss(img, m / 120.0))
    grads = np.gradient(lum)
    gy, gx = _f32(grads[0]), _f32(grads[1])
    mag = np.sqrt(gx * gx + gy * gy)
    canvas = Image.fromarray(_to_u8(_gauss(img, m / 160.0)))
    draw = ImageDraw.Draw(canvas)
    r = _rng("strokes", key)
    for length, width, cover, detail_only in (
        (m / 20.0, m / 62.0, 1.3, False),
        (m / 42.0, m / 150.0, 1.6, True),
    ):
        n = int(cover * ww * hh / (length * width))
        xs, ys = r.uniform(0.0, 1.0, n) * ww, r.uniform(0.0, 1.0, n) * hh
        jit = r.uniform(-0.35, 0.35, n)
        shade = r.uniform(0.93, 1.07, n)
        xi, yi = np.minimum(xs.astype(np.int64), ww - 1), np.minimum(ys.astype(np.int64), hh - 1)
        g = mag[yi, xi]
        theta = np.where(g > 0.004, np.arctan2(gy[yi, xi], gx[yi, xi]) + math.pi / 2, flow) + jit
        keep = g > np.quantile(g, 0.6) if detail_only else np.ones(n, dtype=bool)
        cols = _to_u8(img[yi, xi] * shade[:, None].astype(np.float32))
        dx, dy = np.cos(theta) * length / 2, np.sin(theta) * length / 2
        w = max(1, round(width))
        for i in np.flatnonzero(keep).tolist():
            draw.line(
                (xs[i] - dx[i], ys[i] - dy[i], xs[i] + dx[i], ys[i] + dy[i]),
                fill=(int(cols[i, 0]), int(cols[i, 1]), int(cols[i, 2])),
                width=w,
            )
    return _from_u8(canvas)


def _sampler_texture(style: str, img: Arr, cv: _Canvas, sc: _Scene, k: float, nkey: int) -> Arr:
    """Overlay the sampler's texture signature with strength ``k`` (0..1)."""
    m = max(cv.wi, cv.hi)
    lum = _lum(img)
    if style == "stipple":
        cells = min(52.0, m / 3.0)
        c = m / cells
        gx, gy = cv.u * cv.wi / c, cv.v * cv.hi / c
        ix, iy = np.floor(gx).astype(np.int64), np.floor(gy).astype(np.int64)
        jit = _rng("stipple", sc.keys[0][0]).uniform(-0.2, 0.2, (3, 97, 101)).astype(np.float32)
        cell = (iy % 97, ix % 101)
        jx, jy, pick = jit[0][cell], jit[1][cell], jit[2][cell] * 2.5 + 0.5
        d = np.sqrt((gx - ix - 0.5 - jx) ** 2 + (gy - iy - 0.5 - jy) ** 2)
        dark = np.clip(1.0 - lum * 1.15, 0, 1)
        rad = (0.2 + 0.2 * dark) * (pick < dark * 1.4)
        dot = np.clip((rad - d) * c * 0.9 + 0.5, 0, 1)
        ink = img * 0.4
        paper = img * 0.9 + 0.16
        tex = paper + (ink - paper) * dot[..., None]
    elif style == "brush":
        theta = sc.flow_angle + 0.9 * cv.fbm(sc.keys, 1.0, 2.0, salt="flow")
        ca, sa = np.cos(theta), np.sin(theta)
        noise = cv.fbm(sc.keys[:1], 72.0 / max(cv.ax, cv.ay), 1.0, salt="bristle")
        step = m * 0.0026
        acc = np.zeros_like(noise)
        col = np.zeros_like(img)
        rows, cols = np.arange(cv.hi)[:, None], np.arange(cv.wi)[None, :]
        n_s = 6
        for t in range(-n_s, n_s + 1):
            ri = np.clip((rows + t * step * sa).astype(np.int64), 0, cv.hi - 1)
            ci = np.clip((cols + t * step * ca).astype(np.int64), 0, cv.wi - 1)
            acc += noise[ri, ci]
            if t % 3 == 0:
                col += img[ri, ci]
        streak = acc / (2 * n_s + 1)
        tex = col / 5.0 * (1.0 + 0.4 * streak)[..., None]
    elif style == "crosshatch":
        sp = m / 75.0
        wob = 0.6 * cv.fbm(sc.keys, 3.0, 2.0, salt="wobble")
        xs, ys = cv.u * cv.wi / sp, cv.v * cv.hi / sp
        dark = np.clip(1.0 - lum * 1.1, 0, 1)
        ink = np.zeros_like(lum)
        for j, (a, b, thr) in enumerate(((1.0, 1.0, 0.15), (1.0, -1.0, 0.4), (0.0, 1.0, 0.65))):
            ph = (xs * a + ys * b) / math.hypot(a, b) + wob * (j + 1) * 0.5
            dist = np.abs(ph - np.floor(ph) - 0.5)
            width = 0.08 + 0.3 * np.clip(dark - thr, 0, 1)
            line = np.clip((width - dist) * sp * 0.8 + 0.5, 0, 1) * (dark > thr)
            ink = np.maximum(ink, line)
        paper = img * 0.7 + 0.3 * _f32((0.98, 0.96, 0.9))
        tex = paper + (img * 0.15 - paper) * ink[..., None]
    elif style == "mosaic":
        cells = min(46.0, m / 4.0)
        c = m / cells
        gx, gy = cv.u * cv.wi / c, cv.v * cv.hi / c
        ix, iy = np.floor(gx).astype(np.int64), np.floor(gy).astype(np.int64)
        jit = _rng("mosaic", sc.keys[0][0]).uniform(0.1, 0.9, (2, 89, 97)).astype(np.float32)
        best2 = np.full(lum.shape, 81.0, dtype=np.float32)
        second2 = np.full(lum.shape, 81.0, dtype=np.float32)
        which = np.zeros(lum.shape, dtype=np.int8)
        for n_, (oy, ox) in enumerate((a_, b_) for a_ in (-1, 0, 1) for b_ in (-1, 0, 1)):
            cx_, cy_ = (ix + ox) % 97, (iy + oy) % 89
            d2 = (gx - (ix + ox) - jit[0][cy_, cx_]) ** 2 + (gy - (iy + oy) - jit[1][cy_, cx_]) ** 2
            second2 = np.minimum(second2, np.maximum(d2, best2))
            which = np.where(d2 < best2, np.int8(n_), which)
            best2 = np.minimum(best2, d2)
        oy_, ox_ = which // 3 - 1, which % 3 - 1
        cx_, cy_ = ix + ox_, iy + oy_
        bx = cx_ + jit[0][cy_ % 89, cx_ % 97]
        by = cy_ + jit[1][cy_ % 89, cx_ % 97]
        best, second = np.sqrt(best2), np.sqrt(second2)
        si = np.clip((by * c).astype(np.int64), 0, cv.hi - 1)
        sj = np.clip((bx * c).astype(np.int64), 0, cv.wi - 1)
        flat = img[si, sj]
        grout = np.clip((0.09 - (second - best)) * c * 0.6 + 0.5, 0, 1)
        tex = flat * (1.0 - 0.75 * grout)[..., None]
    else:  # smooth: clean airbrushed gradients, a touch of soft glow
        tex = img * 0.85 + _gauss(img, m / 90.0) * 0.15
    return _f32(img + (tex - img) * np.float32(k))


# ---------------------------------------------------------------------------------------------
# steps, cfg and the pipeline


def _refinement(steps: int) -> float:
    """0..1 convergence after ``steps`` sampling steps (0.41 at 10, 0.73 at 25, 0.93 at 50)."""
    return 1.0 - math.exp(-max(steps, 0) / 19.0)


def _adherence(cfg: float) -> float:
    """Signed log-scale prompt adherence: 0 at cfg 7, -1 at cfg 3, about +0.7 at cfg 12."""
    return math.log2((max(cfg, 0.0) + 1.0) / 8.0)


def _grade_cfg(img: Arr, cfg: float) -> Arr:
    """Low cfg: washed-out, low contrast, drifting to grey; high cfg: saturated and contrasty.

    Contrast is an S-curve in logit space around the mean luminance (so nothing clips to
    black), and chroma is scaled with the luminance change, so saturation and contrast grow
    monotonically with cfg.
    """
    g = _adherence(cfg)
    sat = 2.0 ** (1.8 * g) if g < 0 else 1.0 + 1.4 * g
    con = 2.0 ** (0.85 * g) if g < 0 else 1.0 + 0.8 * g
    lum = np.clip(_lum(img), 0.004, 0.996)
    pivot = math.atanh(2.0 * min(max(float(lum.mean()), 0.05), 0.95) - 1.0)
    new = 0.5 + 0.5 * np.tanh(pivot + (np.arctanh(2.0 * lum - 1.0) - pivot) * np.float32(con))
    ratio = np.minimum(new / lum, 4.0 if g > 0 else 1.0)
    out = new[..., None] + (img - lum[..., None]) * (np.float32(sat) * ratio)[..., None]
    if g < 0:
        drift = min(0.85, 0.3 * -g)
        out = out + (np.float32(0.62) - out) * np.float32(drift)
    return _f32(out)


def _posterize_levels(cfg: float) -> int:
    """Number of levels per channel for the high-cfg posterization (256 = none)."""
    if cfg <= 9.0:
        return 256
    return max(5, round(36.0 / (cfg - 8.5)) + 1)


def _posterize(img: Arr, levels: int) -> Arr:
    """Quantize luminance to ``levels`` bands, scaling each pixel's RGB (hue and saturation
    kept, no pixel goes black), which gives the banded, over-cooked high-cfg look."""
    if levels >= 256:
        return img
    lum = np.clip(_lum(img), 1e-3, 1.0)
    centre = (np.minimum(np.floor(lum * levels), levels - 1) + 0.5) / levels
    # spread the band centres towards 0 and 1 (never reaching black) so contrast still grows
    bands = 0.5 + (centre - 0.5) * (levels / (levels - 0.6))
    return _f32(img * np.minimum(bands / lum, 3.0)[..., None])


def _into_gamut(img: Arr) -> Arr:
    """Clip to 0..1 but give back, as white, the luminance the clip removed: over-driven
    colours burn towards white (the over-cooked look) instead of going dull, and luminance
    contrast keeps growing with cfg."""
    lum = _lum(img)
    out = np.clip(img, 0.0, 1.0)
    lost = np.maximum(lum - _lum(out), 0.0)
    return _f32(np.clip(out + lost[..., None], 0.0, 1.0))


def _internal_dims(width: int, height: int) -> tuple[int, int]:
    """Internal working size (max side): the output itself up to 256 px, then half of it up to
    384, 384 up to 1280 px output, growing to 768 for 4k.  Never below 16 px a side."""
    m = max(width, height)
    if m <= 256:
        target = m
    elif m <= 768:
        target = max(256, m // 2)
    else:
        target = 384 if m <= 1280 else min(768, 384 + (m - 1280) // 4)
    s = min(1.0, max(target / m, min(16.0, float(min(width, height))) / min(width, height)))
    return max(1, round(width * s)), max(1, round(height * s))


def _check_size(width: int, height: int) -> None:
    """Reject non-integer, non-positive or too large sizes (never clamp)."""
    for name, val in (("width", width), ("height", height)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(val).__name__}")
        if val <= 0:
            raise ValueError(f"{name} must be positive, got {val}")
        if val > MAX_SIDE:
            raise ValueError(f"{name} must be at most {MAX_SIDE}, got {val}")


def _render(
    sc: _Scene,
    style: str,
    sampler: str,
    steps: int,
    cfg: float,
    width: int,
    height: int,
    noise_key: int,
) -> Image.Image:
    """The full pipeline: compose, style, texture, cfg, steps degradation, upscale, finish."""
    wi, hi = _internal_dims(width, height)
    cv = _Canvas(wi, hi, float(width), float(height))
    r = _refinement(steps)
    q = 1.0 - r
    _compose(sc, cv, r)
    img = np.clip(cv.img, 0.0, 1.0)
    style = sc.reading.style or style  # "watercolour", "pixel art"... in the prompt win
    img, ink = _model_style(style, img, cv, sc)
    img = _sampler_texture(sampler, np.clip(img, 0, 1), cv, sc, 0.3 + 0.7 * r, noise_key)
    m = max(wi, hi)
    # unconverged sampling: blur, low-frequency colour blotches (same for every size, like a
    # latent) and per-pixel grain (size-dependent), all fading as r -> 1
    if q > 0.004:
        img = _gauss(img, q * q * m * 0.045)
        blot = np.stack([cv.fbm(sc.keys[:1], 5.0, 2.0, salt=f"blot{c}") for c in range(3)], axis=2)
        grain = np.random.default_rng(_key("grain", noise_key, wi, hi)).standard_normal(
            (hi, wi, 3), dtype=np.float32
        )
        img = img + blot * np.float32(0.15 * q) + grain * np.float32(0.11 * q * q)
        if ink is not None:
            ink = _gauss(ink, q * q * m * 0.03) * np.float32(1.0 - 0.5 * q)
    # cfg grades everything, noise included, like guidance acting on every step
    img = _grade_cfg(np.clip(img, 0, 1), cfg)
    img = _posterize(img, _posterize_levels(cfg))
    img = _into_gamut(img)
    if style == "mono":
        img = styles.mono(img)
    out = Image.fromarray(_to_u8(img))
    if style == "pixel":
        return styles.pixelate(out, width, height)
    if (wi, hi) != (width, height):
        out = out.resize((width, height), Image.Resampling.BICUBIC)
    if ink is not None:
        mask = Image.fromarray(_to_u8(ink))
        if (wi, hi) != (width, height):
            mask = mask.resize((width, height), Image.Resampling.BICUBIC)
        # ink fades with low adherence like everything else (keeps contrast monotone in cfg)
        k = min(1.0, max(0.1, 1.0 + 0.6 * _adherence(cfg)))
        ramp = [0.0 if i < 40 else 1.0 if i > 120 else (i - 40) / 80.0 for i in range(256)]
        mask = mask.point([round(255 * k * a) for a in ramp])
        out.paste((22, 18, 28), mask=mask)
    return out


def _noise_key(*parts: object) -> int:
    """Key for the size-dependent noise streams."""
    return _key("noise", *parts)


# ---------------------------------------------------------------------------------------------
# public API


def render_artwork(
    prompt: str,
    seed: int,
    model: int,
    sampler_index: int,
    steps: int,
    cfg: float,
    width: int,
    height: int,
    uc_prompt: str = "",
) -> Image.Image:
    """Render one Wujie artwork as an RGB image of exactly ``width`` x ``height``;
    ``uc_prompt`` is the negative prompt.

    Raises ``ValueError`` for sizes <= 0 or > ``MAX_SIDE``, negative steps and negative or
    non-finite cfg.
    """
    _check_size(width, height)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    if not math.isfinite(cfg) or cfg < 0:
        raise ValueError(f"cfg must be a finite number >= 0, got {cfg}")
    style = MODEL_STYLES.get(int(model), "general")
    sampler = SAMPLER_STYLES[int(sampler_index) % len(SAMPLER_STYLES)]
    sc = _scene(prompt, int(seed), negative=uc_prompt)
    # like a diffusion model's initial latent: the noise depends on prompt, seed and size only,
    # so a steps or cfg sweep shows the same noise fading or being graded
    nkey = _noise_key(prompt, int(seed), width, height)
    return _render(sc, style, sampler, int(steps), float(cfg), width, height, nkey)


def _candidate_seed(seed: int, index: int) -> int:
    """Layout seed of Midjourney grid candidate ``index`` (1-4)."""
    return _key("mj-candidate", int(seed), int(index))


def _check_index(index: int) -> None:
    """Midjourney quadrant indices are 1..4."""
    if index not in (1, 2, 3, 4):
        raise ValueError(f"index must be 1, 2, 3 or 4, got {index}")


def _quadrants(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of the four grid cells, row-major (1 top-left ... 4 bottom-right)."""
    w1, h1 = width // 2, height // 2
    return [
        (0, 0, w1, h1),
        (w1, 0, width - w1, h1),
        (0, h1, w1, height - h1),
        (w1, h1, width - w1, height - h1),
    ]


def _grid(cells: list[Image.Image], width: int, height: int) -> Image.Image:
    """Paste four cells into a 2x2 grid."""
    out = Image.new("RGB", (width, height))
    for cell, (x, y, _, _) in zip(cells, _quadrants(width, height), strict=True):
        out.paste(cell, (x, y))
    return out


def _mj_cell(prompt: str, sc: _Scene, tag: object, w: int, h: int) -> Image.Image:
    """One Midjourney candidate: cinematic model, fixed steps/cfg, smooth sampler."""
    style = MODEL_STYLES[_MJ_MODEL]
    nkey = _noise_key("mj", prompt, tag, w, h)
    return _render(sc, style, "smooth", _MJ_STEPS, _MJ_CFG, w, h, nkey)


def render_mj_grid(prompt: str, seed: int, width: int = 1024, height: int = 1024) -> Image.Image:
    """Midjourney IMAGINE result: a 2x2 grid of four distinct candidates for ``prompt``."""
    _check_size(width, height)
    if min(width, height) < 2:
        raise ValueError("a grid needs width and height >= 2")
    seed = int(seed)
    cells = [
        _mj_cell(prompt, _scene(prompt, _candidate_seed(seed, i + 1)), (seed, i + 1), qw, qh)
        for i, (_, _, qw, qh) in enumerate(_quadrants(width, height))
    ]
    return _grid(cells, width, height)


def render_mj_upscale(
    prompt: str, seed: int, index: int, width: int = 1024, height: int = 1024
) -> Image.Image:
    """Midjourney U``index``: grid candidate ``index`` (1-4) rendered alone at full size."""
    _check_size(width, height)
    _check_index(index)
    seed = int(seed)
    sc = _scene(prompt, _candidate_seed(seed, index))
    return _mj_cell(prompt, sc, (seed, index, "upscale"), width, height)


def render_mj_variation(
    prompt: str, seed: int, index: int, variant_seed: int, width: int = 1024, height: int = 1024
) -> Image.Image:
    """Midjourney V``index``: a 2x2 grid of four variations close to candidate ``index``."""
    _check_size(width, height)
    _check_index(index)
    if min(width, height) < 2:
        raise ValueError("a grid needs width and height >= 2")
    seed, variant_seed = int(seed), int(variant_seed)
    base = _candidate_seed(seed, index)
    cells = [
        _mj_cell(
            prompt,
            _scene(prompt, base, (int(variant_seed), k)),
            (seed, index, variant_seed, k),
            qw,
            qh,
        )
        for k, (_, _, qw, qh) in enumerate(_quadrants(width, height))
    ]
    return _grid(cells, width, height)


def render_placeholder(width: int, height: int, text: str = "NSFW") -> Image.Image:
    """The neutral grey card served instead of a flagged (``involve_yellow=1``) picture.

    A shield with a crossed-out eye above ``text``; uses only Pillow's built-in font.
    """
    _check_size(width, height)
    vy = ((np.arange(height, dtype=np.float32) + 0.5) / height - 0.5)[:, None]
    vx = ((np.arange(width, dtype=np.float32) + 0.5) / width - 0.5)[None, :]
    shade = 158.0 - 40.0 * (vx * vx + vy * vy)
    card = Image.fromarray(np.repeat(np.clip(shade, 0, 255).astype(np.uint8)[..., None], 3, axis=2))
    side = min(width, height)
    em = max(8, round(side * 0.36))
    ss = max(1, min(4, 2048 // em))
    big = em * ss
    mark = Image.new("L", (big, big), 0)
    dr = ImageDraw.Draw(mark)
    lw = max(1, round(big * 0.045))
    shield = [(0.5, 0.04), (0.9, 0.18), (0.86, 0.55), (0.5, 0.96), (0.14, 0.55), (0.1, 0.18)]
    dr.polygon([(x * big, y * big) for x, y in shield], outline=255, width=lw)
    dr.ellipse([0.24 * big, 0.36 * big, 0.76 * big, 0.62 * big], outline=255, width=lw)
    dr.ellipse([0.43 * big, 0.42 * big, 0.57 * big, 0.56 * big], fill=255)
    dr.line([(0.25 * big, 0.74 * big), (0.75 * big, 0.24 * big)], fill=255, width=round(lw * 1.3))
    mark = mark.resize((em, em), Image.Resampling.LANCZOS)
    ex = (width - em) // 2
    ey = max(0, round(height * 0.44 - em * 0.5))
    card.paste((92, 92, 98), (ex, ey), mark)
    if text:
        draw = ImageDraw.Draw(card)
        size = max(6, round(side * 0.075))
        font = ImageFont.load_default(size=size)
        while True:
            box = draw.textbbox((0, 0), text, font=font)
            if box[2] - box[0] <= width * 0.9 or size <= 6:
                break
            size = max(6, int(size * 0.85))
            font = ImageFont.load_default(size=size)
        tw, th = box[2] - box[0], box[3] - box[1]
        ty = min(height - th - 1, ey + em + max(2, round(side * 0.04)))
        draw.text(((width - tw) // 2 - box[0], ty - box[1]), text, fill=(80, 80, 86), font=font)
    return card


def render_preview(final: Image.Image, percent: float) -> Image.Image:
    """An in-progress preview of ``final``: noisy and blurred at 0 %, sharpening to it at 100 %.

    ``percent`` outside 0..100 is clamped (progress is reported, not requested);
    the noise pattern depends only on the image size, so successive previews look like one
    denoising run.
    """
    if not math.isfinite(percent):
        raise ValueError(f"percent must be finite, got {percent}")
    p = min(max(percent, 0.0), 100.0) / 100.0
    final = final.convert("RGB")
    if p >= 1.0:
        return final.copy()
    w, h = final.size
    m = max(w, h)
    sm = min(m, round(48 + 336 * p * p))
    sw, sh = max(1, round(w * sm / m)), max(1, round(h * sm / m))
    small = _from_u8(final.resize((sw, sh), Image.Resampling.BILINEAR, reducing_gap=2.0))
    small = _gauss(small, (1 - p) ** 1.5 * sm * 0.05)
    noise = _rng("preview", w, h).standard_normal((sh, sw, 3), dtype=np.float32)
    noise = noise * np.float32(0.18) + np.float32(0.5)
    lum = _lum(small)[..., None]
    small = lum + (small - lum) * np.float32(0.4 + 0.6 * p)
    a = np.float32((1.0 - p) ** 1.3)
    mixed = small + (noise - small) * a
    out = Image.fromarray(_to_u8(mixed))
    return out.resize((w, h), Image.Resampling.BICUBIC) if (sw, sh) != (w, h) else out


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, tag, data, CRC."""
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _deflate(raw: memoryview, level: int) -> bytes:
    """zlib stream of ``raw``; big buffers are cut into a size-determined number of parts.

    Each part is raw-deflated on its own thread (zlib releases the GIL) and ends on a full
    flush, so the concatenation is one valid stream (the pigz trick).  The part count depends
    only on the length, never on the CPU count, so the bytes are the same on every machine.
    """
    n = len(raw)
    parts = max(1, min(_PNG_MAX_PARTS, n // _PNG_PART_BYTES))
    if parts == 1:
        return zlib.compress(raw, level)
    size = -(-n // parts)
    pieces = [raw[i * size : (i + 1) * size] for i in range(parts)]

    def work(i: int) -> bytes:
        c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY)
        last = i == parts - 1
        return c.compress(pieces[i]) + c.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)

    workers = max(1, min(parts, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        body = b"".join(pool.map(work, range(parts)))
    return b"\x78\x01" + body + struct.pack(">I", zlib.adler32(raw))


def encode_png(img: Image.Image) -> bytes:
    """Fast PNG: "Sub"-filtered rows (numpy) + zlib level 1, deflated on up to 4 threads.

    About 3x faster than Pillow's ``save(compress_level=1)`` at 1024x1024 (Pillow always
    Paeth-filters) for similar sizes.  Keeps L, LA, RGB and RGBA; other modes become RGB(A).
    """
    modes = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}
    if img.mode not in modes:
        alpha = "A" in img.getbands() or "transparency" in img.info
        img = img.convert("RGBA" if alpha else "RGB")
    a = np.asarray(img, dtype=np.uint8)
    if a.ndim == 2:
        a = a[..., None]
    h, w, c = a.shape
    raw = np.empty((h, w * c + 1), dtype=np.uint8)
    raw[:, 0] = 1  # filter type "Sub": byte minus the same channel of the left pixel
    body = raw[:, 1:].reshape(h, w, c)
    body[:, 0] = a[:, 0]
    np.subtract(a[:, 1:], a[:, :-1], out=body[:, 1:])
    ihdr = struct.pack(">IIBBBBB", w, h, 8, modes[img.mode], 0, 0, 0)
    idat = _deflate(raw.data.cast("B"), _PNG_LEVEL)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def encode_jpeg(img: Image.Image, quality: int = 85) -> bytes:
    """Encode as baseline JPEG (RGB, 4:2:0), e.g. for thumbnails and MJ-style CDN links."""
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be in 1..100, got {quality}")
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
