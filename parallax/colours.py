"""Outlets' colours and shapes: the palette, the page backgrounds it is drawn on, the WCAG
contrast of two colours, and the look an outlet gets from its id when its record sets none.

No I/O and no other module of the package: the models check an editor's colour with it, the
views give each outlet its look, and the tests measure the page with the same formula.
"""

from __future__ import annotations

import hashlib
import re

SHAPES = ("circle", "square", "triangle", "diamond", "down", "bar")
"""The marks' shapes, in the order of the symbols the pages define (#s1 … #s6)."""

PALETTE: dict[str, tuple[str, str]] = {
    "blue": ("#0a5ea8", "#6cb2ff"),
    "orange": ("#c0410b", "#ff8a5c"),
    "green": ("#007a55", "#3fd19a"),
    "purple": ("#8a3d9e", "#d59bff"),
    "ochre": ("#8a6300", "#e0b850"),
    "magenta": ("#b0176e", "#ff7cc0"),
    "slate": ("#3d5a80", "#9fb8e0"),
    "olive": ("#5d6b00", "#c3d45a"),
}
"""Each named colour as (light scheme, dark scheme); static/style.css declares them as
--c-<name>."""

BACKGROUNDS = {"light": "#ffffff", "dark": "#141414"}
"""The page's background in each colour scheme (static/style.css's --bg)."""

MIN_CONTRAST = 3.0
"""WCAG 2.2 1.4.11: graphics that tell things apart need 3:1 against what is next to them."""

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' (or '#rgb') as three numbers 0–255."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(colour: str | tuple[float, float, float]) -> float:
    """WCAG relative luminance of '#rrggbb' or of (r, g, b) in 0–255."""
    values = rgb(colour) if isinstance(colour, str) else colour

    def linear(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in values)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str | tuple[float, float, float], b: str | tuple[float, float, float]) -> float:
    """WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def contrasts(colour: str) -> dict[str, float]:
    """An editor's colour against the page in each scheme (it is drawn the same in both)."""
    return {scheme: contrast(colour, background) for scheme, background in BACKGROUNDS.items()}


def readable(colour: str) -> str:
    """The colour nearest `colour` on the way to mid grey that has MIN_CONTRAST against the
    page in both schemes: what to write instead of a colour that is too light or too dark."""
    start = rgb(colour)
    for step in range(101):
        share = step / 100
        mixed = tuple(round(c + (128 - c) * share) for c in start)
        candidate = "#{:02x}{:02x}{:02x}".format(*mixed)
        if min(contrasts(candidate).values()) >= MIN_CONTRAST:
            return candidate
    return "#808080"  # pragma: no cover - mid grey itself passes


def colour_problem(colour: str) -> str | None:
    """Why `colour` (a palette name or '#rrggbb') cannot be an outlet's colour, or None."""
    if colour in PALETTE:
        return None
    if not HEX.match(colour):
        return (f"'{colour}' is not a colour: write one of the palette's names "
                f"({', '.join(PALETTE)}) or a colour as '#rrggbb'")
    ratios = contrasts(colour)
    if min(ratios.values()) >= MIN_CONTRAST:
        return None
    shown = " and ".join(f"{ratios[s]:.2f}:1 against the {s} page ({BACKGROUNDS[s]})"
                         for s in BACKGROUNDS)
    return (f"'{colour}' has {shown}; an outlet's marks need at least {MIN_CONTRAST:g}:1 "
            f"against both: write '{readable(colour)}' (the nearest that has it) or one of the "
            f"palette's names ({', '.join(PALETTE)})")


def _hash(source_id: str) -> int:
    return int.from_bytes(hashlib.sha256(source_id.encode("utf-8")).digest()[:8], "big")


def derived(source_id: str) -> tuple[str, str]:
    """The (colour, shape) an outlet gets from its id alone: the same whatever other sources
    there are, or in what order."""
    number = _hash(source_id)
    return (tuple(PALETTE)[number % len(PALETTE)],
            SHAPES[number // len(PALETTE) % len(SHAPES)])


def look(source_id: str, colour: str | None, shape: str | None) -> tuple[str, str]:
    """An outlet's (colour, shape): what its record sets, the rest derived from its id."""
    colour_of, shape_of = derived(source_id)
    return colour or colour_of, shape or shape_of


def free_look(source_id: str, taken: set[tuple[str, str]]) -> tuple[str, str]:
    """A (colour, shape) no other outlet has: the one derived from the id when it is free,
    otherwise the next free pair after it, colours changing first (so a new outlet takes a
    colour no one has while there is one)."""
    pairs = [(c, s) for s in SHAPES for c in PALETTE]
    first = pairs.index(derived(source_id))
    used_colours = {c for c, _ in taken}
    ordered = pairs[first:] + pairs[:first]
    for pair in ordered:
        if pair not in taken and pair[0] not in used_colours:
            return pair
    for pair in ordered:
        if pair not in taken:
            return pair
    return ordered[0]


def css_colour(colour: str) -> str:
    """How the stylesheet writes an outlet's colour: the palette's variable, or the hex."""
    return f"var(--c-{colour})" if colour in PALETTE else colour.lower()
