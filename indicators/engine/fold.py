"""The incremental fold: responses and reviews written since the last fold,
added to the counts.

The fold runs in two transactions. The first counts new responses for the
provinces, regions and nation (the units SIPAS ranks and sets targets for),
summed per province at once, and queues them in the agency backlog; the second
counts the backlog for the agencies. A batch touches a few thousand provincial
rows but tens of thousands of agency rows, and the rankings need not wait for
those (docs/performance.md).

A fold changes counts and marks what it touched dirty; the figures of those
unit-periods are recomputed by the next step of the pipeline
(`indicators.engine.pipeline`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from indicators.engine.fanout import (
    base_criteria_sql,
    base_respondents_sql,
    drop_zero_rows,
    fan_out,
    mark_dirty,
)
from indicators.engine.kernel import (
    AGENCIES,
    BACKLOG,
    CC,
    RC,
    RESPONSES,
    REVIEWS,
    SOURCE_COLUMNS,
    STATE,
    bulk,
    counted,
    temp_table,
)
from indicators.engine.state import (
    Marks,
    current_marks,
    lock_state,
    rebuild_abandoned,
    written_between,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoldResult:
    """`folded` is False when a rebuild was running; `changes` counts the new
    responses and reviews that changed a count."""

    folded: bool
    changes: int = 0
    dirty: int = 0
    marks: Marks | None = None


def rollup_fold(*, pause_seconds: float = 0) -> FoldResult:
    """Fold the responses and reviews written since the last fold into the counts
    of the units above the agency, queue them for their agencies (the backlog),
    mark what they touched dirty and move the marks, all in one transaction.

    Folds queue on the state row, and a fold that finds nothing new changes
    nothing.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        prev, cutoff, _ = lock_state(cursor)
        if cutoff is not None and not rebuild_abandoned(cursor):
            logger.info("Rollup fold skipped: a rebuild is running.")
            return FoldResult(folded=False)
        # Taken once the lock is held: a fold that waited sees what the one before
        # it committed, and a later snapshot sees a superset of an earlier one.
        new = current_marks(cursor)
        new_rows, p1 = written_between("r", after=prev, upto=new)
        new_reviews, p2 = written_between("v", after=prev, upto=new)
        delta = f"{counted('v.to_status')} - {counted('v.from_status')}"
        # Intake counts a response iff no flag was raised; reviews are changes.
        temp_table(
            cursor,
            "rollup_source",
            "SELECT r.agency_id, r.questionnaire_id, r.responded_on, r.answers, 1 AS w"
            f" FROM {RESPONSES} r WHERE r.flags = 0 AND {new_rows}"
            " UNION ALL"
            " SELECT r.agency_id, r.questionnaire_id, r.responded_on, r.answers,"
            f" {delta} AS w FROM {REVIEWS} v"
            f" JOIN {RESPONSES} r ON r.id = v.response_id"
            f" WHERE {new_reviews} AND v.to_status <> v.from_status",
            p1 + p2,
        )
        staged, dirty = _fold_source(cursor, "rollup_source", agencies=False)
        if staged:
            cursor.execute(
                f"INSERT INTO {BACKLOG} ({SOURCE_COLUMNS})"
                f" SELECT {SOURCE_COLUMNS} FROM rollup_source WHERE w <> 0",
                [],
            )
        cursor.execute("DROP TABLE rollup_source")
        if pause_seconds:
            _pause(cursor, pause_seconds)
        cursor.execute(
            f"UPDATE {STATE} SET response_mark = %s, review_mark = %s,"
            " snapshot = %s, refreshed_at = %s, rebuild_cutoff = NULL,"
            " rebuild_started_at = NULL, rebuild_lease_until = NULL WHERE id = 1",
            [new.response, new.review, new.snapshot, timezone.now()],
        )
    return FoldResult(folded=True, changes=staged, dirty=dirty, marks=new)


def rollup_fold_agencies() -> FoldResult:
    """Count the backlog of the folds for the agencies, mark what it touched
    dirty and empty it, in one transaction.

    Holds the state row like a fold: no fold can add to the backlog meanwhile,
    and no rebuild can empty it. Skipped while a rebuild runs (its swap counts
    the backlog's responses for the agencies too, and empties it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _, cutoff, _ = lock_state(cursor)
        if cutoff is not None and not rebuild_abandoned(cursor):
            return FoldResult(folded=False)
        temp_table(
            cursor, "agency_source", f"SELECT {SOURCE_COLUMNS} FROM {BACKLOG}", []
        )
        cursor.execute(f"DELETE FROM {BACKLOG}", [])
        staged, dirty = _fold_source(cursor, "agency_source", agencies=True)
        cursor.execute("DROP TABLE agency_source")
    return FoldResult(folded=True, changes=staged, dirty=dirty)


def _fold_source(cursor, source: str, *, agencies: bool) -> tuple[int, int]:
    """Add a source of weighted responses (`SOURCE_COLUMNS`) to the counts of its
    agencies, or of the units above them, and mark them dirty. Returns the rows
    of the source and the unit-periods marked."""
    cursor.execute(
        f"SELECT COUNT(*), SUM(CASE WHEN w < 0 THEN 1 ELSE 0 END) FROM {source}"
    )
    staged, negative = cursor.fetchone()
    if not staged:
        return 0, 0
    bulk(cursor)
    if agencies:
        select, by = f"SELECT * FROM {source}", "agency_id"
        units = {"above": False}
    else:
        # Summed per province at once: a few thousand rows where per agency
        # there are as many as the answers (most of a fold; docs/performance.md).
        select = (
            "SELECT COALESCE(a.province_id, 0) AS province_id, s.questionnaire_id,"
            f" s.responded_on, s.answers, s.w FROM {source} s"
            f" JOIN {AGENCIES} a ON a.id = s.agency_id"
        )
        by, units = "province_id", {"agencies": False, "by_province": True}
    base = {"base_cc": "rollup_base_cc", "base_rc": "rollup_base_rc"}
    temp_table(cursor, base["base_cc"], base_criteria_sql(select, by), [])
    temp_table(cursor, base["base_rc"], base_respondents_sql(select, by), [])
    fan_out(cursor, **base, cc=CC, rc=RC, add=True, many=agencies, **units)
    dirty = mark_dirty(cursor, base_rc=base["base_rc"], **units)
    if negative:
        drop_zero_rows(cursor, base_rc=base["base_rc"], **units)
    for name in base.values():
        cursor.execute(f"DROP TABLE {name}")
    return staged, dirty


def _pause(cursor, seconds: float) -> None:
    """Hold the transaction open (tests kill a worker meanwhile)."""
    cursor.execute("SELECT pg_sleep(%s)", [seconds])
