"""Malformed dossier files: each is refused with a message that says why, and
nothing is stored (no dossier, no month queued for the figures)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dossiers.models import Dossier, DossierTouch
from dossiers.records import COLUMNS
from tests.conftest import PASSWORD
from tests.dossiers.helpers import dossier
from tests.surveys.helpers import as_csv

pytestmark = pytest.mark.django_db


def records(count: int) -> list[dict[str, str]]:
    return [dossier(f"000.00.14.H51-241103-{index:04d}") for index in range(count)]


def refused(tmp_path, content: bytes, capsys) -> str:
    path = tmp_path / "dossiers.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error, translation.override("en"):
        call_command("import_dossiers", str(path))
    assert not Dossier.objects.exists()
    assert not DossierTouch.objects.exists()
    return f"{error.value}\n{capsys.readouterr().err}"


def test_a_utf_16_file_is_refused(tmp_path, capsys):
    text = as_csv(COLUMNS, records(5))
    message = refused(tmp_path, text.encode("utf-16"), capsys)
    assert "dossiers.csv: it is not UTF-8 text. Save it as CSV UTF-8." in message


@pytest.mark.parametrize("encoding", ["cp1258", "latin-1"])
def test_a_file_in_a_legacy_encoding_is_refused(tmp_path, capsys, encoding):
    rows = records(5)
    rows[3]["number"] = "Sở Tư pháp 000.00.14.H51-241103-0003"
    text = as_csv(COLUMNS, rows)
    message = refused(tmp_path, text.encode(encoding, errors="replace"), capsys)
    assert "it is not UTF-8 text" in message


def test_a_missing_column_is_named(tmp_path, capsys):
    columns = [c for c in COLUMNS if c != "due_on"]
    message = refused(tmp_path, as_csv(columns, records(3)).encode(), capsys)
    assert "row 1, column due_on: Missing column." in message


def test_an_extra_column_is_named(tmp_path, capsys):
    columns = [*COLUMNS, "citizen_phone"]
    message = refused(tmp_path, as_csv(columns, records(3)).encode(), capsys)
    assert "row 1, column citizen_phone: Unknown column." in message


def test_a_row_with_more_values_than_columns_is_named(tmp_path, capsys):
    lines = as_csv(COLUMNS, records(3)).splitlines()
    lines[2] += ",extra"
    message = refused(tmp_path, "\n".join(lines).encode(), capsys)
    assert "row 3, column -: More values than columns." in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_an_empty_file_is_refused(tmp_path, capsys, content):
    message = refused(tmp_path, content, capsys)
    assert "row 1, column number: Missing column." in message


def test_a_file_with_only_its_header_is_refused(tmp_path, capsys):
    message = refused(tmp_path, as_csv(COLUMNS, []).encode(), capsys)
    assert "row 1, column -: The file has a header but no records." in message


def test_a_column_given_twice_is_named(tmp_path, capsys):
    lines = as_csv(COLUMNS, records(2)).splitlines()
    lines = [f"{line},{line.split(',')[0]}" for line in lines]
    message = refused(tmp_path, "\n".join(lines).encode(), capsys)
    assert "row 1, column number: The column appears more than once." in message


def test_a_huge_file_with_one_bad_row_stores_nothing(tmp_path, capsys):
    # As for paper surveys, size alone is no reason to refuse a file: it is
    # checked whole, and its last row can still keep all of it out.
    rows = records(20_000)
    rows[-1]["channel"] = "fax"
    message = refused(tmp_path, as_csv(COLUMNS, rows).encode(), capsys)
    assert "20000 records read, 1 errors" in message
    assert "row 20001, column channel" in message


def test_a_field_over_the_csv_limit_is_refused(tmp_path, capsys):
    # An unclosed quote runs to the end of the file: one field of 200,000 bytes.
    text = as_csv(COLUMNS, records(3)) + '"' + "0" * 200_000
    message = refused(tmp_path, text.encode(), capsys)
    assert "4 records read, 1 errors" in message
    assert "row 5, column -: A value is longer than 131072 characters" in message


def test_binary_garbage_is_refused(tmp_path, capsys):
    garbage = bytes(range(256)) * 64
    message = refused(tmp_path, garbage, capsys)
    assert "it is not UTF-8 text" in message


def test_a_spreadsheet_workbook_instead_of_csv_is_refused(tmp_path, capsys):
    workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xa1\xc2" + b"\x00" * 64
    message = refused(tmp_path, workbook, capsys)
    assert "it is not UTF-8 text" in message


def test_nul_bytes_in_a_record_are_refused(tmp_path, capsys):
    rows = records(3)
    rows[1]["number"] = "000.00.14.H51\x00-241103-0001"
    message = refused(tmp_path, as_csv(COLUMNS, rows).encode(), capsys)
    assert (
        "row 3, column number: The dossier number contains control characters"
        in message
    )


def test_a_file_of_nul_bytes_is_refused(tmp_path, capsys):
    message = refused(tmp_path, b"\x00" * 4096, capsys)
    assert "\x00" not in message
    assert "row 1, column number: Missing column." in message
    assert "row 1, column \\x00\\x00" in message and "…: Unknown column." in message


def test_control_characters_in_a_header_are_not_echoed(tmp_path, capsys):
    columns = [*COLUMNS, "\x1b[2Jphone"]
    message = refused(tmp_path, as_csv(columns, records(1)).encode(), capsys)
    assert "\x1b" not in message
    assert "row 1, column \\x1b[2Jphone: Unknown column." in message


def test_the_admin_upload_names_the_problem_instead_of_failing(client, son_la_official):
    text = as_csv(COLUMNS, records(3)) + '"' + "0" * 200_000
    upload = io.BytesIO(text.encode())
    upload.name = "dossiers.csv"
    client.login(username=son_la_official.username, password=PASSWORD)
    page = client.post("/admin/dossiers/dossier/import/", {"file": upload})
    assert page.status_code == 200
    # The admin speaks Vietnamese unless the official asks otherwise.
    assert "dòng 5, cột -: Có giá trị dài quá 131072 ký tự" in page.content.decode()
    assert not Dossier.objects.exists()
