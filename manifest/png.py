"""Minimal stdlib PNG codec for 8-bit RGBA images: enough to draw and check the app icons."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGBA = 6
_BYTES_PER_PIXEL = 4

Pixel = tuple[int, int, int, int]


@dataclass(frozen=True)
class Image:
    """An RGBA image as rows of pixels; (0, 0) is the top left corner."""

    width: int
    height: int
    rows: tuple[tuple[Pixel, ...], ...]

    def pixels(self) -> list[Pixel]:
        return [pixel for row in self.rows for pixel in row]


class PngError(ValueError):
    """The bytes are not a PNG this codec understands (8-bit RGBA, not interlaced)."""


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def encode_png(image: Image) -> bytes:
    """Encode an RGBA image; every row uses filter 0, which keeps the output reproducible."""
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, _RGBA, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes(c for pixel in row for c in pixel) for row in image.rows)
    return (
        SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG: bad signature")
    chunks, offset = [], len(SIGNATURE)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def _paeth(left: int, up: int, up_left: int) -> int:
    estimate = left + up - up_left
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
    return (left, up, up_left)[distances.index(min(distances))]


def _unfilter(kind: int, line: bytes, previous: bytes) -> bytes:
    out = bytearray(len(line))
    for i, value in enumerate(line):
        left = out[i - _BYTES_PER_PIXEL] if i >= _BYTES_PER_PIXEL else 0
        up = previous[i]
        up_left = previous[i - _BYTES_PER_PIXEL] if i >= _BYTES_PER_PIXEL else 0
        predictor = (0, left, up, (left + up) // 2, _paeth(left, up, up_left))[kind]
        out[i] = (value + predictor) & 0xFF
    return bytes(out)


def decode_png(data: bytes) -> Image:
    """Decode an 8-bit RGBA, non-interlaced PNG (any of the five row filters)."""
    chunks = _chunks(data)
    if not chunks or chunks[0][0] != b"IHDR":
        raise PngError("not a PNG: IHDR must come first")
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (depth, color, interlace) != (8, _RGBA, 0):
        raise PngError(
            f"unsupported PNG: depth {depth}, colour type {color}, interlace {interlace}"
        )
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * _BYTES_PER_PIXEL
    rows: list[tuple[Pixel, ...]] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], previous)
        rows.append(tuple(_pixel(line, x) for x in range(width)))
        previous = line
    return Image(width, height, tuple(rows))


def _pixel(line: bytes, x: int) -> Pixel:
    r, g, b, a = line[x * 4 : x * 4 + 4]
    return (r, g, b, a)
