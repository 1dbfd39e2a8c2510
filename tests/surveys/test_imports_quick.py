"""The quick check of paper-import rows against the full check: it may leave a
row to the full check, but what it accepts must be what the full check stores,
and a file's errors must be the same with it and without it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.conf import settings
from django.utils import timezone

import surveys.imports
from surveys.imports import (
    CHANNELS,
    ImportReport,
    _check_row_line,
    csv_columns,
    responses_import,
)
from surveys.imports_quick import row_quick_check
from surveys.models import Agency, Procedure, Response
from tests.surveys.helpers import as_csv
from tests.surveys.test_imports import paper_rows

UID = "0b8d7e52-8a51-4c11-9a43-0e2f3d1c9b10"


def _today(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# (column, cell) written over a good row; None is "the column left out".
EDITS = [
    ("uid", UID),
    ("uid", UID.upper()),
    ("uid", "{" + UID + "}"),
    ("uid", UID.replace("-", "")),
    ("uid", "urn:uuid:" + UID),
    ("uid", f" {UID} "),
    ("uid", UID[:-1]),
    ("uid", UID[:-1] + "g"),
    ("uid", ""),
    ("agency", "nowhere"),
    ("agency", " 14-centre"),
    ("agency", "14-CENTRE"),
    ("agency", ""),
    ("agency", "22-centre"),  # no longer taking part (see the fixture)
    ("procedure", ""),
    ("procedure", "HT-KS "),
    ("procedure", "NO-SUCH"),
    ("channel", "online"),
    ("channel", "post"),
    ("channel", " post"),
    ("channel", "fax"),
    ("channel", "ONLINE"),
    ("channel", ""),
    ("responded_on", "2000-01-01"),
    ("responded_on", "1999-12-31"),
    ("responded_on", "20250314"),
    ("responded_on", "2025-W11-5"),
    ("responded_on", "2025-02-30"),
    ("responded_on", "15/03/2025"),
    ("responded_on", " 2025-03-14"),
    ("responded_on", ""),
    ("responded_on", "today"),
    ("responded_on", "tomorrow"),
    ("ACCESS_1", "0"),
    ("ACCESS_1", "5"),
    ("ACCESS_1", "6"),
    ("ACCESS_1", "7"),
    ("ACCESS_1", "-1"),
    ("ACCESS_1", "+4"),
    ("ACCESS_1", "04"),
    ("ACCESS_1", " 4 "),
    ("ACCESS_1", "4.0"),
    ("ACCESS_1", "0_4"),
    ("ACCESS_1", "٤"),  # an Arabic-Indic four: int() reads it
    ("ACCESS_1", "x"),
    ("ACCESS_1", ""),
    ("ACCESS_1", None),
    ("FEEDBACK_4", ""),
    ("FEEDBACK_4", "0"),
    ("FEEDBACK_4", "³"),
    ("gender", "2"),
    ("gender", "3"),
    ("gender", "4"),
    ("gender", "0"),
    ("gender", "01"),
    ("gender", " 1"),
    ("gender", "x"),
    ("gender", ""),
    ("occupation", "8"),
    ("occupation", "9"),
    ("occupation", None),
    ("suggestion", "Cần thêm chỗ ngồi chờ"),
    ("suggestion", "  padded  "),
    ("suggestion", "tab\there, hai\ndòng, windows\r\n, C:\\giấy tờ \\N"),
    ("suggestion", "ends with a unit separator\x1f"),
    ("suggestion", "escape \x1b[2J"),
    ("suggestion", "nul \x00"),
    ("suggestion", "c1 \x85 next line"),
    ("suggestion", "x" * settings.SURVEY_SUGGESTION_MAX_LENGTH),
    ("suggestion", "x" * (settings.SURVEY_SUGGESTION_MAX_LENGTH + 1)),
    ("suggestion", None),
]

# Good rows the quick check must accept itself: otherwise it would pass these
# tests by accepting nothing.
QUICK = {
    ("uid", UID),
    ("uid", UID.upper()),
    ("procedure", ""),
    ("channel", "online"),
    ("responded_on", "2000-01-01"),
    ("responded_on", "today"),
    ("ACCESS_1", "0"),
    ("gender", ""),
    ("suggestion", "  padded  "),
    ("suggestion", "tab\there, hai\ndòng, windows\r\n, C:\\giấy tờ \\N"),
    ("suggestion", "x" * settings.SURVEY_SUGGESTION_MAX_LENGTH),
}


def _cell(value: str) -> str:
    return {"today": _today(), "tomorrow": _today(1)}.get(value, value)


def _row(questionnaire, column: str, value: str | None) -> dict[str, str | None]:
    """A good row (agency, procedure and every answer given) with one edit; None
    leaves the column and those after it in the file's order out."""
    row = paper_rows(questionnaire, 2)[1]
    row[column] = _cell(value) if value is not None else None
    return row


def _cells(columns: list[str], row: dict[str, str | None]) -> list[str]:
    cells = [row[name] for name in columns]
    return cells[: cells.index(None)] if None in cells else cells


@pytest.fixture(params=["all required", "one optional", "one always applies"])
def checked_questionnaire(request, questionnaire):
    if request.param == "one optional":
        questionnaire.criteria.filter(code="FEEDBACK_4").update(required=False)
    if request.param == "one always applies":
        # 0 ("does not apply") is no answer to it: both checks refuse it alike.
        questionnaire.criteria.filter(code="FEEDBACK_4").update(
            allows_not_applicable=False
        )
    return questionnaire


@pytest.fixture
def closed_agency(db):
    Agency.objects.filter(code="22-centre").update(active=False)


@pytest.mark.usefixtures("closed_agency")
@pytest.mark.parametrize(("column", "value"), EDITS)
def test_the_quick_check_accepts_only_what_the_full_check_stores_as_such(
    checked_questionnaire, column, value
):
    questionnaire = checked_questionnaire
    # Columns in another order than the questionnaire's, as a file may have them.
    columns = list(reversed(csv_columns(questionnaire)))
    agencies = {a.code: a for a in Agency.objects.all()}
    procedures = dict(Procedure.objects.values_list("code", "id"))
    quick = row_quick_check(
        header=columns,
        questionnaire=questionnaire,
        agencies=agencies,
        procedures=procedures,
        channels=CHANNELS,
    )
    cells = _cells(columns, _row(questionnaire, column, value))
    report = ImportReport()
    expected = _check_row_line(
        7,
        # As responses_import hands a row to the full check.
        dict(itertools.zip_longest(columns, cells)),
        questionnaire=questionnaire,
        agencies=agencies,
        procedures=procedures,
        report=report,
    )
    accepted = quick(7, cells)
    assert accepted in (None, expected)
    if (column, value) in QUICK:
        assert report.ok and accepted == expected


def _import(questionnaire, text: str, *, quick: bool, monkeypatch) -> ImportReport:
    with monkeypatch.context() as patch:
        if not quick:
            patch.setattr(
                surveys.imports,
                "row_quick_check",
                lambda **_: lambda number, cells: None,
            )
        return responses_import(lines=io.StringIO(text), questionnaire=questionnaire)


def _errors(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in report.errors]


@pytest.mark.usefixtures("closed_agency")
def test_a_bad_file_has_the_same_errors_with_and_without_the_quick_check(
    checked_questionnaire, monkeypatch
):
    questionnaire = checked_questionnaire
    columns = csv_columns(questionnaire)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(_cells(columns, _row(questionnaire, c, v)) for c, v in EDITS)
    text = out.getvalue()

    without = _import(questionnaire, text, quick=False, monkeypatch=monkeypatch)
    with_quick = _import(questionnaire, text, quick=True, monkeypatch=monkeypatch)
    assert with_quick.error_count == without.error_count > 20
    assert _errors(with_quick) == _errors(without)
    assert (with_quick.rows_read, with_quick.imported) == (len(EDITS), 0)
    assert not Response.objects.exists()


def test_a_good_file_is_stored_the_same_with_and_without_the_quick_check(
    checked_questionnaire, monkeypatch
):
    questionnaire = checked_questionnaire
    columns = csv_columns(questionnaire)
    rows = paper_rows(questionnaire, 30)
    # Cells the full check reads differently from the quick one: still good.
    rows[1]["ACCESS_2"] = " 04"
    rows[2]["uid"] = rows[2]["uid"].upper()
    rows[3]["suggestion"] = " tab\there \\N "
    rows[4]["responded_on"] = "20250314"
    rows[5]["agency"] = " 14-centre "
    text = as_csv(columns, rows)

    def stored() -> list[tuple]:
        fields = [
            f.name for f in Response._meta.fields if f.name not in {"id", "received_at"}
        ]
        return list(Response.objects.order_by("uid").values_list(*fields))

    without = _import(questionnaire, text, quick=False, monkeypatch=monkeypatch)
    assert without.imported == 30
    expected = stored()
    Response.objects.all().delete()
    with_quick = _import(questionnaire, text, quick=True, monkeypatch=monkeypatch)
    assert with_quick.imported == 30
    assert stored() == expected
