from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from surveys.imports import csv_columns, responses_import
from surveys.models import Response, Source

CRITERIA_VALUES = ["4"] * 23


def paper_rows(questionnaire, count: int) -> list[dict[str, str]]:
    columns = csv_columns(questionnaire)
    criteria = columns[5:-6]
    rows = []
    for index in range(count):
        row = {
            "uid": str(uuid.uuid4()),
            "agency": "14-centre" if index % 2 else "22-centre",
            "procedure": "HT-KS" if index % 3 else "",
            "channel": "in_person",
            "responded_on": "2025-03-1" + str(index % 10),
            "respondent_type": "1",
            "gender": str(1 + index % 2),
            "age_band": "",
            "education": "4",
            "occupation": "",
            "suggestion": "Phòng chờ nóng, cần thêm quạt" if index == 3 else "",
        }
        row.update({code: str(1 + (index + n) % 5) for n, code in enumerate(criteria)})
        row[criteria[1]] = "0"
        row[criteria[-1]] = "5"
        rows.append(row)
    return rows


def write_csv(path, questionnaire, rows) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=csv_columns(questionnaire))
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def test_a_file_with_one_bad_row_stores_nothing_then_the_fixed_file_imports_once(
    tmp_path, questionnaire, capsys
):
    rows = paper_rows(questionnaire, 40)
    rows[16]["ACCESS_3"] = "7"  # row 18 in a spreadsheet
    bad = write_csv(tmp_path / "bad.csv", questionnaire, rows)
    with pytest.raises(CommandError, match="40 rows read, 1 errors"):
        call_command("import_responses", bad)
    assert "row 18, column ACCESS_3" in capsys.readouterr().err
    assert not Response.objects.exists()

    rows[16]["ACCESS_3"] = "3"
    good = write_csv(tmp_path / "good.csv", questionnaire, rows)
    out = io.StringIO()
    call_command("import_responses", good, stdout=out)
    assert "40 rows read, 40 imported, 0 already present" in out.getvalue()
    assert Response.objects.filter(source=Source.PAPER).count() == 40
    stored = Response.objects.get(uid=rows[16]["uid"])
    assert stored.answers[1] == "0" and stored.answers[2] == "3"
    assert stored.agency.code == "22-centre" and stored.procedure.code == "HT-KS"
    assert str(stored.responded_on) == "2025-03-16"
    assert (stored.respondent_type, stored.education, stored.age_band) == (1, 4, None)
    assert Response.objects.get(uid=rows[3]["uid"]).suggestion.startswith("Phòng")
    assert Response.objects.get(uid=rows[0]["uid"]).procedure is None

    out = io.StringIO()
    call_command("import_responses", good, stdout=out)
    assert "40 rows read, 0 imported, 40 already present" in out.getvalue()
    assert Response.objects.count() == 40


def test_every_error_is_reported_with_row_and_column(questionnaire):
    rows = paper_rows(questionnaire, 3)
    rows[0]["agency"] = "nowhere"
    rows[0]["RESULT_1"] = "x"
    rows[1]["channel"] = "fax"
    rows[1]["responded_on"] = "15/03/2025"
    rows[2]["uid"] = rows[0]["uid"]
    rows[2]["gender"] = "9"
    rows[2]["FEEDBACK_1"] = ""
    report = responses_import(
        lines=_text(questionnaire, rows), questionnaire=questionnaire
    )
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "agency"),
        (2, "RESULT_1"),
        (3, "channel"),
        (3, "responded_on"),
        (4, "gender"),
        (4, "FEEDBACK_1"),
    }
    assert not Response.objects.exists()


def test_a_repeated_uid_in_the_file_is_an_error(questionnaire):
    rows = paper_rows(questionnaire, 3)
    rows[2]["uid"] = rows[0]["uid"]
    report = responses_import(
        lines=_text(questionnaire, rows), questionnaire=questionnaire
    )
    assert [(e.row, e.column) for e in report.errors] == [(4, "uid")]
    assert "row 2" in report.errors[0].message


def test_a_stored_uid_with_other_answers_is_an_error_and_nothing_is_stored(
    questionnaire,
):
    rows = paper_rows(questionnaire, 5)
    first = responses_import(
        lines=_text(questionnaire, rows[:2]), questionnaire=questionnaire
    )
    assert first.imported == 2
    rows[1]["ACCESS_1"] = "1" if rows[1]["ACCESS_1"] != "1" else "2"
    report = responses_import(
        lines=_text(questionnaire, rows), questionnaire=questionnaire
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "uid")]
    assert report.imported == 0
    assert Response.objects.count() == 2


def test_missing_and_unknown_columns_are_reported(questionnaire):
    text = "uid,agency,colour\n"
    report = responses_import(lines=io.StringIO(text), questionnaire=questionnaire)
    columns = {e.column for e in report.errors}
    assert {"channel", "responded_on", "ACCESS_1", "colour"} <= columns
    # Optional columns may be left out: they are not reported missing.
    assert not {"procedure", "suggestion", "gender"} & columns
    assert all(e.row == 1 for e in report.errors)


def test_a_file_may_leave_out_the_optional_columns(questionnaire):
    optional = {
        "procedure",
        "respondent_type",
        "gender",
        "age_band",
        "education",
        "occupation",
        "suggestion",
    }
    columns = [c for c in csv_columns(questionnaire) if c not in optional]
    rows = paper_rows(questionnaire, 3)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    buffer.seek(0)
    report = responses_import(lines=buffer, questionnaire=questionnaire)
    assert report.ok and report.imported == 3, report.errors
    stored = Response.objects.get(uid=rows[1]["uid"])
    assert (stored.procedure_id, stored.gender, stored.suggestion) == (None, None, "")


def _text(questionnaire, rows) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(questionnaire))
    writer.writeheader()
    writer.writerows(rows)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    "suggestion",
    ["C:\\giấy tờ\\ \\N", "tab\there", "hai\ndòng", "windows\r\nline", "\\", "\\N"],
)
def test_a_suggestion_is_stored_as_written(questionnaire, suggestion):
    rows = paper_rows(questionnaire, 2)
    rows[1]["suggestion"] = suggestion
    report = responses_import(
        lines=_text(questionnaire, rows), questionnaire=questionnaire
    )
    assert report.imported == 2
    stored = Response.objects.get(uid=rows[1]["uid"])
    assert stored.suggestion == suggestion
    assert Response.objects.get(uid=rows[0]["uid"]).suggestion == ""


def test_a_partly_imported_file_imports_the_rest(questionnaire):
    rows = paper_rows(questionnaire, 6)
    responses_import(lines=_text(questionnaire, rows[:4]), questionnaire=questionnaire)
    report = responses_import(
        lines=_text(questionnaire, rows), questionnaire=questionnaire
    )
    assert (report.imported, report.already_present) == (2, 4)
    assert Response.objects.count() == 6
