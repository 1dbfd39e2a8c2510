"""The results map: provinces coloured by index, those below target hatched, drawn
on the server as SVG from the outlines that bin/results_map.py builds.

Every province is a link to its page, reachable by the keyboard and named for a
screen reader ("Sơn La: 82,18%, meets target"); the page's table is the
alternative to the map, and a link before the map leads to it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from results.models import Publication, PublishedFigure
from results.templatetags.results_tags import pct

OUTLINES = Path(__file__).resolve().parent / "mapdata" / "provinces.json"
# Fixed bands, so that colours mean the same from one year to the next.
BANDS = [75.0, 80.0, 85.0, 90.0]
# The colours of results.css, written on the shapes of printed maps (a PDF is
# drawn without the site's stylesheet).
COLOURS = {
    "band-1": "#eff3ff",
    "band-2": "#bdd7e7",
    "band-3": "#6baed6",
    "band-4": "#3182bd",
    "band-5": "#08519c",
    "nodata": "#d9d9d9",
}


@cache
def outlines() -> dict:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


def band(value: float | None) -> str:
    """The colour class of an index: band-1 (under 75%) to band-5 (90% or more)."""
    if value is None:
        return "nodata"
    return f"band-{1 + sum(value >= limit for limit in BANDS)}"


def legend() -> list[tuple[str, str]]:
    """(class, label) of each band, lowest first."""
    labels = [_("under %(n)s%%") % {"n": f"{BANDS[0]:g}"}]
    labels += [f"{low:g}–{high:g}%" for low, high in zip(BANDS, BANDS[1:])]  # noqa: B905
    labels.append(_("%(n)s%% or more") % {"n": f"{BANDS[-1]:g}"})
    return [(f"band-{number}", label) for number, label in enumerate(labels, 1)]


def _label(figure: PublishedFigure | None, name: str, decimals: int) -> str:
    if figure is None or figure.value is None:
        return _("%(name)s: not published") % {"name": name}
    status = {
        PublishedFigure.Status.BELOW: _("below target"),
        PublishedFigure.Status.MEETS: _("meets target"),
    }.get(figure.status, "")
    text = f"{figure.name}: {pct(figure.value, decimals)}%"
    return f"{text}, {status}" if status else text


def map_svg(
    *,
    publication: Publication,
    figures: list[PublishedFigure],
    names: dict[str, str],
    links: bool = True,
    highlight: str | None = None,
) -> SafeString:
    """The map of the publication's year (the 2008 or the 2025 units). `names`
    gives the names of provinces without a published figure; `highlight` the
    code of a province outlined on top of the others."""
    data = outlines()
    by_code = {f.code: f for f in figures if f.level == PublishedFigure.Level.PROVINCE}
    title = _("Map of the satisfaction index by province, %(year)s") % {
        "year": publication.year
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{data["view_box"]}" '
        'class="results-map" role="group" aria-labelledby="map-title">'
        f'<title id="map-title">{escape(title)}</title>'
        '<defs><pattern id="hatch" width="5" height="5" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#7a0010" stroke-width="1"/>'
        "</pattern></defs>"
    ]
    for code, path in data[str(publication.map)].items():
        figure = by_code.get(code)
        label = escape(_label(figure, names.get(code, code), publication.decimals))
        css = band(figure.value if figure else None)
        paint = "" if links else f' fill="{COLOURS[css]}" stroke="#fff"'
        shape = f'<path class="province {css}" d="{path}"{paint}/>'
        if figure is not None and figure.status == PublishedFigure.Status.BELOW:
            edge = "" if links else ' stroke="#7a0010"'
            shape += f'<path class="hatch" d="{path}" fill="url(#hatch)"{edge}/>'
        if links and figure is not None:
            url = reverse("results:province", args=[publication.year, code])
            parts.append(
                f'<a href="{url}" aria-label="{label}"><title>{label}</title>'
                f"{shape}</a>"
            )
        else:
            parts.append(f"<g><title>{label}</title>{shape}</g>")
    for key, name in [
        ("hoang_sa", _("Hoàng Sa archipelago")),
        ("truong_sa", _("Trường Sa archipelago")),
    ]:
        x, y = data["islands"][key]
        # Written to the left of the dot: the view box ends just after it.
        parts.append(
            f'<circle class="islands" cx="{x}" cy="{y}" r="2.5" fill="#555"/>'
            f'<text class="islands" x="{x + 6}" y="{y + 16}" font-size="13" '
            f'fill="#333" text-anchor="end">{escape(name)}</text>'
        )
    if highlight in data[str(publication.map)]:
        parts.append(
            f'<path class="highlight" d="{data[str(publication.map)][highlight]}" '
            'fill="none" stroke="#f5a300" stroke-width="2.5"/>'
        )
    parts.append("</svg>")
    # Names and labels went through escape(); paths and numbers are ours.
    return mark_safe("".join(parts))
