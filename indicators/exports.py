"""Exports of indicator lists, streamed: a CSV is written row by row as the
database cursor yields them, an Excel workbook in openpyxl's write-only mode to a
temporary file, so that a large export neither times out nor sits in memory."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from indicators.models import IndicatorValue, Level, PeriodKind

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


COLUMNS: list[tuple[str, Callable[[IndicatorValue], object]]] = [
    (_("unit"), unit_name),
    (_("level"), lambda v: Level(v.level).label),
    (_("period"), lambda v: period_label(v.period_kind, v.period_key)),
    (_("indicator"), lambda v: v.get_indicator_display()),
    (_("overall index (%)"), lambda v: _rounded(v, v.value)),
    (_("respondents"), lambda v: v.respondents),
    (_("95% interval, low"), lambda v: _rounded(v, v.ci_low)),
    (_("95% interval, high"), lambda v: _rounded(v, v.ci_high)),
    (_("target (%)"), lambda v: v.threshold),
    (_("status"), lambda v: v.get_status_display()),
    (_("national rank"), lambda v: rank_label(v.rank_national, v.rank_national_of)),
    (_("rank in region"), lambda v: rank_label(v.rank_region, v.rank_region_of)),
    (_("change of national rank"), lambda v: v.rank_change_national),
    (_("scoring definition"), lambda v: str(v.definition)),
    (_("id"), lambda v: v.pk),
]


def _cell(cell):
    """Numbers stay numbers (Excel sums them); labels, lazy or not, become text."""
    if cell is None or isinstance(cell, int | float):
        return cell
    return str(cell)


def _rows(queryset: QuerySet[IndicatorValue]) -> Iterator[list]:
    yield [str(header) for header, _getter in COLUMNS]
    for value in queryset.select_related("definition").iterator(chunk_size=CHUNK):
        yield [_cell(getter(value)) for _header, getter in COLUMNS]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, line: str) -> str:
        return line


def csv_response(queryset: QuerySet[IndicatorValue], filename: str):
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # Excel opens UTF-8 (Vietnamese names) only with the BOM
        for row in _rows(queryset):
            yield writer.writerow(["" if cell is None else cell for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(queryset: QuerySet[IndicatorValue], filename: str):
    """Written row by row in write-only mode to a temporary file, then streamed
    from it (a workbook is a zip: it cannot be sent before it is finished)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("indicators"))[:31])
    for row in _rows(queryset):
        sheet.append(row)
    # Closed by FileResponse once sent.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
