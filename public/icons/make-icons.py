#!/usr/bin/env python3
"""Generate Pasokh app icons (PWA, apple-touch, favicon).

Mark: a white speech bubble with a green check mark on the brand green
(#0b6e4f). No fonts are needed; everything is drawn with Pillow primitives,
super-sampled 4x and downscaled for smooth edges.

Usage:  python3 public/icons/make-icons.py      (needs `pip install Pillow`)

Writes into this script's directory:
  icon-192.png, icon-512.png   purpose "any": rounded green square, transparent corners
  maskable-512.png             purpose "maskable": full-bleed green, glyph inside the
                               central 80 % safe-zone circle (checked below)
  apple-touch-icon.png         180x180, opaque, square (iOS rounds it itself)
  favicon-32.png               32x32
and ../favicon.ico (16, 32, 48).
"""
from __future__ import annotations

import math
import os
import sys

from PIL import Image, ImageDraw

GREEN = (0x0B, 0x6E, 0x4F, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
SS = 4  # super-sampling factor

HERE = os.path.dirname(os.path.abspath(__file__))


def draw_glyph(d: ImageDraw.ImageDraw, x0: float, y0: float, size: float) -> None:
    """Speech bubble + check mark inside the square box (x0, y0, size)."""

    def p(u: float, v: float) -> tuple[float, float]:
        return (x0 + u * size, y0 + v * size)

    # bubble body
    d.rounded_rectangle([p(0.0, 0.0), p(1.0, 0.78)], radius=0.22 * size, fill=WHITE)
    # bubble tail (bottom, towards the inline start side in RTL = right)
    d.polygon([p(0.50, 0.70), p(0.77, 0.70), p(0.75, 1.0)], fill=WHITE)
    # check mark with round caps and joins
    pts = [p(0.27, 0.41), p(0.44, 0.57), p(0.74, 0.23)]
    w = 0.11 * size
    d.line(pts, fill=GREEN, width=round(w), joint="curve")
    r = w / 2
    for (cx, cy) in (pts[0], pts[-1]):
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=GREEN)


def render(size: int, *, background: str, glyph_frac: float) -> Image.Image:
    """background: 'rounded' (transparent corners) or 'full' (opaque square)."""
    big = size * SS
    img = Image.new("RGBA", (big, big), CLEAR)
    d = ImageDraw.Draw(img)
    if background == "rounded":
        d.rounded_rectangle([0, 0, big - 1, big - 1], radius=round(big * 0.22), fill=GREEN)
    elif background == "full":
        d.rectangle([0, 0, big - 1, big - 1], fill=GREEN)
    else:
        raise ValueError(background)
    g = big * glyph_frac
    off = (big - g) / 2
    # nudge up slightly: the tail makes the body look low otherwise
    draw_glyph(d, off, off - g * 0.02, g)
    return img.resize((size, size), Image.LANCZOS)


def check_safe_zone(img: Image.Image) -> float:
    """Max distance of any light (glyph) pixel from the centre, as a fraction of size."""
    size = img.width
    c = (size - 1) / 2
    px = img.load()
    worst = 0.0
    for y in range(size):
        for x in range(size):
            r, g, b, a = px[x, y]
            if a > 0 and r > 128 and g > 128 and b > 128:
                worst = max(worst, math.hypot(x - c, y - c))
    return worst / size


def main() -> int:
    out = {
        "icon-192.png": render(192, background="rounded", glyph_frac=0.60),
        "icon-512.png": render(512, background="rounded", glyph_frac=0.60),
        "maskable-512.png": render(512, background="full", glyph_frac=0.50),
        "apple-touch-icon.png": render(180, background="full", glyph_frac=0.58).convert("RGB"),
        "favicon-32.png": render(32, background="rounded", glyph_frac=0.70),
    }
    ratio = check_safe_zone(out["maskable-512.png"])
    if ratio > 0.40:
        print(f"maskable glyph leaves the safe zone: r={ratio:.3f} > 0.40", file=sys.stderr)
        return 1
    for name, img in out.items():
        img.save(os.path.join(HERE, name), optimize=True)
        print(f"wrote {name} {img.size[0]}x{img.size[1]}")
    print(f"maskable safe zone ok: glyph radius {ratio:.3f} of size (limit 0.40)")

    ico = render(48, background="rounded", glyph_frac=0.70)
    ico_path = os.path.join(os.path.dirname(HERE), "favicon.ico")
    ico.save(ico_path, sizes=[(16, 16), (32, 32), (48, 48)])
    print("wrote ../favicon.ico 16/32/48")
    return 0


if __name__ == "__main__":
    sys.exit(main())
