"""The review list's CSV and workbook written by PostgreSQL: cell for cell the
file the Python writer made, in both languages (the workbook's numbers as
numbers), and scoped like the list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators import exports
from indicators.exports import (
    csv_response,
    number_columns,
    xlsx_response,
)
from indicators.models import IndicatorValue
from indicators.selectors import indicator_values_for
from indicators.xlsx_sql import CONTENT_TYPE, Column, _unescaped, xlsx_chunks

EXPORT = "admin:indicators_indicatorvalue_export"


def _cell(cell):
    """Numbers stay numbers (Excel sums them); labels, lazy or not, become text."""
    if cell is None or isinstance(cell, int | float):
        return cell
    return str(cell)


def _python_rows(queryset: QuerySet[IndicatorValue], columns: list) -> Iterator[list]:
    yield [str(column[0]) for column in columns]
    values = queryset.select_related("definition__questionnaire")
    for value in values.iterator(chunk_size=exports.CHUNK):
        yield [_cell(column[2](value)) for column in columns]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, line: str) -> str:
        return line


def python_csv_response(queryset: QuerySet[IndicatorValue], filename: str):
    """The same file written row by row in Python: the reference the file
    written by PostgreSQL is compared with."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # Excel opens UTF-8 (Vietnamese names) only with the BOM
        for row in _python_rows(queryset, exports._columns()):
            yield writer.writerow(["" if cell is None else cell for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_the_copied_csv_equals_the_python_written_one_in_both_languages(sipas):
    queryset = IndicatorValue.objects.order_by("-period_key", "name_vi", "pk")
    # Months, quarters and years; whole and fractional figures, empty ones.
    assert set(queryset.values_list("period_kind", flat=True)) == {1, 2, 3}
    first, second, third = queryset[:3]
    IndicatorValue.objects.filter(pk=first.pk).update(
        value=None, ci_low=None, ci_high=None, threshold=None, certainty=""
    )
    IndicatorValue.objects.filter(pk=second.pk).update(value=85.0, threshold=80.5)
    IndicatorValue.objects.filter(pk=third.pk).update(value=79.99999, ci_low=0.004)
    for language in ("vi", "en"):
        with translation.override(language):
            copied = _rows(csv_response(queryset, "x"))
            written = _rows(python_csv_response(queryset, "x"))
        assert copied[0] == written[0]
        assert len(copied) == len(written)
        for copied_row, written_row in zip(copied, written, strict=True):
            assert copied_row == written_row


def test_an_officials_copied_export_holds_only_their_units(
    login, son_la_official, sipas, son_la
):
    client = login(son_la_official)
    rows = _rows(client.get(reverse(EXPORT, args=["csv"]), {"period": "all"}))
    body = rows[1:]
    assert son_la.name_vi in {row[0] for row in body}
    exported = {int(row[-1]) for row in body}  # the last column is the id
    visible = indicator_values_for(user=son_la_official)
    assert exported <= set(visible.values_list("pk", flat=True))
    assert (
        not IndicatorValue.objects.filter(pk__in=exported)
        .exclude(province_id__in=[son_la.id, son_la.successor_id])
        .exclude(level__gt=2)
        .exists()
    )


def _sheet_rows(response) -> list[list]:
    assert response["Content-Type"] == CONTENT_TYPE
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _as_csv_cell(cell) -> str:
    return "" if cell is None else str(cell)


def test_the_workbook_holds_the_csv_cells_numbers_as_numbers_in_both_languages(
    sipas,
):
    queryset = IndicatorValue.objects.order_by("-period_key", "name_vi", "pk")
    first, second = queryset[:2]
    IndicatorValue.objects.filter(pk=first.pk).update(
        value=None, ci_low=None, threshold=None, certainty=""
    )
    # What XML and COPY's text format both escape, and a character XML refuses.
    IndicatorValue.objects.filter(pk=second.pk).update(
        name_vi="A & B <c> \\ d\ne\tf\x01", name_en="", value=85.0
    )
    numbers = number_columns()
    for language in ("vi", "en"):
        with translation.override(language):
            copied = _rows(csv_response(queryset, "x"))
            sheet = _sheet_rows(xlsx_response(queryset, "x"))
        assert sheet[0] == copied[0]
        assert len(sheet) == len(copied) > 100
        for sheet_row, csv_row in zip(sheet[1:], copied[1:], strict=True):
            assert [_as_csv_cell(c) for c in sheet_row] == [
                cell.replace("\x01", "") for cell in csv_row
            ]
            for index, cell in enumerate(sheet_row):
                if cell is not None:
                    assert isinstance(cell, int | float) == (index in numbers)
    assert "A & B <c> \\ d\ne\tf" in {row[0] for row in sheet}


def test_an_officials_workbook_holds_only_their_units(
    login, son_la_official, sipas, son_la
):
    client = login(son_la_official)
    rows = _sheet_rows(client.get(reverse(EXPORT, args=["xlsx"]), {"period": "all"}))
    exported = {row[-1] for row in rows[1:]}
    assert son_la.name_vi in {row[0] for row in rows[1:]}
    visible = indicator_values_for(user=son_la_official)
    assert exported == set(visible.filter(pk__in=exported).values_list("pk", flat=True))
    assert not (
        IndicatorValue.objects.filter(pk__in=exported)
        .exclude(province_id__in=[son_la.id, son_la.successor_id])
        .exclude(level__gt=2)
        .exists()
    )


def test_copys_escapes_become_xml_also_across_chunks():
    assert _unescaped(b"a\\\\b\\nc\\td\\re\\bf") == (b"a\\b&#10;c&#9;d&#13;ef", b"")
    assert _unescaped(b"name\\") == (b"name", b"\\")


def test_an_empty_list_gives_a_workbook_with_its_header_only():
    columns = [Column("đơn vị", 40), Column("năm", 8, number=True)]
    body = b"".join(xlsx_chunks(None, [], columns, "chỉ số"))
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.active
    assert sheet.title == "chỉ số"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["đơn vị", "năm"]]
    assert sheet.auto_filter.ref == "A1:B1" and sheet.freeze_panes == "B2"
    assert sheet["A1"].font.b


def test_an_export_gives_the_session_its_settings_back(sipas):
    from django.db import connection

    def settings() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
            return cursor.fetchone()

    before = settings()
    queryset = IndicatorValue.objects.order_by("pk")
    with translation.override("vi"):
        assert len(_sheet_rows(xlsx_response(queryset, "x"))) > 1
    assert settings() == before


@pytest.mark.django_db
def test_text_is_escaped_in_sql_unless_it_comes_escaped_and_numbers_keep_formats():
    columns = [
        Column("tên", 40),
        Column("nhãn", 12, escaped=True),
        Column("chỉ số", 12, number=True, number_format='0.00"%"'),
    ]
    select = "SELECT 'A & B <c>', 'Q &amp; A', CAST(82.5 AS double precision)"
    body = b"".join(xlsx_chunks(select, [], columns, "x"))
    sheet = load_workbook(io.BytesIO(body)).active
    assert [c.value for c in sheet[2]] == ["A & B <c>", "Q & A", 82.5]
    assert sheet["C2"].number_format == '0.00"%"'
    assert sheet.column_dimensions["A"].width == 40
