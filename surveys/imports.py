"""Import of paper surveys keyed in from a CSV file (format: docs/paper-import.md).

The whole file is checked first; a single bad row stores nothing and every error
is reported with its row and column, so the file can be corrected and sent again.
Rows are checked by look-ups on their cells as written (surveys/imports_quick.py),
and any row those do not settle by the full check (`_check_row`), which is the
one that says what is wrong. A valid file is loaded in one statement per table
(COPY then INSERT ... SELECT on PostgreSQL), and importing it again adds nothing:
rows whose uid is already stored with the same content are counted as already
present, with other content they are errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils.translation import gettext as _

from surveys.imports_load import copy_line, rows_load
from surveys.imports_quick import row_quick_check
from surveys.models import Agency, Procedure, Questionnaire, Source
from surveys.response_rules import CHANNEL_CODES, PROFILE_CHOICES
from surveys.selectors import agencies_within
from surveys.services.responses import (
    answers_encode,
    questionnaire_criteria,
    response_errors,
)
from surveys.suggestions import suggestion_stored

FIXED_COLUMNS = ["uid", "agency", "procedure", "channel", "responded_on"]
TRAILING_COLUMNS = [*PROFILE_CHOICES, "suggestion"]
CHANNELS = CHANNEL_CODES
MAX_ERRORS_KEPT = 1000
SHOWN_NAME_LENGTH = 60


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "-",
            "message": self.message,
        }


@dataclass
class ImportReport:
    rows_read: int = 0
    imported: int = 0
    already_present: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    progress: Callable[[str, int], None] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, str(message)))

    def summary(self) -> str:
        if not self.ok:
            return _("%(rows)d rows read, %(errors)d errors: nothing was imported.") % {
                "rows": self.rows_read,
                "errors": self.error_count,
            }
        return _(
            "%(rows)d rows read, %(imported)d imported, %(present)d already present."
        ) % {
            "rows": self.rows_read,
            "imported": self.imported,
            "present": self.already_present,
        }


def file_unreadable(path: str, error: OSError | UnicodeDecodeError) -> str:
    """What an import command says of a file it cannot read at all."""
    if isinstance(error, UnicodeDecodeError):
        return _(
            "Cannot read %(file)s: it is not UTF-8 text. Save it as CSV UTF-8."
        ) % {"file": path}
    return _("Cannot read %(file)s: %(reason)s") % {
        "file": path,
        "reason": error.strerror or error,
    }


def _shown(name: str) -> str:
    """A column name from a file as it can be shown: control characters escaped,
    so that a file cannot write to the terminal, and cut short."""
    text = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
        for c in name
    )
    if len(text) > SHOWN_NAME_LENGTH:
        text = text[: SHOWN_NAME_LENGTH - 1] + "…"
    return text


def _unparsable(report: ImportReport, number: int) -> None:
    # In the csv module's lenient mode a field over its limit is the only
    # error; an unclosed quotation mark is the usual way to get one.
    report.add_error(
        number,
        "",
        _("A value is longer than %(limit)d characters; is a quotation mark left open?")
        % {"limit": csv.field_size_limit()},
    )


def csv_header_check(
    reader: csv.DictReader,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    report: ImportReport,
) -> bool:
    """Read the header row of `reader`: True, with the names stripped, when it
    has every `required` column and no other than `columns`, each once; otherwise
    False after naming each problem on row 1 of `report`."""
    before = report.error_count
    try:
        names = reader.fieldnames or []
    except csv.Error:
        _unparsable(report, 1)
        return False
    header = [name.strip() for name in names]
    for name in required:
        if name not in header:
            report.add_error(1, name, _("Missing column."))
    for name in header:
        if name not in columns:
            report.add_error(1, _shown(name), _("Unknown column."))
    for name in sorted({n for n in header if n in columns and header.count(n) > 1}):
        report.add_error(1, name, _("The column appears more than once."))
    if report.error_count > before:
        return False
    reader.fieldnames = header
    return True


def csv_rows(
    reader: csv.DictReader, report: ImportReport
) -> Iterator[tuple[int, list[str]]]:
    """The rows after the header, as lists of cells, with their numbers as a
    spreadsheet numbers them (the header is row 1). Empty lines are skipped as
    csv.DictReader skips them. A row with more values than columns, and a row
    the csv module cannot read (which ends the file), are counted and reported
    here instead of being yielded."""
    width = len(reader.fieldnames or [])
    rows = iter(reader.reader)
    for number in itertools.count(2):
        try:
            row = next(rows)
            while not row:
                row = next(rows)
        except StopIteration:
            return
        except csv.Error:
            report.rows_read += 1
            _unparsable(report, number)
            return
        if len(row) > width:
            report.rows_read += 1
            report.add_error(number, "", _("More values than columns."))
            continue
        yield number, row


def csv_records(
    reader: csv.DictReader, report: ImportReport
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """`csv_rows` as csv.DictReader gives them: a dict of column to cell, None
    for the columns a short row leaves out."""
    names = reader.fieldnames or []
    for number, row in csv_rows(reader, report):
        yield number, dict(itertools.zip_longest(names, row))


A = TypeVar("A")


def row_references(
    number: int,
    value: Mapping[str, str],
    *,
    agencies: Mapping[str, A],
    procedures: Mapping[str, int],
    report: ImportReport,
) -> tuple[A | None, int | None, int | None]:
    """The agency (as `agencies` maps its code), procedure id and channel a row
    names, each None after adding its error to `report` when it is unknown; an
    empty procedure is None without error. Shared by the paper and dossier
    imports, so that both say the same of the same mistake."""
    agency = agencies.get(value["agency"])
    if agency is None:
        report.add_error(number, "agency", _("Unknown agency."))
    procedure_id = None
    if value["procedure"]:
        procedure_id = procedures.get(value["procedure"])
        if procedure_id is None:
            report.add_error(number, "procedure", _("Unknown procedure."))
    channel = CHANNELS.get(value["channel"])
    if channel is None:
        report.add_error(number, "channel", _("Write in_person, online or post."))
    return agency, procedure_id, channel


def csv_required_columns(questionnaire: Questionnaire) -> list[str]:
    """The columns a file must have: the response's identity, agency, channel
    and date, and the required criteria. The procedure, optional criteria, the
    respondent's profile and the suggestion may be left out of the header."""
    criteria = [c.code for c in questionnaire_criteria(questionnaire) if c.required]
    return ["uid", "agency", "channel", "responded_on", *criteria]


def csv_columns(questionnaire: Questionnaire) -> list[str]:
    """Every column of the questionnaire's file, in order: the respondent's
    profile only where the questionnaire asks it."""
    criteria = [c.code for c in questionnaire_criteria(questionnaire)]
    trailing = [
        name
        for name in TRAILING_COLUMNS
        if questionnaire.asks_about_respondent or name not in PROFILE_CHOICES
    ]
    return [*FIXED_COLUMNS, *criteria, *trailing]


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def _check_row(
    number: int,
    row: dict[str, str | None],
    *,
    questionnaire: Questionnaire,
    agencies: dict[str, Agency],
    procedures: dict[str, int],
    report: ImportReport,
) -> tuple | None:
    """A normalised row (see ROW_FIELDS), or None after adding its errors."""
    errors_before = report.error_count
    value = {name: (row.get(name) or "").strip() for name in row}

    try:
        uid = uuid.UUID(value["uid"])
    except ValueError:
        report.add_error(number, "uid", _("Not a valid uid (UUID)."))
        uid = None
    agency, procedure_id, channel = row_references(
        number, value, agencies=agencies, procedures=procedures, report=report
    )
    responded_on = None
    try:
        responded_on = dt.date.fromisoformat(value["responded_on"])
    except ValueError:
        report.add_error(number, "responded_on", _("Write the date as YYYY-MM-DD."))

    answers: dict[str, object] = {}
    for criterion in questionnaire_criteria(questionnaire):
        text = value.get(criterion.code, "")
        try:
            answers[criterion.code] = _int_or_none(text)
        except ValueError:
            answers[criterion.code] = text
    profile: dict[str, int | None] = {}
    for name in PROFILE_CHOICES:
        try:
            profile[name] = _int_or_none(value.get(name, ""))
        except ValueError:
            report.add_error(number, name, _("Not one of the codes."))
            profile[name] = None
    suggestion = value.get("suggestion", "")

    problems = response_errors(
        questionnaire=questionnaire,
        # An unknown agency is reported above; the row's other errors still are.
        agency=agency or Agency(active=True),
        channel=channel or 1,
        source=Source.PAPER,
        answers=answers,
        responded_on=responded_on,
        profile=profile,
        suggestion=suggestion,
    )
    for column, messages in problems.items():
        if column == "answers":
            for code, answer_messages in messages.items():
                for message in answer_messages:
                    report.add_error(number, code, message)
        else:
            for message in messages:
                report.add_error(number, column, message)
    if report.error_count > errors_before:
        return None
    return (
        number,
        uid,
        questionnaire.id,
        agency.id,
        procedure_id,
        channel,
        responded_on,
        answers_encode(questionnaire_criteria(questionnaire), answers),
        profile["respondent_type"],
        profile["gender"],
        profile["age_band"],
        profile["education"],
        profile["occupation"],
        suggestion_stored(suggestion),
    )


def _check_row_line(
    number: int,
    row: dict[str, str | None],
    *,
    questionnaire: Questionnaire,
    agencies: dict[str, Agency],
    procedures: dict[str, int],
    report: ImportReport,
) -> tuple[bytes, str] | None:
    """`_check_row` as the quick check answers: (uid as 16 bytes, spool line),
    or None after adding the row's errors."""
    checked = _check_row(
        number,
        row,
        questionnaire=questionnaire,
        agencies=agencies,
        procedures=procedures,
        report=report,
    )
    if checked is None:
        return None
    return checked[1].bytes, copy_line(checked)


def responses_import(
    *,
    lines: Iterable[str],
    questionnaire: Questionnaire,
    progress: Callable[[str, int], None] | None = None,
    agency_ids: frozenset[int] | None = None,
) -> ImportReport:
    """Check every row of a paper-survey CSV, then store all of it or nothing.

    `lines` is the text of the file (an open text file will do); `agency_ids`,
    when given, are the only agencies rows may name (a staff member's scope).
    Returns the report: rows read, imported, already present, or the errors."""
    report = ImportReport()
    reader = csv.DictReader(lines)
    expected = csv_columns(questionnaire)
    if not csv_header_check(
        reader,
        columns=expected,
        required=csv_required_columns(questionnaire),
        report=report,
    ):
        return report

    agencies = {a.code: a for a in agencies_within(agency_ids)}
    procedures = dict(Procedure.objects.values_list("code", "id"))
    given = list(reader.fieldnames or [])
    # Optional columns left out of the file read as empty cells after the rest.
    left_out = [name for name in expected if name not in given]
    names = given + left_out
    # Look-ups alone settle almost every row; the rest, errors included, go
    # through the full check, which alone writes messages.
    quick = row_quick_check(
        header=names,
        questionnaire=questionnaire,
        agencies=agencies,
        procedures=procedures,
        channels=CHANNELS,
    )
    seen: dict[bytes, int] = {}
    # Lines end at "\n" alone: the spool is COPY text, where a carriage return
    # in a suggestion is written escaped.
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as spool:
        for number, cells in csv_rows(reader, report):
            report.rows_read += 1
            if left_out:
                cells = cells + [""] * (len(names) - len(cells))
            checked = quick(number, cells)
            if checked is None:
                checked = _check_row_line(
                    number,
                    dict(itertools.zip_longest(names, cells)),
                    questionnaire=questionnaire,
                    agencies=agencies,
                    procedures=procedures,
                    report=report,
                )
            if checked is not None:
                uid_bytes, line = checked
                if uid_bytes in seen:
                    report.add_error(
                        number,
                        "uid",
                        _("The same uid is on row %(row)d.") % {"row": seen[uid_bytes]},
                    )
                    continue
                seen[uid_bytes] = number
                if report.ok:
                    spool.write(line)
            if progress and report.rows_read % 10000 == 0:
                progress("checked", report.rows_read)
        if not report.ok:
            return report
        report.progress = progress
        rows_load(spool, report)
    return report


def responses_import_file(
    path_or_file, *, questionnaire: Questionnaire, progress=None, agency_ids=None
) -> ImportReport:
    """`responses_import` on a path or a binary/text file object (UTF-8, with or
    without the byte-order mark spreadsheets add)."""
    if isinstance(path_or_file, str | bytes) or hasattr(path_or_file, "__fspath__"):
        with open(path_or_file, encoding="utf-8-sig", newline="") as handle:
            return responses_import(
                lines=handle,
                questionnaire=questionnaire,
                progress=progress,
                agency_ids=agency_ids,
            )
    handle = path_or_file
    if not isinstance(handle, io.TextIOBase):
        handle = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    return responses_import(
        lines=handle,
        questionnaire=questionnaire,
        progress=progress,
        agency_ids=agency_ids,
    )
