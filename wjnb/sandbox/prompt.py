"""Reading a prompt for the sandbox renderer: which nouns to draw, how many, in which
colour, on which setting, in which style and weather.

"a red bicycle leaning on a blue wall, watercolour" reads as: subject bicycle painted red,
setting wall painted blue, style watercolor.  A colour word binds to the next noun or
setting within three words; one that binds to nothing is left for the palette.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .vocab import COLOURS, COUNTS, SETTINGS, STYLES, WEATHER, Noun, lookup

__all__ = ["CONTAINERS", "Reading", "Subject", "read"]

RGB = tuple[float, float, float]

#: Nouns that only hold the real subject in "a bowl of ramen", "a cup of coffee".
CONTAINERS = frozenset(
    [
        "bowl",
        "cup",
        "plate",
        "box",
        "bucket",
        "bottle",
        "mug",
        "basket",
        "pile",
        "bunch",
        "slice",
        "piece",
        "jar",
        "bag",
        "glass",
    ]
)
#: When a prompt names several styles, the first of these wins.
_STYLE_ORDER = (
    "pixel",
    "watercolor",
    "sketch",
    "mono",
    "comic",
    "painterly",
    "cinematic",
    "photo",
)
_REACH = 3  # words a colour looks ahead for its noun
#: Generic heads that leave the noun before them as the subject ("cherry tree").
_WEAK_HEADS = frozenset({"tree", "flower", "flowers", "plant", "bush", "leaves", "field"})


def _merge(tokens: list[str]) -> list[str]:
    """Join two-word nouns the lexicon spells as one ("polar bear", "ice cream")."""
    out: list[str] = []
    for w in tokens:
        if out and lookup(out[-1] + w) is not None:
            out[-1] += w
        else:
            out.append(w)
    return out


@dataclass(frozen=True)
class Subject:
    """One noun to draw: the noun, its bound colour (None: natural colours) and a count."""

    noun: Noun
    colour: RGB | None
    count: int


@dataclass(frozen=True)
class Reading:
    """What a prompt asks the renderer to draw."""

    subjects: tuple[Subject, ...] = ()
    setting: str | None = None
    painted: tuple[tuple[str, RGB], ...] = ()  # settings given a colour ("blue wall")
    free_colours: tuple[RGB, ...] = ()
    style: str | None = None
    weather: str | None = None
    words: tuple[str, ...] = field(default=())

    def paint(self, setting: str) -> RGB | None:
        """The colour the prompt gives ``setting`` ("wall", "sky", ...), if any."""
        return dict(self.painted).get(setting)


def _names_thing(word: str) -> bool:
    """True when ``word`` is a noun or a setting a colour can bind to."""
    return word in SETTINGS or (word not in STYLES and lookup(word) is not None)


def _binds_ahead(tokens: list[str], i: int) -> bool:
    """True when a colour word at ``i`` has a noun or setting within reach after it (right
    after it for a word that is a noun too: "an orange cat", not "an orange on a table")."""
    reach = 1 if lookup(tokens[i]) is not None else _REACH
    return any(_names_thing(w) for w in tokens[i + 1 : i + 1 + reach])


def read(tokens: list[str], banned: frozenset[str] = frozenset()) -> Reading:
    """Read lower-case prompt ``tokens`` (stop words kept); nouns in ``banned`` (a negative
    prompt's words) are never drawn."""
    subjects: list[Subject] = []
    painted: dict[str, RGB] = {}
    free: list[RGB] = []
    settings: list[str] = []
    styles: set[str] = set()
    weather: str | None = None
    colour: RGB | None = None
    count: int | None = None
    last_noun = last_colour = -10
    tokens = _merge(tokens)
    for i, w in enumerate(tokens):
        if colour is not None and i - last_colour > _REACH:
            free.append(colour)  # "a white photo of a dog": too far to bind
            colour = None
        if w in COLOURS and (lookup(w) is None or _binds_ahead(tokens, i)):
            if colour is not None:
                free.append(colour)
            colour, last_colour = (None if w in banned else COLOURS[w]), i
            continue
        if w in COUNTS:
            count = COUNTS[w]
            continue
        styles.update([STYLES[w]] if w in STYLES else [])
        weather = weather or WEATHER.get(w)
        if w in SETTINGS:
            settings.append(SETTINGS[w])
            if colour is not None:
                painted.setdefault(SETTINGS[w], colour)
                colour = None
            continue
        hit = None if w in STYLES or w in WEATHER else lookup(w)
        if hit is None:
            continue
        noun, plural = hit
        if (
            subjects
            and last_noun == i - 1
            and (noun.word in _WEAK_HEADS or (noun.person and not subjects[-1].noun.person))
        ):
            last_noun = i
            continue  # "a cherry tree", "a robot barista": the first noun is the subject
        if subjects and (
            (subjects[-1].noun.word in CONTAINERS and "of" in tokens[last_noun:i])
            or last_noun == i - 1
        ):
            colour = colour or subjects[-1].colour
            subjects.pop()  # "a bowl of ramen", "a school bus": the last noun is the subject
        if noun.word not in banned and w not in banned:
            n = count if count is not None else (3 if plural else 1)
            subjects.append(Subject(noun, colour, max(1, min(n, 5))))
        colour, count, last_noun = None, None, i
    if colour is not None:
        free.append(colour)
    if "monochrome" in tokens or "black and white" in " ".join(tokens):
        styles.add("mono")
    style = next((s for s in _STYLE_ORDER if s in styles), None)
    setting = next((s for s in settings if s != "sky"), None)
    return Reading(
        tuple(subjects),
        setting,
        tuple(painted.items()),
        tuple(free),
        style,
        weather,
        tuple(tokens),
    )
