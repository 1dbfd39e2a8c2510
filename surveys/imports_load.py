"""Storing checked rows of a paper-survey import: COPY and one INSERT ... SELECT on
PostgreSQL, batched bulk inserts elsewhere. Rows whose uid is already stored count
as already present; with other content they are errors and nothing is stored."""

from __future__ import annotations

import pickle
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Response, Source
from surveys.services.responses import CONTENT_FIELDS

BATCH = 2000
MAX_CONFLICTS_REPORTED = 1000

# Columns of a normalised row, in the order they are spooled and copied.
ROW_FIELDS = (
    "row",
    "uid",
    "questionnaire_id",
    "agency_id",
    "procedure_id",
    "channel",
    "responded_on",
    "answers",
    "respondent_type",
    "gender",
    "age_band",
    "education",
    "occupation",
    "suggestion",
)


def rows_load(spool, report) -> None:
    """Store the rows spooled by the check (pickled tuples of ROW_FIELDS) into
    `report`'s counts, all or nothing."""
    rows = _unspool(spool)
    if connection.vendor == "postgresql":
        _load_postgresql(rows, report)
    else:
        _load_other(rows, report)


def _unspool(spool) -> Iterable[tuple]:
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


class _Conflicts(Exception):
    pass


_CONTENT_SQL = " OR ".join(
    f"r.{name} IS DISTINCT FROM t.{name}" for name in (*CONTENT_FIELDS, "responded_on")
)


def _load_postgresql(rows, report) -> None:
    columns = ", ".join(ROW_FIELDS[1:])
    now = timezone.now()
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
                for row in rows:
                    copy.write_row(row)
                    copied += 1
                    if report.progress and copied % 10000 == 0:
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
            cursor.execute(
                "SELECT t.row FROM import_responses t"
                " JOIN surveys_response r ON r.uid = t.uid"
                f" WHERE {_CONTENT_SQL} ORDER BY t.row LIMIT %s",
                [MAX_CONFLICTS_REPORTED],
            )
            conflicts = [row for (row,) in cursor.fetchall()]
            if conflicts:
                for number in conflicts:
                    report.add_error(number, "uid", _conflict_message())
                raise _Conflicts
    except _Conflicts:
        report.imported = 0
        return
    report.already_present = report.rows_read - report.imported


def _conflict_message() -> str:
    return _("A response with this uid is already stored with other answers.")


def _load_other(rows, report) -> None:
    """Other databases (SQLite for a first look): bulk inserts in batches."""
    now = timezone.now()
    try:
        with transaction.atomic():
            before = Response.objects.count()
            batch: list[Response] = []
            for row in rows:
                batch.append(_response_from(row, now))
                if len(batch) >= BATCH:
                    _insert_batch(batch, report)
                    batch = []
            if batch:
                _insert_batch(batch, report)
            if not report.ok:
                raise _Conflicts
            report.imported = Response.objects.count() - before
    except _Conflicts:
        report.imported = 0
        return
    report.already_present = report.rows_read - report.imported


def _response_from(row: tuple, now) -> Response:
    values = dict(zip(ROW_FIELDS, row, strict=True))
    number = values.pop("row")
    response = Response(
        **values,
        source=Source.PAPER,
        received_at=now,
        flags=0,
        status=Response.Status.ACCEPTED,
    )
    response._import_row = number
    return response


def _insert_batch(batch: list[Response], report) -> None:
    stored = Response.objects.in_bulk([r.uid for r in batch], field_name="uid")
    for response in batch:
        existing = stored.get(response.uid)
        if existing is None:
            continue
        differs = any(
            getattr(existing, name) != getattr(response, name)
            for name in (*CONTENT_FIELDS, "responded_on")
        )
        if differs:
            report.add_error(response._import_row, "uid", _conflict_message())
    Response.objects.bulk_create(batch, ignore_conflicts=True)
