"""Storing checked rows of a paper-survey import: COPY and one INSERT ... SELECT on
PostgreSQL, batched bulk inserts elsewhere. Rows whose uid is already stored count
as already present; with other content they are errors and nothing is stored.

The check spools each row as a line of PostgreSQL's COPY text format (`copy_line`),
so that PostgreSQL reads the spool as it is, in large pieces, instead of Python
handing it one value at a time; other databases parse the lines back."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from typing import IO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from surveys.models import Response, Source
from surveys.response_rules import CONTENT_FIELDS, INTAKE_COLUMNS, RESPONSE_COLUMNS
from surveys.services.responses import received_hour

COPY_LINES = 10000  # lines per write to COPY, and between progress reports
MAX_CONFLICTS_REPORTED = 1000

# Columns of a normalised row, in the order they are spooled and copied: the
# row's number in the file, then what a paper form gives of a response.
ROW_FIELDS = ("row", *(c for c in RESPONSE_COLUMNS if c not in INTAKE_COLUMNS))


# COPY text format: a backslash starts an escape, tab, newline and carriage return
# would end the value or the row. Only the suggestion is free text.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_text(value: str) -> str:
    """A string as a value of COPY text format."""
    return value.translate(_COPY_ESCAPES)


def copy_line(row: tuple) -> str:
    """A normalised row (ROW_FIELDS, as the check builds it) as a line of COPY text
    format: what `rows_load` reads from the spool."""
    return (
        "\t".join(
            NULL
            if value is None
            else copy_text(value)
            if isinstance(value, str)
            else value.isoformat()
            if isinstance(value, dt.date)
            else str(value)
            for value in row
        )
        + "\n"
    )


def rows_load(spool: IO[str], report) -> None:
    """Store the rows spooled by the check (`copy_line` lines, read from the
    start of `spool`) into `report`'s counts, all or nothing."""
    spool.seek(0)
    _load_postgresql(spool, report)


def _chunks(lines: Iterable[str]) -> Iterator[str]:
    lines = iter(lines)
    while chunk := list(itertools.islice(lines, COPY_LINES)):
        yield "".join(chunk)


class _Conflicts(Exception):
    pass


_CONTENT_SQL = " OR ".join(
    f"r.{name} IS DISTINCT FROM t.{name}" for name in (*CONTENT_FIELDS, "responded_on")
)


def _load_postgresql(spool: IO[str], report) -> None:
    columns = ", ".join(ROW_FIELDS[1:])
    now = received_hour()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS import_responses")
            cursor.execute(
                "CREATE TEMP TABLE import_responses ("
                " row integer, uid uuid, questionnaire_id integer,"
                " agency_id integer, procedure_id integer, channel smallint,"
                " responded_on date, answers varchar(200),"
                " respondent_type smallint, gender smallint, age_band smallint,"
                " education smallint, occupation smallint, suggestion text"
                ") ON COMMIT DROP"
            )
            copied = 0
            with cursor.copy(
                f"COPY import_responses (row, {columns}) FROM STDIN"
            ) as copy:
                for chunk in _chunks(spool):
                    copy.write(chunk)
                    copied += chunk.count("\n")
                    if report.progress:
                        report.progress("loaded", copied)
            cursor.execute(
                f"INSERT INTO surveys_response ({columns}, source, received_at,"
                " flags, status)"
                f" SELECT {columns}, %s, %s, 0, %s FROM import_responses"
                " ORDER BY row ON CONFLICT (uid) DO NOTHING",
                [Source.PAPER, now, Response.Status.ACCEPTED],
            )
            report.imported = cursor.rowcount
            # After the insert, so that a row committed meanwhile by someone
            # else is compared too: a stored uid must carry the same content.
            # When every row was new there is none to compare (the check
            # refuses a uid twice in the file), and no join with the table.
            if report.imported < copied:
                conflicts = _stored_with_other_content(cursor)
                if conflicts:
                    for number in conflicts:
                        report.add_error(number, "uid", _conflict_message())
                    raise _Conflicts
    except _Conflicts:
        report.imported = 0
        return
    report.already_present = report.rows_read - report.imported


def _stored_with_other_content(cursor) -> list[int]:
    """Rows of the file whose uid is stored with other content."""
    cursor.execute(
        "SELECT t.row FROM import_responses t"
        " JOIN surveys_response r ON r.uid = t.uid"
        f" WHERE {_CONTENT_SQL} ORDER BY t.row LIMIT %s",
        [MAX_CONFLICTS_REPORTED],
    )
    return [row for (row,) in cursor.fetchall()]


def _conflict_message() -> str:
    return _("A response with this uid is already stored with other answers.")
