"""What the review pages show, built from figures read through
`indicators.selectors`: numbers, the status badge, ranks that name their map, a
unit's page, and the below-target overview. No queries of its own."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from indicators import selectors
from indicators.agency_ranks import AgencyRank, agency_ranks
from indicators.charts import Series, trend_svg
from indicators.exports import period_label, unit_name
from indicators.models import IndicatorValue, Level
from surveys.models import Province

Certainty = IndicatorValue.Certainty

# The map a rank is on, in the words of the published tables.
MAP_NAMES = {
    Province.Map.MAP_2008: _("63 provinces"),
    Province.Map.MAP_2025: _("34 provinces and cities from 1/7/2025"),
}


def number(figure: float | None, decimals: int = 2) -> str:
    if figure is None:
        return "–"
    return formats.number_format(round(figure, decimals), decimals)


def interval(value: IndicatorValue) -> str:
    if value.ci_low is None:
        return "–"
    decimals = value.definition.decimals
    return f"{number(value.ci_low, decimals)} – {number(value.ci_high, decimals)}"


def status_text(status: str, certainty: str = "") -> str:
    """The badge in words: "below target, within the margin of error"."""
    label = str(IndicatorValue.Status(status).label)
    if certainty:
        return f"{label}, {Certainty(certainty).label}"
    return label


def status_badge(status: str, certainty: str = "") -> str:
    """The status as one badge; a "±" marks a status within the margin of error
    (the 95% interval reaches across the target), said in words to screen
    readers and in the badge's tooltip."""
    label = IndicatorValue.Status(status).label
    if certainty == Certainty.MARGIN:
        return format_html(
            '<span class="status-badge status-{} certainty-margin" title="{}">{}'
            '<span class="certainty-marker" aria-hidden="true">±</span>'
            '<span class="visually-hidden"> ({})</span></span>',
            status,
            status_text(status, certainty),
            label,
            Certainty.MARGIN.label,
        )
    return format_html(
        '<span class="status-badge status-{}" title="{}">{}</span>',
        status,
        status_text(status, certainty),
        label,
    )


def rank_change_arrow(change: int | None) -> str:
    """▲ 2 for a province up two places, ▼ 3 down three, = unchanged."""
    if change is None:
        return "–"
    if change > 0:
        text = gettext("up %(n)d places") % {"n": change}
        return format_html('<span class="rank-up" title="{}">▲ {}</span>', text, change)
    if change < 0:
        text = gettext("down %(n)d places") % {"n": -change}
        return format_html(
            '<span class="rank-down" title="{}">▼ {}</span>', text, -change
        )
    return format_html('<span class="rank-same" title="{}">=</span>', _("unchanged"))


def rank_on_map(rank: int | None, of: int | None, province_map: int | None) -> str:
    """A rank with the map it was ranked on, as "36/63 (63 provinces)"; the map
    on a line of its own where space is short."""
    if rank is None or not of:
        return "–"
    name = MAP_NAMES.get(province_map)
    if not name:
        return f"{rank}/{of}"
    return format_html('{}/{} <span class="rank-map">({})</span>', rank, of, name)


def change_points(current: float | None, previous: float | None, decimals: int):
    """ "+1,25" points since the previous period, "–" without both figures."""
    if current is None or previous is None:
        return "–"
    difference = round(current - previous, decimals)
    sign = "+" if difference > 0 else ""
    return sign + number(difference, decimals)


def figure_row(value: IndicatorValue) -> dict:
    decimals = value.definition.decimals
    return {
        "pk": value.pk,
        "name": unit_name(value),
        "level": Level(value.level).label,
        "value": number(value.value, decimals),
        "interval": interval(value),
        "target": number(value.threshold, 0),
        "respondents": value.respondents,
        "rank": rank_on_map(value.rank_national, value.rank_national_of, value.map),
        "badge": status_badge(value.status, value.certainty),
        "certainty": value.get_certainty_display() or "–",
    }


def agency_rank_texts(rank: AgencyRank | None) -> dict:
    """An agency's ranks in words: "3/7" in its province, "12/63" of its kind."""
    if rank is None:
        return {"province": "–", "kind": "–"}
    return {
        "province": f"{rank.province}/{rank.province_of}" if rank.province else "–",
        "kind": f"{rank.kind}/{rank.kind_of}",
    }


def agency_rank_cells(rank: AgencyRank | None) -> tuple[str, str]:
    """An agency's ranks for the review list's two rank columns: among agencies
    of its kind ("12/63 (agencies of its kind)") and in its province ("3/7 (in
    its province)"); "–" where it is not ranked."""
    if rank is None:
        return "–", "–"
    kind = format_html(
        '{}/{} <span class="rank-map">({})</span>',
        rank.kind,
        rank.kind_of,
        gettext("agencies of its kind"),
    )
    if not rank.province:
        return kind, "–"
    province = format_html(
        '{}/{} <span class="rank-map">({})</span>',
        rank.province,
        rank.province_of,
        gettext("in its province"),
    )
    return kind, province


def below_target_rows(values: list[IndicatorValue]) -> list[dict]:
    """The overview's rows: each figure with its gap to the target, change since
    the previous year, rank and three weakest criteria."""
    previous = selectors.previous_values(values=values)
    weakest = selectors.weakest_criteria(values=values)
    agency = agency_ranks(values=values)
    english = (get_language() or "vi").startswith("en")
    rows = []
    for value in values:
        decimals = value.definition.decimals
        row = figure_row(value)
        before = previous.get((value.definition_id, value.level, value.unit_id))
        if value.level == Level.AGENCY:
            ranks = agency_rank_texts(agency.get(value.pk))
            row["rank"] = ranks["province"]
            row["rank_kind"] = ranks["kind"]
        row.update(
            gap=change_points(value.value, value.threshold, decimals),
            change=change_points(value.value, before, decimals),
            weakest=[
                {
                    "code": item["code"],
                    "text": item["text_en"]
                    if english and item["text_en"]
                    else item["text_vi"],
                    "value": number(item["value"], 1),
                }
                for item in weakest.get(value.pk, [])
            ],
        )
        rows.append(row)
    return rows


def unit_page(request: HttpRequest, value: IndicatorValue) -> dict:
    """Everything the unit page shows, from the figure and its trend."""
    decimals = value.definition.decimals
    questionnaire = value.definition.questionnaire
    elements = {e.code: e for e in questionnaire.elements.all()}
    criteria = {c.code: c for c in questionnaire.criteria.select_related("element")}
    element_rows = []
    for code, element in sorted(elements.items(), key=lambda item: item[1].position):
        figures = value.elements.get(code) or {}
        element_rows.append(
            {
                "name": element.name,
                "value": number(figures.get("value"), decimals),
                "interval": (
                    f"{number(figures.get('ci_low'), decimals)} – "
                    f"{number(figures.get('ci_high'), decimals)}"
                ),
                "n": figures.get("n"),
            }
        )
    criterion_rows = []
    for code, figures in selectors.figure_criteria(value=value).items():
        criterion = criteria.get(code)
        criterion_rows.append(
            {
                "code": code,
                "text": criterion.text if criterion else code,
                "element": criterion.element.name if criterion else "",
                "raw": figures.get("value"),
                "value": number(figures.get("value"), decimals),
                "n": figures.get("n"),
                "below": value.threshold is not None
                and figures.get("value") is not None
                and figures["value"] < value.threshold,
            }
        )
    # Weakest first: where to act; criteria without answers last.
    criterion_rows.sort(key=lambda row: (row["raw"] is None, row["raw"] or 0))

    trend = selectors.indicator_trend(user=request.user, value=value)
    keys = [point.period_key for point in trend]
    averages = selectors.province_averages(
        user=request.user, value=value, period_keys=keys
    )
    labels = [period_label(value.period_kind, key) for key in keys]
    series = [
        Series(unit_name(value), [p.value for p in trend], "unit"),
        Series(gettext("target"), [p.threshold for p in trend], "target", dashed=True),
        Series(
            gettext("region average"),
            [averages[k]["region"] for k in keys],
            "region",
            dashed=True,
        ),
        Series(
            gettext("national average"),
            [averages[k]["national"] for k in keys],
            "national",
            dashed=True,
        ),
    ]
    current = averages.get(value.period_key, {})
    chart = trend_svg(
        x_labels=labels,
        series=series,
        title=gettext("%(unit)s: overall index by period") % {"unit": unit_name(value)},
        desc=gettext(
            "Overall satisfaction index (%%) of %(unit)s over %(count)d periods, "
            "with the target, the region average and the national average."
        )
        % {"unit": unit_name(value), "count": len(keys)},
    )
    agency = agency_ranks(values=[value])
    other_map = [
        {
            "pk": other.pk,
            "name": unit_name(other),
            "rank": rank_on_map(other.rank_national, other.rank_national_of, other.map),
            "value": number(other.value, decimals),
        }
        for other in selectors.other_map_figures(user=request.user, value=value)
    ]
    return {
        "other_map": other_map,
        "value": value,
        "row": figure_row(value),
        "agency_rank": agency_rank_texts(agency.get(value.pk))
        if value.level == Level.AGENCY
        else None,
        "elements": element_rows,
        "criteria": criterion_rows,
        "chart": chart,
        "trend": [
            {
                "label": label,
                "value": number(point.value, decimals),
                "target": number(point.threshold, 0),
                "region": number(averages[point.period_key]["region"], decimals),
                "national": number(averages[point.period_key]["national"], decimals),
                "pk": point.pk,
            }
            for label, point in zip(labels, trend, strict=True)
        ],
        "region_average": number(current.get("region"), decimals),
        "national_average": number(
            value.national_average
            if value.national_average is not None
            and "national" not in current.get("withheld", ())
            else current.get("national"),
            decimals,
        ),
        "averages_withheld": any(a["withheld"] for a in averages.values()),
        "region_rank": rank_on_map(value.rank_region, value.rank_region_of, value.map),
        "rank_change": rank_change_arrow(value.rank_change_national),
    }
