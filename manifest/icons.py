"""Draws the app icons (a white handset) with the stdlib; `python -m manifest.icons` redraws."""

from __future__ import annotations

import math
from pathlib import Path

from manifest.png import Image, Pixel, encode_png

ACCENT_COLOR = "#4B53BC"
COLOR_SIZE = 192
OUTLINE_SIZE = 32
ICON_DIR = Path(__file__).resolve().parent
COLOR_FILE = "color.png"
OUTLINE_FILE = "outline.png"

# The handset is an arc of a ring from the earpiece (top) to the mouthpiece (bottom), drawn on
# the unit square; the two sound waves beside it say "calling".
_CENTRE = (0.62, 0.42)
_RING = (0.25, 0.39)
_ARC_DEGREES = (90.0, 210.0)
_WAVES = ((0.16, 0.21), (0.28, 0.33))
_WAVE_DEGREES = (-75.0, -15.0)
_WAVE_CENTRE = (0.56, 0.44)
_CAP_RADIUS = 0.105
_SUPERSAMPLING = 4


def _polar(x: float, y: float, centre: tuple[float, float]) -> tuple[float, float]:
    dx, dy = x - centre[0], y - centre[1]
    return math.hypot(dx, dy), math.degrees(math.atan2(dy, dx))


def _in_ring(
    x: float,
    y: float,
    centre: tuple[float, float],
    ring: tuple[float, float],
    degrees: tuple[float, float],
) -> bool:
    radius, angle = _polar(x, y, centre)
    return ring[0] <= radius <= ring[1] and degrees[0] <= angle <= degrees[1]


def _caps() -> list[tuple[float, float]]:
    middle = sum(_RING) / 2
    return [
        (
            _CENTRE[0] + middle * math.cos(math.radians(a)),
            _CENTRE[1] + middle * math.sin(math.radians(a)),
        )
        for a in _ARC_DEGREES
    ]


def _in_glyph(x: float, y: float) -> bool:
    if _in_ring(x, y, _CENTRE, _RING, _ARC_DEGREES):
        return True
    if any(math.hypot(x - cx, y - cy) <= _CAP_RADIUS for cx, cy in _caps()):
        return True
    return any(_in_ring(x, y, _WAVE_CENTRE, wave, _WAVE_DEGREES) for wave in _WAVES)


def _coverage(px: int, py: int, size: int) -> float:
    """Fraction of the pixel inside the glyph, by supersampling, for anti-aliased edges."""
    n = _SUPERSAMPLING
    hits = sum(
        _in_glyph((px + (i + 0.5) / n) / size, (py + (j + 0.5) / n) / size)
        for i in range(n)
        for j in range(n)
    )
    return hits / (n * n)


def _hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _blend(background: tuple[int, int, int], coverage: float) -> Pixel:
    r, g, b = (round(c + (255 - c) * coverage) for c in background)
    return (r, g, b, 255)


def color_icon() -> Image:
    """192x192, opaque accent background, white handset (the Teams colour icon)."""
    background = _hex_rgb(ACCENT_COLOR)
    rows = tuple(
        tuple(_blend(background, _coverage(x, y, COLOR_SIZE)) for x in range(COLOR_SIZE))
        for y in range(COLOR_SIZE)
    )
    return Image(COLOR_SIZE, COLOR_SIZE, rows)


def outline_icon() -> Image:
    """32x32, white handset on transparent: Teams requires only white and transparent pixels."""
    rows = tuple(
        tuple(
            (255, 255, 255, round(255 * _coverage(x, y, OUTLINE_SIZE))) for x in range(OUTLINE_SIZE)
        )
        for y in range(OUTLINE_SIZE)
    )
    return Image(OUTLINE_SIZE, OUTLINE_SIZE, rows)


def write_icons(directory: Path = ICON_DIR) -> None:
    (directory / COLOR_FILE).write_bytes(encode_png(color_icon()))
    (directory / OUTLINE_FILE).write_bytes(encode_png(outline_icon()))


if __name__ == "__main__":
    write_icons()
