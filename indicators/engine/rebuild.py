"""The full rebuild: every count recounted from the responses as of a cutoff,
then merged into the live rollup, writing only the rows that differ.

Distributed, it runs as one task per province (`rollup_rebuild_part`) between a
begin and a finish; in one process, `rollup_rebuild_counts` does it all at once.
Either marks every unit-period dirty: the pipeline then recomputes the figures.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone

from indicators.engine.fanout import build_base, fanned_criteria, fanned_respondents
from indicators.engine.kernel import (
    AGENCIES,
    ANSWER_COLUMNS,
    BACKLOG,
    BASE_CC,
    BASE_RC,
    CC,
    DIRTY,
    KEY,
    RC,
    STATE,
    bulk,
    same_key,
    temp_table,
)
from indicators.engine.state import (
    Marks,
    current_marks,
    lease_until,
    lock_state,
    rebuild_lease_renew,
)
from surveys.models import Province

logger = logging.getLogger(__name__)


def rollup_rebuild_abandon(*, cutoff: str) -> bool:
    """Give up the claim of the rebuild `cutoff` (a part failed, so it can never
    swap in): folds resume at once. False when that rebuild is no longer the
    running one."""
    with transaction.atomic(), connection.cursor() as cursor:
        _, running, _ = lock_state(cursor)
        if running != cutoff:
            return False
        cursor.execute(
            f"UPDATE {STATE} SET rebuild_cutoff = NULL,"
            " rebuild_started_at = NULL, rebuild_lease_until = NULL WHERE id = 1",
            [],
        )
    logger.warning("Rollup rebuild %s abandoned: a part failed.", cutoff)
    return True


# --- full rebuild ----------------------------------------------------------------


def rollup_rebuild_begin() -> str:
    """Start a rebuild: take the cutoff it counts to, empty the scratch tables and
    stop folds until it ends. Returns the cutoff the other steps must be given."""
    with transaction.atomic(), connection.cursor() as cursor:
        lock_state(cursor)
        marks = current_marks(cursor)
        cursor.execute(f"DELETE FROM {BASE_CC}", [])
        cursor.execute(f"DELETE FROM {BASE_RC}", [])
        cursor.execute(
            f"UPDATE {STATE} SET rebuild_cutoff = %s,"
            " rebuild_started_at = %s, rebuild_lease_until = %s WHERE id = 1",
            [marks.encode(), timezone.now(), lease_until()],
        )
    return marks.encode()


def rollup_rebuild_parts() -> list[int | None]:
    """The parts a rebuild is split in: each province with agencies (of either map),
    and None for the agencies without a province (ministries)."""
    parts = Province.objects.filter(agencies__isnull=False).distinct()
    return [*parts.order_by("id").values_list("id", flat=True), None]


def rollup_rebuild_part(*, cutoff: str, province_id: int | None) -> bool:
    """Count the responses about the agencies of one province (None: agencies
    without one) as of the cutoff into the scratch tables, replacing what a previous
    run of the same part wrote. Does nothing if that rebuild is no longer running."""
    marks = Marks.decode(cutoff)
    if not rebuild_lease_renew(cutoff):
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        # Shared with the other parts; a new rebuild's begin (FOR UPDATE) waits for
        # running parts, so a superseded part never writes into the new scratch.
        # KEY SHARE lets the other parts renew the lease meanwhile.
        cursor.execute(
            f"SELECT rebuild_cutoff FROM {STATE} WHERE id = 1 FOR KEY SHARE",
            [],
        )
        row = cursor.fetchone()
        if row is None or row[0] != cutoff:
            return False
        if province_id is None:
            where, params = " AND a.province_id IS NULL", []
        else:
            where, params = " AND a.province_id = %s", [province_id]
        agency_filter = (
            f" AND r.agency_id IN (SELECT a.id FROM {AGENCIES} a WHERE true{where})"
        )
        build_base(
            cursor,
            marks,
            base_cc=BASE_CC,
            base_rc=BASE_RC,
            agency_filter=agency_filter,
            filter_params=params,
        )
    return True


def rollup_rebuild_finish(*, cutoff: str) -> bool:
    """Replace the live rollup with the scratch counts fanned out to every level and
    period, mark every unit and period (old and new) dirty, and set the marks to the
    cutoff so that the next fold continues exactly where the rebuild counted to.

    Runs once per rebuild: a second run, or one for a superseded rebuild, does
    nothing and returns False.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        finished = _swap_in(cursor, cutoff, base_cc=BASE_CC, base_rc=BASE_RC)
        if finished:
            cursor.execute(f"DELETE FROM {BASE_CC}", [])
            cursor.execute(f"DELETE FROM {BASE_RC}", [])
    return finished


def _swap_in(cursor, cutoff: str, *, base_cc: str, base_rc: str) -> bool:
    """Make the live rollup what the base of the running rebuild `cutoff` counts,
    mark every unit-period dirty and move the marks; False (nothing done) when
    that rebuild is no longer the running one."""
    _, running, _ = lock_state(cursor)
    if running != cutoff:
        return False
    marks = Marks.decode(cutoff)
    bulk(cursor)
    # The backlog holds responses of folds before the cutoff, which the rebuild
    # counts for their agencies too.
    cursor.execute(f"DELETE FROM {BACKLOG}", [])
    # Every unit-period is marked dirty: those the rollup holds now (some may
    # lose all their counts) and, after the merge, those it holds then.
    dirty = (
        f"INSERT INTO {DIRTY} ({KEY}, questionnaire_id)"
        f" SELECT {KEY}, questionnaire_id FROM {RC} WHERE true"
        f" ON CONFLICT ({KEY}, questionnaire_id) DO NOTHING"
    )
    cursor.execute(dirty, [])
    # Counted afresh, then merged: only rows that differ are written. A rebuild
    # mostly confirms what the folds counted, and deleting and rewriting millions
    # of rows would leave as many dead ones behind.
    _merge(
        cursor,
        live=CC,
        fresh=fanned_criteria(base_cc),
        key="criterion_id",
        sums=ANSWER_COLUMNS,
    )
    _merge(
        cursor,
        live=RC,
        fresh=fanned_respondents(base_rc),
        key="questionnaire_id",
        sums=("respondents",),
    )
    cursor.execute(dirty, [])
    now = timezone.now()
    cursor.execute(
        f"UPDATE {STATE} SET response_mark = %s, review_mark = %s,"
        " snapshot = %s, rebuilt_at = %s, refreshed_at = %s,"
        " rebuild_cutoff = NULL, rebuild_started_at = NULL,"
        " rebuild_lease_until = NULL WHERE id = 1",
        [marks.response, marks.review, marks.snapshot, now, now],
    )
    return True


def _merge(cursor, *, live: str, fresh: str, key: str, sums: tuple[str, ...]) -> None:
    """Make `live` hold exactly the rows the query `fresh` returns, writing only
    the differences."""
    columns = f"{KEY}, {key}"
    joined = same_key(columns)
    differs = " OR ".join(f"l.{c} <> f.{c}" for c in sums)
    fresh_columns = ", ".join(f"f.{c}" for c in (*columns.split(", "), *sums))
    # One full join of the live table with the fresh counts, as they are
    # computed, finds every difference: hashing beats walking the live table's
    # index in key order, and writing the fresh counts to a table first, or
    # joining twice (rows gone, rows new or changed), cost more
    # (docs/performance.md).
    cursor.execute("SET LOCAL enable_mergejoin = off", [])
    temp_table(
        cursor,
        "rebuild_diff",
        f"SELECT l.id AS live_id, {fresh_columns} FROM {live} l"
        f" FULL JOIN ({fresh}) f ON {joined}"
        f" WHERE l.id IS NULL OR f.level IS NULL OR {differs}",
        [],
    )
    cursor.execute(
        f"DELETE FROM {live} WHERE id IN"
        " (SELECT live_id FROM rebuild_diff WHERE level IS NULL)",
        [],
    )
    cursor.execute(
        f"UPDATE {live} l SET "
        + ", ".join(f"{c} = x.{c}" for c in sums)
        + " FROM rebuild_diff x WHERE l.id = x.live_id AND x.level IS NOT NULL",
        [],
    )
    # New rows in key order, as a fold writes them (`fan_out`): the rows of a
    # unit-period share a page.
    cursor.execute(
        f"INSERT INTO {live} ({columns}, {', '.join(sums)})"
        f" SELECT {columns}, {', '.join(sums)} FROM rebuild_diff"
        f" WHERE live_id IS NULL ORDER BY {columns}",
        [],
    )
    cursor.execute("DROP TABLE rebuild_diff", [])


def rollup_rebuild_counts() -> str | None:
    """Rebuild the whole rollup synchronously, in one process, to the same result as
    the per-province tasks (`python manage.py refresh_indicators --full`); the
    cutoff it counted to, or None when another rebuild superseded it.

    One statement over all responses, into temporary tables (no index, no
    write-ahead log, nothing that can conflict): in one process it beats a scan
    per province into the shared scratch tables."""
    cutoff = rollup_rebuild_begin()
    with transaction.atomic(), connection.cursor() as cursor:
        # Held from the start: no part renews this rebuild's lease, so folds wait
        # for it rather than outlive the lease and take the rollup back meanwhile.
        lock_state(cursor)
        base = {"base_cc": "rebuild_base_cc", "base_rc": "rebuild_base_rc"}
        build_base(cursor, Marks.decode(cutoff), temp=True, **base)
        finished = _swap_in(cursor, cutoff, **base)
        for name in base.values():
            cursor.execute(f"DROP TABLE {name}", [])
    return cutoff if finished else None
