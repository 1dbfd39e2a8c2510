"""Folding dossier records into counts per unit and period, in SQL.

Writers of dossiers queue every (agency, month) they change in
`surveys_dossiertouch` (the months a dossier leaves and enters, by date received
and resolved) in the same transaction as the change. A fold takes the queue,
recounts exactly those agency-months from the dossiers (an index range each),
compares them with the counts it folded last time (`DossierMonthCount`) and adds
the difference to every level and period through the same fan-out as the
responses. So the cost follows the change, an update of a dossier is exact
whatever it changed, and a fold run twice finds an empty queue and adds nothing.

Folds share the rollup state row lock with response folds and figure refreshes:
they never overlap, and dirty marks are never read half-written.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction

from indicators.engine.fanout import PERIOD_KEY, fan_from
from indicators.engine.kernel import (
    DOSSIER_BASE,
    DOSSIER_COLUMNS,
    DOSSIER_COUNTS,
    DOSSIER_DIRTY,
    DOSSIER_TOUCH,
    DOSSIERS,
    KEY,
    month,
    temp_table,
)
from indicators.engine.state import lock_state
from surveys.models import Channel

logger = logging.getLogger(__name__)


def _month_start(month: str) -> str:
    """The first day of the month in the column `month` (202203)."""
    return f"make_date({month} / 100, {month} %% 100, 1)"


def _month_stop(month: str) -> str:
    """The first day of the month after the one in the column `month`."""
    return (
        f"CAST(make_date({month} / 100, {month} %% 100, 1)"
        " + interval '1 month' AS date)"
    )


def _days(later: str, earlier: str) -> str:
    """Days from one date column to another."""
    return f"({later} - {earlier})"


def _take_queue(cursor) -> int:
    """Move the queued agency-months into the temporary table `dossier_touched`
    and delete them from the queue; rows committed meanwhile stay queued."""
    temp_table(
        cursor,
        "dossier_touched",
        f"SELECT agency_id, month FROM {DOSSIER_TOUCH} WHERE 1 = 0",
        [],
    )
    cursor.execute(
        f"WITH gone AS (DELETE FROM {DOSSIER_TOUCH} RETURNING agency_id, month)"
        " INSERT INTO dossier_touched SELECT DISTINCT agency_id, month FROM gone",
        [],
    )
    cursor.execute("SELECT COUNT(*) FROM dossier_touched", [])
    return cursor.fetchone()[0]


def _recount_sql() -> str:
    """The counts of every queued agency-month, recounted from the dossiers."""
    start, stop = _month_start("t.month"), _month_stop("t.month")
    in_month = "d.{date} >= {start} AND d.{date} < {stop}"
    handling = _days("d.resolved_on", "d.received_on") + " - d.paused_days"
    on_time = f"{_days('d.resolved_on', 'd.due_on')} <= d.paused_days"
    return f"""
SELECT t.agency_id, t.month,
       COALESCE(r.received, 0) AS received,
       COALESCE(r.received_online, 0) AS received_online,
       COALESCE(s.resolved, 0) AS resolved,
       COALESCE(s.resolved_on_time, 0) AS resolved_on_time,
       COALESCE(s.handling_days, 0) AS handling_days
FROM dossier_touched t
LEFT JOIN (
    SELECT t.agency_id, t.month, COUNT(*) AS received,
           SUM(CASE WHEN d.channel = {Channel.ONLINE} THEN 1 ELSE 0 END)
               AS received_online
    FROM dossier_touched t JOIN {DOSSIERS} d ON d.agency_id = t.agency_id
     AND {in_month.format(date="received_on", start=start, stop=stop)}
    GROUP BY t.agency_id, t.month
) r ON r.agency_id = t.agency_id AND r.month = t.month
LEFT JOIN (
    SELECT t.agency_id, t.month, COUNT(*) AS resolved,
           SUM(CASE WHEN {on_time} THEN 1 ELSE 0 END) AS resolved_on_time,
           SUM(CASE WHEN {handling} > 0 THEN {handling} ELSE 0 END)
               AS handling_days
    FROM dossier_touched t JOIN {DOSSIERS} d ON d.agency_id = t.agency_id
     AND {in_month.format(date="resolved_on", start=start, stop=stop)}
    GROUP BY t.agency_id, t.month
) s ON s.agency_id = t.agency_id AND s.month = t.month
"""


def _fold(cursor) -> int:
    """Fold the queue; returns the unit-periods marked dirty."""
    if not _take_queue(cursor):
        cursor.execute("DROP TABLE dossier_touched", [])
        return 0
    temp_table(cursor, "dossier_recount", _recount_sql(), [])
    differences = ", ".join(
        f"c.{n} - COALESCE(b.{n}, 0) AS {n}" for n in DOSSIER_COLUMNS
    )
    changed = " OR ".join(f"c.{n} <> COALESCE(b.{n}, 0)" for n in DOSSIER_COLUMNS)
    temp_table(
        cursor,
        "dossier_delta",
        f"SELECT c.agency_id, c.month, {differences} FROM dossier_recount c"
        f" LEFT JOIN {DOSSIER_BASE} b"
        " ON b.agency_id = c.agency_id AND b.month = c.month"
        f" WHERE {changed}",
        [],
    )
    columns = ", ".join(DOSSIER_COLUMNS)
    cursor.execute(
        f"INSERT INTO {DOSSIER_BASE} (agency_id, month, {columns})"
        f" SELECT agency_id, month, {columns} FROM dossier_recount WHERE true"
        " ON CONFLICT (agency_id, month) DO UPDATE SET "
        + ", ".join(f"{n} = excluded.{n}" for n in DOSSIER_COLUMNS),
        [],
    )
    empty = " AND ".join(f"{n} = 0" for n in DOSSIER_COLUMNS)
    cursor.execute(f"DELETE FROM {DOSSIER_BASE} WHERE {empty}", [])
    fan = fan_from("dossier_delta", DOSSIER_COLUMNS)
    sums = ", ".join(f"SUM(b.{n})" for n in DOSSIER_COLUMNS)
    cursor.execute(
        f"INSERT INTO {DOSSIER_COUNTS} ({KEY}, {columns})"
        f" SELECT b.level, b.unit_id, k.kind, {PERIOD_KEY}, {sums}{fan}"
        " GROUP BY 1, 2, 3, 4"
        f" ON CONFLICT ({KEY}) DO UPDATE SET "
        + ", ".join(
            f"{n} = {DOSSIER_COUNTS}.{n} + excluded.{n}" for n in DOSSIER_COLUMNS
        ),
        [],
    )
    touched = f"SELECT DISTINCT b.level, b.unit_id, k.kind, {PERIOD_KEY}{fan}"
    cursor.execute(
        f"INSERT INTO {DOSSIER_DIRTY} ({KEY}) {touched} ON CONFLICT ({KEY}) DO NOTHING",
        [],
    )
    dirty = max(cursor.rowcount, 0)
    # Keep exactly the rows a recount from scratch would hold.
    cursor.execute(
        f"DELETE FROM {DOSSIER_COUNTS} WHERE {empty} AND ({KEY}) IN ({touched})", []
    )
    for name in ("dossier_touched", "dossier_recount", "dossier_delta"):
        cursor.execute(f"DROP TABLE {name}", [])
    return dirty


def dossier_rollup_refresh() -> int:
    """Fold the queued dossier changes into the counts and mark the unit-periods
    they touch dirty, in one transaction; returns how many were marked. Safe to
    run at any time, any number of times."""
    with transaction.atomic(), connection.cursor() as cursor:
        lock_state(cursor)
        return _fold(cursor)


def dossier_rollup_rebuild() -> int:
    """Recount every dossier into empty counts (`refresh_indicators --full`):
    every agency-month with dossiers is queued, the counts are emptied, and the
    unit-periods they held are marked dirty, so that figures whose dossiers are
    gone are removed."""
    with transaction.atomic(), connection.cursor() as cursor:
        lock_state(cursor)
        cursor.execute(
            f"INSERT INTO {DOSSIER_DIRTY} ({KEY})"
            f" SELECT {KEY} FROM {DOSSIER_COUNTS} WHERE true"
            f" ON CONFLICT ({KEY}) DO NOTHING",
            [],
        )
        cursor.execute(f"DELETE FROM {DOSSIER_COUNTS}", [])
        cursor.execute(f"DELETE FROM {DOSSIER_BASE}", [])
        cursor.execute(
            f"INSERT INTO {DOSSIER_TOUCH} (agency_id, month)"
            f" SELECT DISTINCT agency_id, {month('received_on')} FROM {DOSSIERS}"
            " UNION"
            f" SELECT DISTINCT agency_id, {month('resolved_on')} FROM {DOSSIERS}"
            " WHERE resolved_on IS NOT NULL",
            [],
        )
        return _fold(cursor)
