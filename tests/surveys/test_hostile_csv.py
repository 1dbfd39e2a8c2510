"""Malformed paper-import files: each is refused with a message that says why,
and nothing is stored."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from surveys.imports import csv_columns
from surveys.models import Response
from tests.surveys.helpers import as_csv
from tests.surveys.test_imports import paper_rows


def refused(tmp_path, content: bytes, capsys) -> str:
    path = tmp_path / "paper.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_responses", str(path))
    assert not Response.objects.exists()
    return f"{error.value}\n{capsys.readouterr().err}"


def test_a_file_in_another_encoding_is_refused(tmp_path, questionnaire, capsys):
    text = as_csv(csv_columns(questionnaire), paper_rows(questionnaire, 5))
    message = refused(tmp_path, text.encode("utf-16"), capsys)
    assert "Cannot read" in message and "utf-8" in message.lower()


def test_a_windows_1258_file_is_refused(tmp_path, questionnaire, capsys):
    rows = paper_rows(questionnaire, 5)
    rows[0]["suggestion"] = "Phòng chờ nóng"
    text = as_csv(csv_columns(questionnaire), rows)
    message = refused(tmp_path, text.encode("cp1258", errors="replace"), capsys)
    assert "Cannot read" in message


def test_a_missing_column_is_named(tmp_path, questionnaire, capsys):
    columns = [c for c in csv_columns(questionnaire) if c != "ACCESS_3"]
    message = refused(
        tmp_path, as_csv(columns, paper_rows(questionnaire, 3)).encode(), capsys
    )
    assert "column ACCESS_3: Missing column" in message


def test_an_extra_column_is_named(tmp_path, questionnaire, capsys):
    columns = [*csv_columns(questionnaire), "phone"]
    message = refused(
        tmp_path, as_csv(columns, paper_rows(questionnaire, 3)).encode(), capsys
    )
    assert "column phone: Unknown column" in message


def test_a_row_with_more_values_than_columns_is_named(tmp_path, questionnaire, capsys):
    text = as_csv(csv_columns(questionnaire), paper_rows(questionnaire, 3))
    lines = text.splitlines()
    lines[2] += ",extra"
    message = refused(tmp_path, "\n".join(lines).encode(), capsys)
    assert "row 3" in message and "More values than columns" in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_an_empty_file_is_refused(tmp_path, questionnaire, capsys, content):
    message = refused(tmp_path, content, capsys)
    assert "Missing column" in message


def test_a_huge_file_with_one_bad_row_stores_nothing(tmp_path, questionnaire, capsys):
    rows = paper_rows(questionnaire, 20_000)
    rows[-1]["channel"] = "fax"
    text = as_csv(csv_columns(questionnaire), rows)
    message = refused(tmp_path, text.encode(), capsys)
    assert "20000 rows read, 1 errors" in message
    assert "row 20001, column channel" in message


def test_control_characters_in_a_suggestion_are_refused(
    tmp_path, questionnaire, capsys
):
    rows = paper_rows(questionnaire, 3)
    rows[1]["suggestion"] = "ok\x1b[2J"
    text = as_csv(csv_columns(questionnaire), rows)
    message = refused(tmp_path, text.encode(), capsys)
    assert "row 3, column suggestion" in message


def test_a_value_over_the_csv_limit_is_named(tmp_path, questionnaire, capsys):
    # An unclosed quotation mark runs to the end of the file: one huge value.
    text = as_csv(csv_columns(questionnaire), paper_rows(questionnaire, 3))
    message = refused(tmp_path, (text + '"' + "x" * 200_000).encode(), capsys)
    assert "row 5, column -: A value is longer than 131072 characters" in message


def test_control_characters_in_a_column_name_are_not_echoed(
    tmp_path, questionnaire, capsys
):
    columns = [*csv_columns(questionnaire), "\x1b]0;owned\x07"]
    message = refused(
        tmp_path, as_csv(columns, paper_rows(questionnaire, 1)).encode(), capsys
    )
    assert "\x1b" not in message and "\x07" not in message
    assert "column \\x1b]0;owned\\x07: Unknown column." in message
