"""The map and the trend chart as PNG pictures, for the editable (DOCX) reports:
a word processor shows no SVG. Drawn with Pillow from the same outlines, colours
and hatching as the pages' SVG map."""

from __future__ import annotations

import io
import re

from PIL import Image, ImageChops, ImageDraw, ImageFont

from results.maps import COLOURS, band, outlines
from results.models import Publication, PublishedFigure
from results.templatetags.results_tags import pct

HATCH = (122, 0, 16)
INK = (51, 51, 51)
ACCENT = (11, 79, 138)


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:  # the fonts bin/services installs are missing
        return ImageFont.load_default(size=size)


def _rings(path: str, scale: float) -> list[list[tuple[float, float]]]:
    rings = []
    for ring in re.findall(r"M([^Z]*)Z", path):
        numbers = [float(n) * scale for n in ring.split()]
        rings.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
    return rings


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def map_png(
    *,
    publication: Publication,
    figures: list[PublishedFigure],
    highlight: str | None = None,
    width: int = 900,
) -> bytes:
    """The publication's map: provinces coloured by band, hatched below target,
    `highlight` outlined."""
    data = outlines()
    _x, _y, view_w, view_h = (float(n) for n in data["view_box"].split())
    scale = width / view_w
    size = (width, round(view_h * scale))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    below = Image.new("L", size, 0)
    by_code = {f.code: f for f in figures if f.level == PublishedFigure.Level.PROVINCE}
    shapes = data[str(publication.map)]
    for code, path in shapes.items():
        figure = by_code.get(code)
        colour = COLOURS[band(figure.value if figure else None)]
        for ring in _rings(path, scale):
            draw.polygon(ring, fill=colour, outline="white")
            if figure is not None and figure.status == PublishedFigure.Status.BELOW:
                ImageDraw.Draw(below).polygon(ring, fill=255)
    lines = Image.new("L", size, 0)
    stripes = ImageDraw.Draw(lines)
    for offset in range(-size[1], size[0], 10):
        stripes.line([(offset, size[1]), (offset + size[1], 0)], fill=255, width=2)
    image.paste(HATCH, mask=ImageChops.multiply(below, lines))
    if highlight in shapes:
        for ring in _rings(shapes[highlight], scale):
            draw.line([*ring, ring[0]], fill=(245, 163, 0), width=5)
    font = _font(round(13 * scale))
    names = {"hoang_sa": "Hoàng Sa", "truong_sa": "Trường Sa"}
    for key, name in names.items():
        x, y = (value * scale for value in data["islands"][key])
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=(85, 85, 85))
        draw.text(
            (x + 6 * scale, y + 16 * scale),
            name,
            fill=(51, 51, 51),
            font=font,
            anchor="rs",
        )
    return _png(image)


def trend_png(points: list[tuple[int, float | None]], *, decimals: int) -> bytes:
    """A line of a unit's index over the years, labelled with its figures."""
    width, height, left, right, top, bottom = 900, 360, 70, 30, 30, 50
    values = [value for _year, value in points if value is not None]
    low = max(0.0, (min(values) // 5) * 5 - 5)
    high = min(100.0, (max(values) // 5) * 5 + 5)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font(18)

    def xy(index: int, value: float) -> tuple[float, float]:
        span = max(len(points) - 1, 1)
        inset = 50  # the first and last points clear of the axis labels
        x = left + inset + (width - left - right - 2 * inset) * index / span
        y = top + (height - top - bottom) * (1 - (value - low) / (high - low or 5))
        return x, y

    tick = low
    while tick <= high:
        _x, y = xy(0, tick)
        draw.line([(left, y), (width - right, y)], fill=(221, 221, 221), width=1)
        draw.text(
            (left - 10, y), f"{tick:g}", fill=(51, 51, 51), font=font, anchor="rm"
        )
        tick += 5
    line = [xy(i, v) for i, (_year, v) in enumerate(points) if v is not None]
    draw.line(line, fill=ACCENT, width=4)
    for index, (year, value) in enumerate(points):
        x, _y = xy(index, low)
        draw.text(
            (x, height - 20), str(year), fill=(51, 51, 51), font=font, anchor="ms"
        )
        if value is not None:
            x, y = xy(index, value)
            draw.ellipse([x - 6, y - 6, x + 6, y + 6], fill=ACCENT)
            label = pct(value, decimals)
            draw.text((x, y - 12), label, fill=(26, 26, 26), font=font, anchor="ms")
    return _png(image)
