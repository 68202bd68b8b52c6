"""The committed icons meet Teams' rules: sizes, an opaque colour icon, a white outline."""

from __future__ import annotations

import pytest

from manifest.icons import (
    COLOR_FILE,
    ICON_DIR,
    OUTLINE_FILE,
    color_icon,
    outline_icon,
)
from manifest.png import Image, PngError, decode_png, encode_png


def _load(name: str) -> Image:
    return decode_png((ICON_DIR / name).read_bytes())


def test_the_colour_icon_is_192_pixels_square_and_opaque() -> None:
    icon = _load(COLOR_FILE)

    assert (icon.width, icon.height) == (192, 192)
    assert {alpha for *_, alpha in icon.pixels()} == {255}


def test_the_outline_icon_is_32_pixels_square_white_on_transparent() -> None:
    icon = _load(OUTLINE_FILE)
    pixels = icon.pixels()

    assert (icon.width, icon.height) == (32, 32)
    assert {(r, g, b) for r, g, b, alpha in pixels if alpha > 0} == {(255, 255, 255)}
    assert icon.rows[0][0][3] == 0
    assert 0.1 < sum(1 for *_, alpha in pixels if alpha > 0) / len(pixels) < 0.6


@pytest.mark.slow
def test_the_committed_icons_are_what_the_drawing_code_makes() -> None:
    assert (ICON_DIR / COLOR_FILE).read_bytes() == encode_png(color_icon())
    assert (ICON_DIR / OUTLINE_FILE).read_bytes() == encode_png(outline_icon())


def test_a_png_round_trips_through_the_codec() -> None:
    image = Image(2, 2, (((1, 2, 3, 4), (5, 6, 7, 8)), ((9, 10, 11, 12), (13, 14, 15, 255))))

    assert decode_png(encode_png(image)) == image


def test_the_decoder_rejects_what_is_not_a_png() -> None:
    with pytest.raises(PngError, match="signature"):
        decode_png(b"GIF89a")
