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

from indicators import rollup
from indicators.dossier_values import dossier_values_refresh_dirty
from surveys.models import Channel

logger = logging.getLogger(__name__)

BASE = "indicators_dossiermonthcount"
COUNTS = "indicators_dossiercount"
DIRTY = "indicators_dossierdirtyunitperiod"
TOUCH = "surveys_dossiertouch"
FIELDS = (
    "received",
    "received_online",
    "resolved",
    "resolved_on_time",
    "handling_days",
)
_KEY = "level, unit_id, period_kind, period_key"


def _month_start(month: str) -> str:
    return f"make_date({month} / 100, {month} %% 100, 1)"


def _month_stop(month: str) -> str:
    return (
        f"CAST(make_date({month} / 100, {month} %% 100, 1)"
        " + interval '1 month' AS date)"
    )


def _days(later: str, earlier: str) -> str:
    return f"({later} - {earlier})"


def _take_queue(cursor) -> int:
    """Move the queued agency-months into the temporary table `dossier_touched`
    and delete them from the queue; rows committed meanwhile stay queued."""
    rollup._temp_table(
        cursor,
        "dossier_touched",
        f"SELECT agency_id, month FROM {TOUCH} WHERE 1 = 0",
        [],
    )
    cursor.execute(
        f"WITH gone AS (DELETE FROM {TOUCH} RETURNING agency_id, month)"
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
    FROM dossier_touched t JOIN surveys_dossier d ON d.agency_id = t.agency_id
     AND {in_month.format(date="received_on", start=start, stop=stop)}
    GROUP BY t.agency_id, t.month
) r ON r.agency_id = t.agency_id AND r.month = t.month
LEFT JOIN (
    SELECT t.agency_id, t.month, COUNT(*) AS resolved,
           SUM(CASE WHEN {on_time} THEN 1 ELSE 0 END) AS resolved_on_time,
           SUM(CASE WHEN {handling} > 0 THEN {handling} ELSE 0 END)
               AS handling_days
    FROM dossier_touched t JOIN surveys_dossier d ON d.agency_id = t.agency_id
     AND {in_month.format(date="resolved_on", start=start, stop=stop)}
    GROUP BY t.agency_id, t.month
) s ON s.agency_id = t.agency_id AND s.month = t.month
"""


def _fold(cursor) -> int:
    """Fold the queue; returns the unit-periods marked dirty."""
    if not _take_queue(cursor):
        cursor.execute("DROP TABLE dossier_touched", [])
        return 0
    rollup._temp_table(cursor, "dossier_recount", _recount_sql(), [])
    differences = ", ".join(f"c.{n} - COALESCE(b.{n}, 0) AS {n}" for n in FIELDS)
    changed = " OR ".join(f"c.{n} <> COALESCE(b.{n}, 0)" for n in FIELDS)
    rollup._temp_table(
        cursor,
        "dossier_delta",
        f"SELECT c.agency_id, c.month, {differences} FROM dossier_recount c"
        f" LEFT JOIN {BASE} b ON b.agency_id = c.agency_id AND b.month = c.month"
        f" WHERE {changed}",
        [],
    )
    columns = ", ".join(FIELDS)
    cursor.execute(
        f"INSERT INTO {BASE} (agency_id, month, {columns})"
        f" SELECT agency_id, month, {columns} FROM dossier_recount WHERE true"
        " ON CONFLICT (agency_id, month) DO UPDATE SET "
        + ", ".join(f"{n} = excluded.{n}" for n in FIELDS),
        [],
    )
    empty = " AND ".join(f"{n} = 0" for n in FIELDS)
    cursor.execute(f"DELETE FROM {BASE} WHERE {empty}", [])
    fan = rollup.fan_from("dossier_delta", FIELDS)
    sums = ", ".join(f"SUM(b.{n})" for n in FIELDS)
    cursor.execute(
        f"INSERT INTO {COUNTS} ({_KEY}, {columns})"
        f" SELECT b.level, b.unit_id, k.kind, {rollup._PERIOD_KEY}, {sums}{fan}"
        " GROUP BY 1, 2, 3, 4"
        f" ON CONFLICT ({_KEY}) DO UPDATE SET "
        + ", ".join(f"{n} = {COUNTS}.{n} + excluded.{n}" for n in FIELDS),
        [],
    )
    touched = f"SELECT DISTINCT b.level, b.unit_id, k.kind, {rollup._PERIOD_KEY}{fan}"
    cursor.execute(
        f"INSERT INTO {DIRTY} ({_KEY}) {touched} ON CONFLICT ({_KEY}) DO NOTHING", []
    )
    dirty = max(cursor.rowcount, 0)
    # Keep exactly the rows a recount from scratch would hold.
    cursor.execute(
        f"DELETE FROM {COUNTS} WHERE {empty} AND ({_KEY}) IN ({touched})", []
    )
    for name in ("dossier_touched", "dossier_recount", "dossier_delta"):
        cursor.execute(f"DROP TABLE {name}", [])
    return dirty


def dossier_rollup_refresh() -> int:
    """Fold the queued dossier changes into the counts and mark the unit-periods
    they touch dirty, in one transaction; returns how many were marked. Safe to
    run at any time, any number of times."""
    with transaction.atomic(), connection.cursor() as cursor:
        rollup._lock_state(cursor)
        return _fold(cursor)


def dossier_rollup_rebuild() -> int:
    """Recount every dossier into empty counts (`refresh_indicators --full`):
    every agency-month with dossiers is queued, the counts are emptied, and the
    unit-periods they held are marked dirty, so that figures whose dossiers are
    gone are removed."""
    with transaction.atomic(), connection.cursor() as cursor:
        rollup._lock_state(cursor)
        cursor.execute(
            f"INSERT INTO {DIRTY} ({_KEY}) SELECT {_KEY} FROM {COUNTS} WHERE true"
            f" ON CONFLICT ({_KEY}) DO NOTHING",
            [],
        )
        cursor.execute(f"DELETE FROM {COUNTS}", [])
        cursor.execute(f"DELETE FROM {BASE}", [])
        month = rollup._month
        cursor.execute(
            f"INSERT INTO {TOUCH} (agency_id, month)"
            f" SELECT DISTINCT agency_id, {month('received_on')} FROM surveys_dossier"
            " UNION"
            f" SELECT DISTINCT agency_id, {month('resolved_on')} FROM surveys_dossier"
            " WHERE resolved_on IS NOT NULL",
            [],
        )
        return _fold(cursor)


def dossiers_refresh() -> int:
    """Fold dossier changes, then recompute the figures they touched. Runs after
    every response fold (see IndicatorsConfig.ready)."""
    dossier_rollup_refresh()
    return dossier_values_refresh_dirty()
