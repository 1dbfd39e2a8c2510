"""Storing checked dossier records: COPY and one upsert on PostgreSQL, batched
ORM writes elsewhere. Either way, in the same transaction, every (agency, month)
whose counts a record can change is queued in `DossierTouch`: the months a
changed dossier leaves and the months it enters, by date received and resolved.
Identical records change nothing and queue nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from dossiers.models import Dossier, DossierTouch
from dossiers.records import DossierImportReport, DossierRow

DOSSIER = Dossier._meta.db_table
TOUCH = DossierTouch._meta.db_table

# What a later record of a dossier may change; an identical record is no change.
CONTENT_FIELDS = (
    "agency_id",
    "procedure_id",
    "channel",
    "received_on",
    "due_on",
    "resolved_on",
    "paused_days",
    "status",
)
ROW_FIELDS = ("row", "number_hash", *CONTENT_FIELDS)


def dossier_rows_load(rows: Sequence[DossierRow], report: DossierImportReport) -> None:
    """Store checked rows all or nothing, filling `report`'s counts."""
    _load_postgresql(rows, report)
    report.already_present = report.rows_read - report.imported - report.updated


def _month(column: str) -> str:
    return f"(EXTRACT(YEAR FROM {column}) * 100 + EXTRACT(MONTH FROM {column}))::int"


def _months_of(alias: str) -> str:
    """The months a dossier row counts in: received, and resolved if it is."""
    return (
        "CROSS JOIN LATERAL (VALUES"
        f" ({_month(f'{alias}.received_on')}), ({_month(f'{alias}.resolved_on')})"
        ") m (month) WHERE m.month IS NOT NULL"
    )


_DIFFERS = "({stored}) IS DISTINCT FROM ({new})".format(
    stored=", ".join(f"d.{name}" for name in CONTENT_FIELDS),
    new=", ".join(f"t.{name}" for name in CONTENT_FIELDS),
)


def _load_postgresql(rows: Sequence[DossierRow], report) -> None:
    columns = ", ".join(ROW_FIELDS[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS import_dossiers")
        cursor.execute(
            "CREATE TEMP TABLE import_dossiers ("
            " row integer, number_hash varchar(64), agency_id integer,"
            " procedure_id integer, channel smallint, received_on date,"
            " due_on date, resolved_on date, paused_days smallint,"
            " status varchar(16)) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY import_dossiers (row, {columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([getattr(row, name) for name in ROW_FIELDS])
        # Lock the stored versions first: the months read next are then the
        # latest committed ones, so a concurrent import of the same dossier
        # cannot move it out of a month nobody queues.
        cursor.execute(
            f"SELECT d.id FROM {DOSSIER} d"
            " JOIN import_dossiers t ON t.number_hash = d.number_hash"
            " ORDER BY d.id FOR UPDATE OF d"
        )
        cursor.execute(
            f"INSERT INTO {TOUCH} (agency_id, month)"
            f" SELECT DISTINCT d.agency_id, m.month FROM {DOSSIER} d"
            " JOIN import_dossiers t ON t.number_hash = d.number_hash "
            + _months_of("d")
            + f" AND {_DIFFERS}"
        )
        updates = ", ".join(f"{name} = excluded.{name}" for name in CONTENT_FIELDS)
        stored = ", ".join(f"{DOSSIER}.{name}" for name in CONTENT_FIELDS)
        new = ", ".join(f"excluded.{name}" for name in CONTENT_FIELDS)
        cursor.execute(
            "WITH up AS ("
            f" INSERT INTO {DOSSIER} ({columns}, updated_at)"
            f" SELECT {columns}, %s FROM import_dossiers ORDER BY row"
            " ON CONFLICT (number_hash) DO UPDATE SET"
            f" {updates}, updated_at = excluded.updated_at"
            f" WHERE ({stored}) IS DISTINCT FROM ({new})"
            " RETURNING agency_id, received_on, resolved_on, (xmax = 0) AS inserted"
            "), touched AS ("
            f" INSERT INTO {TOUCH} (agency_id, month)"
            " SELECT DISTINCT up.agency_id, m.month FROM up " + _months_of("up") + ")"
            " SELECT COUNT(*) FILTER (WHERE inserted),"
            " COUNT(*) FILTER (WHERE NOT inserted) FROM up",
            [timezone.now()],
        )
        report.imported, report.updated = cursor.fetchone()
