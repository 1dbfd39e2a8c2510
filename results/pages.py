"""What the public pages (and the printed reports) show of a publication: the
national table, a province's detail, the data dictionary. Plain data for the
templates; names in the active language."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.charts import Series, trend_svg
from results import maps, opendata, selectors
from results.models import Publication, PublishedFigure
from surveys.models import Province, Region

PROVINCE = PublishedFigure.Level.PROVINCE
# Sorts of the national table: the default, then columns sorted in the order a
# reader expects (names A to Z, figures highest first).
SORTS = ["rank", "name", "region", "change", "gap"]


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _name(item: dict, field: str = "name") -> str:
    if _english() and item.get(f"{field}_en"):
        return item[f"{field}_en"]
    return item.get(f"{field}_vi", "")


def elements_of(publication: Publication) -> list[dict]:
    """Elements with their criteria, names in the active language."""
    return [
        {
            "code": element["code"],
            "name": _name(element),
            "criteria": [
                {"code": c["code"], "text": _name(c, "text")}
                for c in element["criteria"]
            ],
        }
        for element in publication.definition["elements"]
    ]


def region_names() -> dict[str, str]:
    return {region.code: region.name for region in Region.objects.all()}


def sort_key(requested: str | None, publication: Publication) -> str:
    allowed = SORTS + [f"el-{e['code']}" for e in publication.definition["elements"]]
    return requested if requested in allowed else "rank"


def _sorted(rows: list[PublishedFigure], sort: str) -> list[PublishedFigure]:
    def highest(value: float | None) -> tuple:
        return (value is None, -(value or 0))

    keys = {
        "rank": lambda f: (f.rank_national or 0, f.name_vi),
        "name": lambda f: f.name,
        "region": lambda f: (f.region_code, f.rank_region or 0),
        "change": lambda f: highest(f.change),
        "gap": lambda f: highest(f.gap_to_mean),
    }
    if sort.startswith("el-"):
        code = sort[3:]
        return sorted(rows, key=lambda f: highest(f.elements.get(code)))
    return sorted(rows, key=keys[sort])


def year_title(publication: Publication) -> str:
    return _("Satisfaction index %(year)s") % {"year": publication.year}


def province_title(publication: Publication, figure: PublishedFigure) -> str:
    return f"{figure.name}: {year_title(publication)}"


def year_context(publication: Publication, sort: str) -> dict:
    figures = selectors.figures_of(publication=publication)
    provinces = [f for f in figures if f.level == PROVINCE]
    regions = region_names()
    region_rows = [f for f in figures if f.level == PublishedFigure.Level.REGION]
    for row in region_rows:
        row.display_name = regions.get(row.code, row.name)
    names = {p.code: p.name for p in Province.objects.filter(map=publication.map)}
    return {
        "publication": publication,
        "title": year_title(publication),
        "map": maps.map_svg(publication=publication, figures=provinces, names=names),
        "legend": maps.legend(),
        "decimals": publication.decimals,
        "elements": elements_of(publication),
        "regions": regions,
        "rows": _sorted(provinces, sort),
        "sort": sort,
        "meeting": sum(f.status == PublishedFigure.Status.MEETS for f in provinces),
        "ranked": len(provinces),
        "nation": next((f for f in figures if f.level == "nation"), None),
        "region_rows": region_rows,
        "versions": list(publication.__class__.objects.filter(year=publication.year)),
        "years": selectors.published_years(),
    }


def _trend_chart(publication: Publication, figure: PublishedFigure):
    trend = selectors.province_trend(code=figure.code, map=publication.map)
    if len(trend) < 2:
        return trend, None
    years = [str(year) for year, _value in trend]
    chart = trend_svg(
        x_labels=years,
        series=[Series(figure.name, [value for _y, value in trend], "unit")],
        title=_("Index of %(name)s by year") % {"name": figure.name},
        desc=", ".join(
            f"{year}: {value:.{publication.decimals}f}%"
            for year, value in trend
            if value is not None
        ),
    )
    return trend, chart


def province_context(publication: Publication, figure: PublishedFigure) -> dict:
    elements = elements_of(publication)
    rated = []
    for element in elements:
        element["value"] = figure.elements.get(element["code"])
        for criterion in element["criteria"]:
            counts = figure.counts.get(criterion["code"])
            criterion["rate"] = figure.criteria.get(criterion["code"])
            criterion["answered"] = sum(counts[1:]) if counts else 0
            criterion["element"] = element["name"]
            if criterion["rate"] is not None:
                rated.append(criterion)
    trend, chart = _trend_chart(publication, figure)
    return {
        "publication": publication,
        "figure": figure,
        "title": province_title(publication, figure),
        "decimals": publication.decimals,
        "region": region_names().get(figure.region_code, ""),
        "elements": elements,
        "weakest": sorted(rated, key=lambda c: c["rate"])[:5],
        "agencies": selectors.province_agencies(
            publication=publication, code=figure.code
        ),
        "trend": trend,
        "chart": chart,
    }


def data_context() -> dict:
    return {
        "columns": opendata.COLUMNS,
        "latest": selectors.latest_publication(),
    }
