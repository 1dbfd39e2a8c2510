"""The map: outlines for both administrative maps, small enough to ship, and
drawn on the server with a named link per province and hatching below target."""

from __future__ import annotations

import csv
import re

from results.maps import OUTLINES, band, outlines
from results.models import PublishedFigure
from surveys.reference import REFERENCE_DIR


def _codes(name: str) -> set[str]:
    with (REFERENCE_DIR / name).open(encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f)}


def test_the_outlines_cover_both_maps_and_stay_small():
    data = outlines()
    assert set(data["2008"]) == _codes("provinces_2008.csv")
    assert set(data["2025"]) == _codes("provinces_2025.csv")
    assert len(data["2008"]) == 63 and len(data["2025"]) == 34
    assert OUTLINES.stat().st_size < 300 * 1024
    assert "Natural Earth" in data["source"]


def test_indices_fall_in_fixed_bands():
    assert [band(v) for v in (None, 74.99, 75, 82.18, 89.9, 90)] == [
        "nodata",
        "band-1",
        "band-2",
        "band-3",
        "band-4",
        "band-5",
    ]


def test_the_map_links_every_province_and_hatches_those_below_target(published, client):
    html = client.get("/results/2022/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    links = re.findall(r'<a href="/results/2022/(\d+)/" aria-label="([^"]+)">', svg)
    assert len(links) == 63
    assert ("14", "Sơn La: 82,18%, đạt chỉ tiêu") in links
    below = published.figures.filter(
        level=PublishedFigure.Level.PROVINCE, status=PublishedFigure.Status.BELOW
    ).count()
    assert svg.count('class="hatch"') == below > 0
    assert 'href="#table"' in html
    # Drawn on the server: no inline style or script (the page's own scripts are
    # files of the site, as the Content-Security-Policy wants).
    assert " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
