#!/usr/bin/env python3
"""Writes examples/hero.png, the demo's reference image: a 64x64 RGB PNG
(a figure on a sky), made with the standard library only (zlib, struct), the
same bytes every time. The PNG layout is the PNG specification's (RFC 2083,
W3C PNG 2nd edition): signature, IHDR, IDAT (zlib, filter 0 per row), IEND,
each chunk with its CRC-32.

    python3 examples/make-hero-png.py [OUT]      (default: beside this script)
"""
import os
import struct
import sys
import zlib

W = H = 64


def pixel(x, y):
    """The figure: a round head, a body, arms up; a sky with a sun, grass."""
    sky = (110 + y, 170 + y // 2, 235)
    if y >= 54:
        return (60, 150 - (y - 54) * 4, 60)                    # grass
    if (x - 52) ** 2 + (y - 10) ** 2 <= 36:
        return (250, 210, 60)                                   # sun
    if (x - 32) ** 2 + (y - 16) ** 2 <= 49:
        if y == 15 and x in (29, 35):
            return (30, 30, 30)                                 # eyes
        return (240, 195, 160)                                  # head
    if 24 <= y < 42 and 27 <= x <= 37:
        return (200, 40, 50)                                    # body (a red suit)
    if 42 <= y < 54 and (28 <= x <= 31 or 33 <= x <= 36):
        return (40, 50, 120)                                    # legs
    if 12 <= y < 26 and x in (26 - (26 - y) // 2, 25 - (26 - y) // 2):
        return (200, 40, 50)                                    # left arm, raised
    if 12 <= y < 26 and x in (38 + (26 - y) // 2, 39 + (26 - y) // 2):
        return (200, 40, 50)                                    # right arm, raised
    return sky


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png():
    rows = b"".join(b"\x00" + bytes(c for x in range(W) for c in pixel(x, y)) for y in range(H))
    ihdr = struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)        # 8 bits, truecolour, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "hero.png")
    data = png()
    with open(out, "wb") as f:
        f.write(data)
    print("%s: %d bytes, %dx%d" % (out, len(data), W, H))
