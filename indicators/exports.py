"""Exports of the review list, streamed as PostgreSQL writes them: the CSV
(indicators.export_sql) and the Excel workbook (indicators.xlsx_sql) hold the
same columns; the Python writer of the same CSV is kept to test them against."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from indicators.models import IndicatorValue, Level, PeriodKind
from surveys.models import Province, Region

CHUNK = 2000


def period_label(kind: int, key: int) -> str:
    """2022, "Q1/2022" for a quarter (Vietnamese: "Quý 1/2022"), "03/2022"."""
    if kind == PeriodKind.YEAR:
        return str(key)
    if kind == PeriodKind.QUARTER:
        year, quarter = divmod(key, 10)
        return gettext("Q%(quarter)d/%(year)d") % {"quarter": quarter, "year": year}
    year, month = divmod(key, 100)
    return f"{month:02d}/{year}"


def rank_label(rank: int | None, of: int | None) -> str:
    return f"{rank}/{of}" if rank is not None and of else ""


def _rounded(value: IndicatorValue, figure: float | None):
    return None if figure is None else round(figure, value.definition.decimals)


def unit_name(value: IndicatorValue) -> str:
    if (get_language() or "vi").startswith("en") and value.name_en:
        return value.name_en
    return value.name_vi


def _region_names() -> dict[int, str]:
    """Region names in the active language: six rows, read once per export."""
    return {region.pk: region.name for region in Region.objects.all()}


NUMBER, LABEL, TEXT = "number", "label", "text"


def _columns() -> list[tuple[str, int, Callable[[IndicatorValue], object], str]]:
    """(header, width in characters, cell, kind) of every column of an export.
    The kind is NUMBER for cells that are numbers (a workbook stores them as
    numbers), LABEL for text made of labels the export passes to the database
    (a workbook's are escaped for XML before), TEXT for the rest."""
    regions = _region_names()
    maps = dict(Province.Map.choices)
    return [
        (_("unit"), 40, unit_name, TEXT),
        (_("level"), 12, lambda v: Level(v.level).label, LABEL),
        (_("region"), 28, lambda v: regions.get(v.region_id, ""), LABEL),
        (_("map"), 26, lambda v: maps.get(v.map, ""), LABEL),
        (_("period"), 10, lambda v: period_label(v.period_kind, v.period_key), LABEL),
        (_("year"), 8, lambda v: v.period_start.year, NUMBER),
        (_("indicator"), 22, lambda v: v.get_indicator_display(), LABEL),
        (_("overall index (%)"), 12, lambda v: _rounded(v, v.value), NUMBER),
        (_("respondents"), 12, lambda v: v.respondents, NUMBER),
        (_("95% interval, low"), 12, lambda v: _rounded(v, v.ci_low), NUMBER),
        (_("95% interval, high"), 12, lambda v: _rounded(v, v.ci_high), NUMBER),
        (_("target (%)"), 10, lambda v: v.threshold, NUMBER),
        (_("status"), 18, lambda v: v.get_status_display(), LABEL),
        (_("certainty"), 24, lambda v: v.get_certainty_display(), LABEL),
        (_("national rank"), 10, lambda v: v.rank_national, NUMBER),
        (_("provinces ranked nationally"), 10, lambda v: v.rank_national_of, NUMBER),
        (_("rank in region"), 10, lambda v: v.rank_region, NUMBER),
        (_("provinces ranked in region"), 10, lambda v: v.rank_region_of, NUMBER),
        (_("change of national rank"), 10, lambda v: v.rank_change_national, NUMBER),
        (_("questionnaire"), 16, lambda v: v.definition.questionnaire.code, TEXT),
        (_("scoring definition"), 16, lambda v: str(v.definition), TEXT),
        (_("id"), 10, lambda v: v.pk, NUMBER),
    ]


def number_columns() -> set[int]:
    """The positions of the columns whose cells are numbers."""
    return {index for index, column in enumerate(_columns()) if column[3] == NUMBER}


LEVEL_SLUGS = {
    Level.AGENCY: "co-quan",
    Level.PROVINCE: "tinh",
    Level.REGION: "vung",
    Level.NATION: "ca-nuoc",
}


def export_filename(
    *,
    level: int | None,
    kind: int | None,
    period: int | None,
    day: dt.date,
    questionnaire: str = "",
) -> str:
    """What an export holds, in its name: chi-so-hai-long_tinh_2023_2026-12-06
    (level, period, day of export); "tat-ca" for a filter left at all; the
    questionnaire's code before the level when it is not SIPAS (or "tat-ca")."""
    if period is None or kind is None:
        period_part = "tat-ca"
    elif kind == PeriodKind.YEAR:
        period_part = str(period)
    elif kind == PeriodKind.QUARTER:
        year, quarter = divmod(period, 10)
        period_part = f"{year}-q{quarter}"
    else:
        year, month = divmod(period, 100)
        period_part = f"{year}-{month:02d}"
    level_part = LEVEL_SLUGS.get(level, "tat-ca")
    parts = ["chi-so-hai-long", questionnaire, level_part, period_part, day.isoformat()]
    return "_".join(part for part in parts if part)


def csv_response(queryset: QuerySet[IndicatorValue], filename: str):
    """Written by PostgreSQL (indicators.export_sql), with these headers."""
    from indicators.export_sql import review_csv_response

    headers = [str(column[0]) for column in _columns()]
    return review_csv_response(queryset, headers, filename)


def xlsx_response(queryset: QuerySet[IndicatorValue], filename: str):
    """The same rows as the CSV, written by PostgreSQL into the sheet
    (indicators.xlsx_sql): numbers as numbers, the header frozen and filtered."""
    from indicators.export_sql import bound_sql, review_rows
    from indicators.xlsx_sql import Column, xml_text
    from indicators.xlsx_sql import xlsx_response as workbook_response

    columns = [
        Column(
            str(header),
            width,
            number=kind == NUMBER,
            escaped=kind == LABEL,
        )
        for header, width, _getter, kind in _columns()
    ]
    sql, params = bound_sql(review_rows(queryset, xml_text))
    return workbook_response(
        sql, params, columns, title=str(_("indicators")), filename=filename
    )
