"""The rollup engine: folding responses into answer counts per unit, period and
criterion, incrementally and as a full rebuild, and checking the result.

Every count is computed in SQL. Responses are first summed per agency, month and
criterion (the "base": small next to the responses), then the base is fanned out to
every level (agency, province in force and in the 2025 map, region, nation) and
period (month, quarter, year; agencies by quarter and year) with joins. The same
fan-out serves the incremental fold, the rebuild and the reconciliation, so the
three cannot drift apart.

The incremental fold runs in two transactions. The first counts new responses for
the provinces, regions and nation (the units SIPAS ranks and sets targets for),
summed per province at once, and queues them in the agency backlog; the second
counts the backlog for the agencies. A batch touches a few thousand provincial
rows but tens of thousands of agency rows, and the rankings need not wait for
those (docs/performance.md).

Weights make the fold additive: a new response adds 1 if intake accepted it, a
review adds counted(to) - counted(from). The sum over a response's history is its
current contribution, whatever order the pieces are folded in.

Marks are transaction ids (see surveys migration 0002).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from indicators.models import Level, PeriodKind, Reconciliation
from surveys.models import MAP_2025_STARTS, Province, Response

logger = logging.getLogger(__name__)

# Called, in order, after a fold or rebuild has committed:
# the figures side registers what consumes DirtyUnitPeriod rows here (see
# IndicatorsConfig.ready, once indicators.values exists). A plain list: no import
# of a module that may not exist yet, and surveys never imports indicators.
AFTER_FOLD: list[Callable[[], object]] = []

# work_mem for the statements of a rebuild or a reconciliation (PostgreSQL).
BULK_WORK_MEM = "256MB"

SUSPICIOUS = Response.Status.SUSPICIOUS.value
MONTH_2025 = int(MAP_2025_STARTS[:4]) * 100 + int(MAP_2025_STARTS[5:7])
LEVELS = ("n0", "n1", "n2", "n3", "n4", "n5")

# The key of a count row, before its criterion or questionnaire.
_KEY = "level, unit_id, period_kind, period_key"
_CC_COLS = f"{_KEY}, criterion_id, {', '.join(LEVELS)}"
_RC_COLS = f"{_KEY}, questionnaire_id, respondents"
CC = "indicators_criterioncount"
RC = "indicators_respondentcount"
DIRTY = "indicators_dirtyunitperiod"
BACKLOG = "indicators_agencybacklog"
_SOURCE_COLS = "agency_id, questionnaire_id, responded_on, answers, w"
BASE_CC = "indicators_rebuildcriterioncount"
BASE_RC = "indicators_rebuildrespondentcount"


# PostgreSQL snapshot before any transaction: nothing is visible in it.
EMPTY_SNAPSHOT = "1:1:"


@dataclass(frozen=True)
class Marks:
    """How far the rollup has folded.

    `snapshot` is the snapshot of the fold (rows of transactions visible in it are
    folded), `response` = `review` its xmin (every row below is folded: the lower
    end of the index range).
    """

    response: int
    review: int
    snapshot: str = ""

    def encode(self) -> str:
        """A plain string for task arguments and the state row."""
        return f"{self.response}/{self.review}/{self.snapshot}"

    @classmethod
    def decode(cls, value: str) -> Marks:
        response, review, snapshot = value.split("/", 2)
        return cls(int(response), int(review), snapshot)


@dataclass(frozen=True)
class FoldResult:
    """`folded` is False when a rebuild was running; `changes` counts the new
    responses and reviews that changed a count."""

    folded: bool
    changes: int = 0
    dirty: int = 0
    marks: Marks | None = None


def _month(column: str) -> str:
    """202203 for a date in March 2022."""
    return f"(EXTRACT(YEAR FROM {column}) * 100 + EXTRACT(MONTH FROM {column}))::int"


def _written_between(alias: str, *, after: Marks, upto: Marks) -> tuple[str, list]:
    """Rows written after the marks `after`, up to the marks `upto`: rows that
    became visible between the two snapshots."""
    return (
        f"{alias}.xact_id >= %s::text::xid8"
        f" AND NOT pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)"
        f" AND pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)",
        [str(after.response), after.snapshot, upto.snapshot],
    )


def _written_before(alias: str, marks: Marks) -> tuple[str, list]:
    """Responses the marks include."""
    return (
        f"pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)",
        [marks.snapshot],
    )


def _written_after(alias: str, marks: Marks) -> tuple[str, list]:
    """Reviews the marks do not include."""
    return (
        f"{alias}.xact_id >= %s::text::xid8"
        f" AND NOT pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)",
        [str(marks.review), marks.snapshot],
    )


def _current_marks(cursor) -> Marks:
    """The marks a fold starting now may fold up to."""
    # Rows of every transaction visible in this snapshot are committed, and
    # every transaction below its xmin has ended.
    cursor.execute(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
        " pg_current_snapshot()::text",
        [],
    )
    mark, snapshot = cursor.fetchone()
    return Marks(mark, mark, snapshot)


def _lock_state(cursor) -> tuple[Marks, str | None, object]:
    """Lock the state row (creating it); its marks, running rebuild cutoff and
    the rebuild's start."""
    cursor.execute(
        "INSERT INTO indicators_rollupstate (id, response_mark, review_mark,"
        " snapshot) VALUES (1, 0, 0, '') ON CONFLICT (id) DO NOTHING",
        [],
    )
    cursor.execute(
        "SELECT response_mark, review_mark, snapshot, rebuild_cutoff,"
        " rebuild_started_at FROM indicators_rollupstate WHERE id = 1 FOR UPDATE",
        [],
    )
    response, review, snapshot, cutoff, started = cursor.fetchone()
    return Marks(response, review, snapshot or EMPTY_SNAPSHOT), cutoff, started


def _fence() -> str:
    """Ends a subquery the planner must not merge into the query around it."""
    return " OFFSET 0"


def _bulk(cursor) -> None:
    """Let the statements of this transaction aggregate in memory: a rebuild
    groups millions of rows, and spilling the hash tables to disk costs more
    than the statement's own work (measured: docs in the rollup report)."""
    cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'", [])


def _temp_table(cursor, name: str, select: str, params: list) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} AS {select}", params)


@contextmanager
def planner_settings(cursor, settings: dict[str, str]) -> Iterator[None]:
    """PostgreSQL settings for the statements run inside, SET LOCAL before and
    RESET after. Not reset when a statement fails: the transaction is then rolled
    back, and SET LOCAL ends with it."""
    for name, value in settings.items():
        cursor.execute(f"SET LOCAL {name} = {value}", [])
    yield
    for name in settings:
        cursor.execute(f"RESET {name}", [])


def _same_key(columns: str) -> str:
    """The join of a live count table `l` to fresh counts `f` on `columns`."""
    return " AND ".join(f"l.{c} = f.{c}" for c in columns.split(", "))


def _counted(column: str) -> str:
    return f"(CASE WHEN {column} <> {SUSPICIOUS} THEN 1 ELSE 0 END)"


# --- the shared SQL --------------------------------------------------------------


def _base_criteria_sql(
    source: str, by: str = "agency_id", *, ordered: bool = False
) -> str:
    """Sum a source of (agency_id, questionnaire_id, responded_on, answers, w) per
    agency (or the source's column `by`), questionnaire, month and criterion.

    Each response meets the criteria of its questionnaire through a join, and
    substr() reads its answer: the executor expands rows in a tight loop, cheaper
    than one CASE column per criterion and level, and any questionnaire works.
    "-" (left out) matches no level and is dropped before grouping.

    Sums are cast back to integers here and in `fan_from`: PostgreSQL sums
    bigints as numeric, and adding up numerics was half the rebuild's fan-out
    (15.5 s against 7.2 s at 100k). The weights must be integers too.

    `ordered` (a rebuild) returns the rows by agency, questionnaire and month:
    the fan-out then meets each agency's quarter and year in turn, and its hash
    aggregate of millions of groups works in cache (5.7 s against 6.7 s at
    100k, the base itself 2.8 s against 3.1 s).
    """
    sums = ", ".join(
        f"CAST(SUM(CASE WHEN x.answer = '{i}' THEN x.w ELSE 0 END) AS INTEGER) AS n{i}"
        for i in range(6)
    )
    # The month is computed once per response and the answer once per criterion,
    # each inside a fence: the planner would otherwise copy the expression into
    # every place that reads it (seven substr() per answer: 318 ms against 195 ms
    # for 10,000 responses, EXPLAIN ANALYZE).
    return (
        f"SELECT x.{by}, x.questionnaire_id, x.month, x.criterion_id, {sums} FROM ("
        f"SELECT s.{by}, s.questionnaire_id, s.month, c.id AS criterion_id, s.w,"
        " substr(s.answers, c.position, 1) AS answer FROM ("
        f"SELECT s0.{by}, s0.questionnaire_id, s0.answers, s0.w,"
        f" {_month('s0.responded_on')} AS month FROM ({source}) s0"
        f" WHERE s0.w <> 0{_fence()}) s"
        " JOIN surveys_criterion c ON c.questionnaire_id = s.questionnaire_id"
        f"{_fence()}) x"
        " WHERE x.answer IN ('0', '1', '2', '3', '4', '5')"
        " GROUP BY 1, 2, 3, 4" + (" ORDER BY 1, 2, 3, 4" if ordered else "")
    )


def _base_respondents_sql(source: str, by: str = "agency_id") -> str:
    return (
        f"SELECT s.{by}, s.questionnaire_id, {_month('s.responded_on')} AS month,"
        " SUM(s.w) AS respondents"
        f" FROM ({source}) s WHERE s.w <> 0 GROUP BY 1, 2, 3"
    )


# The units a response counts for, other than its agency, by the province of the
# agency before (era 0) and from (era 1) the 2025 map: the province in force, the
# 2025 unit when that differs, the region of the province in force, and the nation.
# Agencies without a province (ministries) are province 0: the nation only.
_ERAS = "(SELECT 0 AS era UNION ALL SELECT 1)"
_IN_FORCE = (
    "CASE WHEN e.era = 0 AND p.map = 2008 THEN p.id"
    " WHEN p.map = 2008 THEN p.successor_id ELSE p.id END"
)
_PROVINCE_TARGETS = f"""
SELECT p.id AS province_id, e.era, {Level.PROVINCE} AS level, {_IN_FORCE} AS unit_id
  FROM surveys_province p CROSS JOIN {_ERAS} e
UNION ALL
SELECT p.id, 0, {Level.PROVINCE}, p.successor_id FROM surveys_province p
 WHERE p.map = 2008 AND p.successor_id IS NOT NULL
UNION ALL
SELECT p.id, e.era, {Level.REGION}, f.region_id
  FROM surveys_province p CROSS JOIN {_ERAS} e
  JOIN surveys_province f ON f.id = {_IN_FORCE}
 WHERE f.region_id IS NOT NULL
UNION ALL
SELECT p.id, e.era, {Level.NATION}, 0 FROM surveys_province p CROSS JOIN {_ERAS} e
UNION ALL
SELECT 0, e.era, {Level.NATION}, 0 FROM {_ERAS} e
"""
_KINDS = "(SELECT 1 AS kind UNION ALL SELECT 2 UNION ALL SELECT 3)"
_PERIOD_KEY = (
    "CASE k.kind WHEN 1 THEN b.month"
    " WHEN 2 THEN (b.month / 100) * 10 + ((b.month %% 100) + 2) / 3"
    " ELSE b.month / 100 END"
)


def fan_from(
    base: str,
    sums: tuple[str, ...],
    key: str = "",
    *,
    agency_months: bool = True,
    agencies: bool = True,
    above: bool = True,
    by_province: bool = False,
) -> str:
    """FROM clause of a base of (agency_id, month, [key,] sums) fanned out to every
    unit (`b.level`, `b.unit_id`) and period (`k.kind` and `_PERIOD_KEY`), with the
    base's `key` and `sums` columns. Without `agency_months`, agencies are counted
    by quarter and year only; `agencies` and `above` choose the agencies and the
    units above them (provinces, regions, nation). With `by_province` the base is
    of (province_id, ...) instead, 0 for agencies without one: the units above
    the agency only.

    Agency rows come straight from the base; every other level from the base
    summed per province first. A base holds one row per agency and month (and
    criterion); with hundreds of agencies per province the province sums are two
    orders of magnitude fewer rows to fan out four ways.
    """
    k = f" b.{key}," if key else ""
    kp = f" bp.{key}," if key else ""
    plain = ", ".join(f"b.{c}" for c in sums)
    summed = ", ".join(f"CAST(SUM(b.{c}) AS INTEGER) AS {c}" for c in sums)
    from_province = ", ".join(f"bp.{c}" for c in sums)
    group = "1, 2, 3" if key else "1, 2"
    province, join = (
        "COALESCE(a.province_id, 0)",
        (" JOIN surveys_agency a ON a.id = b.agency_id"),
    )
    if by_province:
        if agencies:
            raise ValueError("a base by province has no agencies to fan out to")
        province, join = "b.province_id", ""
    parts = []
    if agencies:
        parts.append(
            f"SELECT {Level.AGENCY} AS level, b.agency_id AS unit_id, b.month,{k}"
            f" {plain} FROM {base} b"
        )
    if above:
        parts.append(
            f"SELECT t.level, t.unit_id, bp.month,{kp} {from_province} FROM ("
            f"SELECT {province} AS province_id, b.month,{k}"
            f" {summed} FROM {base} b{join} GROUP BY {group}) bp"
            f" JOIN ({_PROVINCE_TARGETS}) t ON t.province_id = bp.province_id"
            f" AND t.era = CASE WHEN bp.month >= {MONTH_2025} THEN 1 ELSE 0 END"
            " WHERE t.unit_id IS NOT NULL"
        )
    source = " UNION ALL ".join(parts)
    where = ""
    if not agency_months:
        where = f" WHERE b.level <> {Level.AGENCY} OR k.kind <> {PeriodKind.MONTH}"
    return f" FROM ({source}) b CROSS JOIN {_KINDS} k{where}"


# Satisfaction is counted per agency by quarter and year, not by month: an
# agency's month holds a handful of answers per criterion (below the minimum
# respondents of a figure), yet per-criterion agency months were nearly half of
# the rollup's rows and of a fold's writes (docs/performance.md).


def _fan_criteria(base: str, **units: bool) -> str:
    return fan_from(base, LEVELS, key="criterion_id", agency_months=False, **units)


def _fan_respondents(base: str, **units: bool) -> str:
    return fan_from(
        base, ("respondents",), key="questionnaire_id", agency_months=False, **units
    )


def _fanned_criteria(base: str, **units: bool) -> str:
    """SELECT of a criteria base fanned out and summed: the columns of `_CC_COLS`."""
    sums = ", ".join(f"SUM(b.{n}) AS {n}" for n in LEVELS)
    return (
        "SELECT b.level, b.unit_id, k.kind AS period_kind,"
        f" {_PERIOD_KEY} AS period_key, b.criterion_id, {sums}"
        + _fan_criteria(base, **units)
        + " GROUP BY 1, 2, 3, 4, 5"
    )


def _fanned_respondents(base: str, **units: bool) -> str:
    """SELECT of a respondents base fanned out and summed: `_RC_COLS`."""
    return (
        "SELECT b.level, b.unit_id, k.kind AS period_kind,"
        f" {_PERIOD_KEY} AS period_key, b.questionnaire_id,"
        " SUM(b.respondents) AS respondents"
        + _fan_respondents(base, **units)
        + " GROUP BY 1, 2, 3, 4, 5"
    )


def _fan_out(
    cursor,
    *,
    base_cc: str,
    base_rc: str,
    cc: str,
    rc: str,
    add: bool,
    many: bool = False,
    **units: bool,
) -> None:
    """Fan a base out to every level and period (or those `units` chooses, see
    `fan_from`), into `cc` and `rc`; `add` adds to rows already there (a fold),
    otherwise the targets must be empty. `many` says the rows are many (the
    agencies' fold), which `_merge_counts` adds more cheaply."""
    on_cc = on_rc = ""
    if add:
        on_cc = f" ON CONFLICT ({_KEY}, criterion_id) DO UPDATE SET " + ", ".join(
            f"{n} = {cc}.{n} + excluded.{n}" for n in LEVELS
        )
        on_rc = (
            f" ON CONFLICT ({_KEY}, questionnaire_id) DO UPDATE SET"
            f" respondents = {rc}.respondents + excluded.respondents"
        )
    # In key order: a unit-period's rows are then read and updated together,
    # and new ones are written side by side, so that a later fold or figure
    # finds them in one or two pages instead of one page each (the agencies'
    # upsert of 213,000 rows: 0.91-0.94 s against 1.22-1.31 s; docs/performance.md).
    fresh = f"{_fanned_criteria(base_cc, **units)} ORDER BY 1, 2, 3, 4, 5"
    # MERGE came with PostgreSQL 15; Django supports 14, which upserts.
    if (
        many
        and add
        and connection.vendor == "postgresql"
        and connection.pg_version >= 150000
    ):
        _merge_counts(cursor, cc, fresh)
    else:
        cursor.execute(f"INSERT INTO {cc} ({_CC_COLS}) {fresh}{on_cc}", [])
    cursor.execute(
        f"INSERT INTO {rc} ({_RC_COLS}) {_fanned_respondents(base_rc, **units)}"
        f" ORDER BY 1, 2, 3, 4, 5{on_rc}",
        [],
    )


def _merge_counts(cursor, cc: str, fresh: str) -> None:
    """Add the count rows of the query `fresh` to `cc` (PostgreSQL 15 or later).

    MERGE rather than INSERT ... ON CONFLICT, whose every conflicting row is
    locked and then updated, two records in the write-ahead log where MERGE
    writes one (213,000 agency rows of a fold: 213,000 records and 16 MB
    against 450,000 and 30 MB). MERGE does not resolve a conflicting insert
    from another transaction; none can come, as folds and rebuilds hold the
    rollup's state row while they write counts.

    Grouped by sorting: the fanned rows hardly merge (a batch spans a month or
    two), and the rows are sorted into key order anyway, so hashing them first
    only adds a pass. Each row's key is looked up in the index (a hash join
    would read the whole table), and the statement is not compiled (JIT): its
    estimated cost crosses the bar, its run is over before compiling pays.

    For the agencies only: the fan-out to provinces, regions and nation joins
    small tables, which these settings would turn into nested loops over
    millions of pairs (0.14 s against 0.05 s for the provinces' fold), and
    its few thousand rows gain little from MERGE."""
    on = _same_key(f"{_KEY}, criterion_id")
    off = ("enable_hashagg", "enable_hashjoin", "enable_mergejoin", "jit")
    with planner_settings(cursor, dict.fromkeys(off, "off")):
        cursor.execute(
            f"MERGE INTO {cc} l USING ({fresh}) f ON {on}"
            " WHEN MATCHED THEN UPDATE SET "
            + ", ".join(f"{n} = l.{n} + f.{n}" for n in LEVELS)
            + f" WHEN NOT MATCHED THEN INSERT ({_CC_COLS}) VALUES ("
            + ", ".join(f"f.{c}" for c in _CC_COLS.split(", "))
            + ")",
            [],
        )


def _mark_dirty(cursor, *, base_rc: str, **units: bool) -> int:
    """Record every (level, unit, period, questionnaire) a base touches."""
    key = f"{_KEY}, questionnaire_id"
    cursor.execute(
        f"INSERT INTO {DIRTY} ({key})"
        f" SELECT DISTINCT b.level, b.unit_id, k.kind, {_PERIOD_KEY},"
        " b.questionnaire_id"
        + _fan_respondents(base_rc, **units)
        + f" ON CONFLICT ({key}) DO NOTHING",
        [],
    )
    return max(cursor.rowcount, 0)


def _drop_zero_rows(cursor, *, base_rc: str, **units: bool) -> None:
    """Remove rows a review emptied, so that the rollup holds exactly the rows a
    rebuild would. Only the units and periods of this fold are looked up."""
    touched = (
        f"SELECT DISTINCT b.level, b.unit_id, k.kind, {_PERIOD_KEY}"
        + _fan_respondents(base_rc, **units)
    )
    key = f"({_KEY})"
    zero = " AND ".join(f"{n} = 0" for n in LEVELS)
    for table, empty in ((CC, zero), (RC, "respondents = 0")):
        cursor.execute(
            f"DELETE FROM {table} WHERE {empty} AND {key} IN ({touched})", []
        )


def _source_as_of(marks: Marks, agency_filter: str) -> tuple[str, list]:
    """Responses written before the marks, each weighted 1 if it counted as of the
    marks: its current status, undoing reviews written since (a status change and
    its review are committed together, so both are seen or neither)."""
    before, p1 = _written_before("r", marks)
    late, p2 = _written_after("v", marks)
    delta = f"{_counted('v.to_status')} - {_counted('v.from_status')}"
    sql = (
        "SELECT r.agency_id, r.questionnaire_id, r.responded_on, r.answers,"
        f" CAST({_counted('r.status')} - COALESCE(l.delta, 0) AS INTEGER) AS w"
        " FROM surveys_response r LEFT JOIN ("
        f"SELECT v.response_id, SUM({delta}) AS delta"
        f" FROM surveys_responsereview v WHERE {late} GROUP BY v.response_id"
        f") l ON l.response_id = r.id WHERE {before}{agency_filter}"
    )
    return sql, p2 + p1


def _build_base(
    cursor,
    marks: Marks,
    *,
    base_cc: str,
    base_rc: str,
    agency_filter: str = "",
    filter_params: list | None = None,
    temp: bool = False,
) -> None:
    _bulk(cursor)
    source, params = _source_as_of(marks, agency_filter)
    params = params + (filter_params or [])
    criteria = _base_criteria_sql(source, ordered=True)
    respondents = _base_respondents_sql(source)
    if temp:
        _temp_table(cursor, base_cc, criteria, params)
        _temp_table(cursor, base_rc, respondents, params)
        return
    cols = "agency_id, questionnaire_id, month"
    cursor.execute(
        f"INSERT INTO {base_cc} ({cols}, criterion_id, {', '.join(LEVELS)}) {criteria}"
        f" ON CONFLICT ({cols}, criterion_id) DO UPDATE SET "
        + ", ".join(f"{n} = excluded.{n}" for n in LEVELS),
        params,
    )
    cursor.execute(
        f"INSERT INTO {base_rc} ({cols}, respondents) {respondents}"
        f" ON CONFLICT ({cols}) DO UPDATE SET respondents = excluded.respondents",
        params,
    )


def _after_fold() -> None:
    for hook in AFTER_FOLD:
        hook()


# --- incremental fold ------------------------------------------------------------


def rollup_refresh(*, pause_seconds: float = 0) -> FoldResult:
    """Fold the responses and reviews written since the last fold into the rollup
    and refresh the figures they touched: first the provinces, regions and nation
    (`rollup_fold`), then the agencies (`rollup_fold_agencies`), each in a
    transaction of its own, so that the units SIPAS ranks do not wait for the
    agency counts.

    Safe to run at any time and any number of times. `pause_seconds` holds the
    first transaction open before it commits (tests kill a worker meanwhile).
    """
    result = rollup_fold(pause_seconds=pause_seconds)
    agencies = rollup_fold_agencies()
    return FoldResult(
        folded=result.folded,
        changes=result.changes,
        dirty=result.dirty + agencies.dirty,
        marks=result.marks,
    )


def rollup_fold(*, pause_seconds: float = 0) -> FoldResult:
    """Fold the responses and reviews written since the last fold into the counts
    of the units above the agency, queue them for their agencies (the backlog),
    mark what they touched dirty and move the marks, all in one transaction; then
    refresh the figures.

    Folds queue on the state row, and a fold that finds nothing new changes
    nothing.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        prev, cutoff, _ = _lock_state(cursor)
        if cutoff is not None and not _rebuild_abandoned(cursor):
            logger.info("Rollup fold skipped: a rebuild is running.")
            return FoldResult(folded=False)
        # Taken once the lock is held: a fold that waited sees what the one before
        # it committed, and a later snapshot sees a superset of an earlier one.
        new = _current_marks(cursor)
        new_rows, p1 = _written_between("r", after=prev, upto=new)
        new_reviews, p2 = _written_between("v", after=prev, upto=new)
        delta = f"{_counted('v.to_status')} - {_counted('v.from_status')}"
        # Intake counts a response iff no flag was raised; reviews are changes.
        _temp_table(
            cursor,
            "rollup_source",
            "SELECT r.agency_id, r.questionnaire_id, r.responded_on, r.answers, 1 AS w"
            f" FROM surveys_response r WHERE r.flags = 0 AND {new_rows}"
            " UNION ALL"
            " SELECT r.agency_id, r.questionnaire_id, r.responded_on, r.answers,"
            f" {delta} AS w FROM surveys_responsereview v"
            " JOIN surveys_response r ON r.id = v.response_id"
            f" WHERE {new_reviews} AND v.to_status <> v.from_status",
            p1 + p2,
        )
        staged, dirty = _fold_source(cursor, "rollup_source", agencies=False)
        if staged:
            cursor.execute(
                f"INSERT INTO {BACKLOG} ({_SOURCE_COLS})"
                f" SELECT {_SOURCE_COLS} FROM rollup_source WHERE w <> 0",
                [],
            )
        cursor.execute("DROP TABLE rollup_source")
        if pause_seconds:
            _pause(cursor, pause_seconds)
        cursor.execute(
            "UPDATE indicators_rollupstate SET response_mark = %s, review_mark = %s,"
            " snapshot = %s, refreshed_at = %s, rebuild_cutoff = NULL,"
            " rebuild_started_at = NULL, rebuild_lease_until = NULL WHERE id = 1",
            [new.response, new.review, new.snapshot, timezone.now()],
        )
    result = FoldResult(folded=True, changes=staged, dirty=dirty, marks=new)
    # Also when nothing new was folded: a run that died after its fold committed
    # left dirty marks behind, and this is where they are consumed.
    _after_fold()
    return result


def rollup_fold_agencies() -> FoldResult:
    """Count the backlog of the folds for the agencies, mark what it touched
    dirty and empty it, in one transaction; then refresh the figures.

    Holds the state row like a fold: no fold can add to the backlog meanwhile,
    and no rebuild can empty it. Skipped while a rebuild runs (its swap counts
    the backlog's responses for the agencies too, and empties it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _, cutoff, _ = _lock_state(cursor)
        if cutoff is not None and not _rebuild_abandoned(cursor):
            return FoldResult(folded=False)
        _temp_table(
            cursor, "agency_source", f"SELECT {_SOURCE_COLS} FROM {BACKLOG}", []
        )
        cursor.execute(f"DELETE FROM {BACKLOG}", [])
        staged, dirty = _fold_source(cursor, "agency_source", agencies=True)
        cursor.execute("DROP TABLE agency_source")
    if staged:
        _after_fold()
    return FoldResult(folded=True, changes=staged, dirty=dirty)


def _fold_source(cursor, source: str, *, agencies: bool) -> tuple[int, int]:
    """Add a source of weighted responses (`_SOURCE_COLS`) to the counts of its
    agencies, or of the units above them, and mark them dirty. Returns the rows
    of the source and the unit-periods marked."""
    cursor.execute(
        f"SELECT COUNT(*), SUM(CASE WHEN w < 0 THEN 1 ELSE 0 END) FROM {source}"
    )
    staged, negative = cursor.fetchone()
    if not staged:
        return 0, 0
    _bulk(cursor)
    if agencies:
        select, by = f"SELECT * FROM {source}", "agency_id"
        units = {"above": False}
    else:
        # Summed per province at once: a few thousand rows where per agency
        # there are as many as the answers (0.42 of a 0.68 s fold, measured).
        select = (
            "SELECT COALESCE(a.province_id, 0) AS province_id, s.questionnaire_id,"
            f" s.responded_on, s.answers, s.w FROM {source} s"
            " JOIN surveys_agency a ON a.id = s.agency_id"
        )
        by, units = "province_id", {"agencies": False, "by_province": True}
    base = {"base_cc": "rollup_base_cc", "base_rc": "rollup_base_rc"}
    _temp_table(cursor, base["base_cc"], _base_criteria_sql(select, by), [])
    _temp_table(cursor, base["base_rc"], _base_respondents_sql(select, by), [])
    _fan_out(cursor, **base, cc=CC, rc=RC, add=True, many=agencies, **units)
    dirty = _mark_dirty(cursor, base_rc=base["base_rc"], **units)
    if negative:
        _drop_zero_rows(cursor, base_rc=base["base_rc"], **units)
    for name in base.values():
        cursor.execute(f"DROP TABLE {name}")
    return staged, dirty


def _pause(cursor, seconds: float) -> None:
    cursor.execute("SELECT pg_sleep(%s)", [seconds])


# --- the running rebuild's claim ---------------------------------------------------
#
# A rebuild runs across several tasks, so no one transaction can hold the state row
# for it: it claims the rollup with `rebuild_cutoff`, and folds skip meanwhile. The
# claim is a lease (`rebuild_lease_until`), taken by the rebuild's start and renewed
# by each of its parts: a rebuild lost with its worker (whose messages Redis gives
# back only after its visibility timeout, an hour) stops blocking the folds once
# the lease has passed, and one whose part failed gives it up at once. A part
# counts one province, so the lease need only cover one part and the wait for a
# worker.


def _lease_until():
    return timezone.now() + timedelta(seconds=settings.ROLLUP_REBUILD_LEASE_SECONDS)


def _rebuild_abandoned(cursor) -> bool:
    """Whether the running rebuild's lease has passed; the caller holds the state
    row. A fold that finds it so takes the rollup back (the rebuild's later parts
    and swap then do nothing) and continues from its own marks."""
    cursor.execute(
        "SELECT rebuild_cutoff, rebuild_lease_until FROM indicators_rollupstate"
        " WHERE id = 1",
        [],
    )
    cutoff, until = cursor.fetchone()
    if until is not None and until > timezone.now():
        return False
    logger.warning(
        "Rollup rebuild %s abandoned: its lease ran out (worker lost); folds resume.",
        cutoff,
    )
    return True


def _rebuild_lease_renew(cutoff: str) -> bool:
    """Extend the lease of the rebuild `cutoff`, in a statement of its own; False
    when that rebuild is no longer the running one. Parts hold the state row FOR
    KEY SHARE, which this update does not wait for: parts renew side by side."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE indicators_rollupstate SET rebuild_lease_until = %s"
            " WHERE id = 1 AND rebuild_cutoff = %s",
            [_lease_until(), cutoff],
        )
        return cursor.rowcount == 1


def rollup_rebuild_abandon(*, cutoff: str) -> bool:
    """Give up the claim of the rebuild `cutoff` (a part failed, so it can never
    swap in): folds resume at once. False when that rebuild is no longer the
    running one."""
    with transaction.atomic(), connection.cursor() as cursor:
        _, running, _ = _lock_state(cursor)
        if running != cutoff:
            return False
        cursor.execute(
            "UPDATE indicators_rollupstate SET rebuild_cutoff = NULL,"
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
        _lock_state(cursor)
        marks = _current_marks(cursor)
        cursor.execute(f"DELETE FROM {BASE_CC}", [])
        cursor.execute(f"DELETE FROM {BASE_RC}", [])
        cursor.execute(
            "UPDATE indicators_rollupstate SET rebuild_cutoff = %s,"
            " rebuild_started_at = %s, rebuild_lease_until = %s WHERE id = 1",
            [marks.encode(), timezone.now(), _lease_until()],
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
    if not _rebuild_lease_renew(cutoff):
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        # Shared with the other parts; a new rebuild's begin (FOR UPDATE) waits for
        # running parts, so a superseded part never writes into the new scratch.
        # KEY SHARE lets the other parts renew the lease meanwhile.
        cursor.execute(
            "SELECT rebuild_cutoff FROM indicators_rollupstate WHERE id = 1"
            " FOR KEY SHARE",
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
            f" AND r.agency_id IN (SELECT a.id FROM surveys_agency a WHERE true{where})"
        )
        _build_base(
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
    if finished:
        _after_fold()
    return finished


def _swap_in(cursor, cutoff: str, *, base_cc: str, base_rc: str) -> bool:
    """Make the live rollup what the base of the running rebuild `cutoff` counts,
    mark every unit-period dirty and move the marks; False (nothing done) when
    that rebuild is no longer the running one."""
    _, running, _ = _lock_state(cursor)
    if running != cutoff:
        return False
    marks = Marks.decode(cutoff)
    _bulk(cursor)
    # The backlog holds responses of folds before the cutoff, which the rebuild
    # counts for their agencies too.
    cursor.execute(f"DELETE FROM {BACKLOG}", [])
    # Every unit-period is marked dirty: those the rollup holds now (some may
    # lose all their counts) and, after the merge, those it holds then.
    dirty = (
        f"INSERT INTO {DIRTY} ({_KEY}, questionnaire_id)"
        f" SELECT {_KEY}, questionnaire_id FROM {RC} WHERE true"
        f" ON CONFLICT ({_KEY}, questionnaire_id) DO NOTHING"
    )
    cursor.execute(dirty, [])
    # Counted afresh, then merged: only rows that differ are written. A rebuild
    # mostly confirms what the folds counted, and deleting and rewriting millions
    # of rows would leave as many dead ones behind.
    _merge(
        cursor,
        live=CC,
        fresh=_fanned_criteria(base_cc),
        key="criterion_id",
        sums=LEVELS,
    )
    _merge(
        cursor,
        live=RC,
        fresh=_fanned_respondents(base_rc),
        key="questionnaire_id",
        sums=("respondents",),
    )
    cursor.execute(dirty, [])
    now = timezone.now()
    cursor.execute(
        "UPDATE indicators_rollupstate SET response_mark = %s, review_mark = %s,"
        " snapshot = %s, rebuilt_at = %s, refreshed_at = %s,"
        " rebuild_cutoff = NULL, rebuild_started_at = NULL,"
        " rebuild_lease_until = NULL WHERE id = 1",
        [marks.response, marks.review, marks.snapshot, now, now],
    )
    return True


def _merge(cursor, *, live: str, fresh: str, key: str, sums: tuple[str, ...]) -> None:
    """Make `live` hold exactly the rows the query `fresh` returns, writing only
    the differences."""
    columns = f"{_KEY}, {key}"
    same_key = _same_key(columns)
    differs = " OR ".join(f"l.{c} <> f.{c}" for c in sums)
    fresh_columns = ", ".join(f"f.{c}" for c in (*columns.split(", "), *sums))
    # One full join of the live table with the fresh counts, as they are
    # computed, finds every difference: hashing beats walking the live table's
    # index in key order (17.7 s against 3.8 s on 2.8 million rows), and writing
    # the fresh counts to a table first, or joining twice (rows gone, rows new or
    # changed), cost 1.3 s and 1.6 s more at 100k (EXPLAIN ANALYZE).
    cursor.execute("SET LOCAL enable_mergejoin = off", [])
    _temp_table(
        cursor,
        "rebuild_diff",
        f"SELECT l.id AS live_id, {fresh_columns} FROM {live} l"
        f" FULL JOIN ({fresh}) f ON {same_key}"
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
    # New rows in key order, as a fold writes them (`_fan_out`): the rows of a
    # unit-period share a page.
    cursor.execute(
        f"INSERT INTO {live} ({columns}, {', '.join(sums)})"
        f" SELECT {columns}, {', '.join(sums)} FROM rebuild_diff"
        f" WHERE live_id IS NULL ORDER BY {columns}",
        [],
    )
    cursor.execute("DROP TABLE rebuild_diff", [])


def rollup_rebuild() -> str:
    """Rebuild the whole rollup synchronously, in one process, to the same result as
    the per-province tasks (`python manage.py refresh_indicators --full`).

    One statement over all responses, into temporary tables (no index, no
    write-ahead log, nothing that can conflict): in one process it beats a scan
    per province into the shared scratch tables."""
    cutoff = rollup_rebuild_begin()
    with transaction.atomic(), connection.cursor() as cursor:
        # Held from the start: no part renews this rebuild's lease, so folds wait
        # for it rather than outlive the lease and take the rollup back meanwhile.
        _lock_state(cursor)
        base = {"base_cc": "rebuild_base_cc", "base_rc": "rebuild_base_rc"}
        _build_base(cursor, Marks.decode(cutoff), temp=True, **base)
        finished = _swap_in(cursor, cutoff, **base)
        for name in base.values():
            cursor.execute(f"DROP TABLE {name}", [])
    if finished:
        _after_fold()
    return cutoff


# --- reconciliation --------------------------------------------------------------


def _recount_without_backlog(cursor) -> None:
    """Take the backlog out of the agency rows of a recount (`recon_cc`,
    `recon_rc`): the live rollup counts those responses for the units above the
    agency, not yet for the agency."""
    cursor.execute(f"SELECT COUNT(*) FROM {BACKLOG}", [])
    if not cursor.fetchone()[0]:
        return
    source = (
        "SELECT agency_id, questionnaire_id, responded_on, answers, -w AS w"
        f" FROM {BACKLOG}"
    )
    base = {"base_cc": "recon_backlog_cc", "base_rc": "recon_backlog_rc"}
    _temp_table(cursor, base["base_cc"], _base_criteria_sql(source), [])
    _temp_table(cursor, base["base_rc"], _base_respondents_sql(source), [])
    # Negative rows beside the recount's, then summed per key; keys left at zero
    # are those the live rollup has no row for.
    _fan_out(cursor, **base, cc="recon_cc", rc="recon_rc", add=False, above=False)
    for table, column, sums in (
        ("recon_cc", "criterion_id", LEVELS),
        ("recon_rc", "questionnaire_id", ("respondents",)),
    ):
        summed = ", ".join(f"SUM({n}) AS {n}" for n in sums)
        nonzero = " OR ".join(f"SUM({n}) <> 0" for n in sums)
        _temp_table(
            cursor,
            f"{table}_net",
            f"SELECT {_KEY}, {column}, {summed} FROM {table}"
            f" GROUP BY {_KEY}, {column} HAVING {nonzero}",
            [],
        )
        cursor.execute(f"DELETE FROM {table}", [])
        cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}_net", [])
        cursor.execute(f"DROP TABLE {table}_net", [])
    for name in base.values():
        cursor.execute(f"DROP TABLE {name}", [])


def rollup_reconcile(*, sample_size: int = 10) -> Reconciliation:
    """Recount everything the live rollup claims to hold (up to its marks) into
    temporary tables, compare the two in SQL, and record and log the outcome."""
    started = time.monotonic()
    differing = 0
    sample: list[dict] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for the marks, the live counts and the responses: a fold
        # committing meanwhile changes neither side.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", [])
        cursor.execute(
            "SELECT response_mark, review_mark, snapshot FROM indicators_rollupstate"
            " WHERE id = 1",
            [],
        )
        row = cursor.fetchone() or (0, 0, "")
        marks = Marks(row[0], row[1], row[2] or EMPTY_SNAPSHOT)
        _build_base(
            cursor,
            marks,
            base_cc="recon_base_cc",
            base_rc="recon_base_rc",
            temp=True,
        )
        _temp_table(cursor, "recon_cc", f"SELECT {_CC_COLS} FROM {CC} WHERE 1 = 0", [])
        _temp_table(cursor, "recon_rc", f"SELECT {_RC_COLS} FROM {RC} WHERE 1 = 0", [])
        _fan_out(
            cursor,
            base_cc="recon_base_cc",
            base_rc="recon_base_rc",
            cc="recon_cc",
            rc="recon_rc",
            add=False,
        )
        _recount_without_backlog(cursor)
        zero = " AND ".join(f"{n} = 0" for n in LEVELS)
        checks = [
            (
                "criterion",
                "live",
                f"SELECT {_CC_COLS} FROM {CC} WHERE NOT ({zero})"
                f" EXCEPT SELECT {_CC_COLS} FROM recon_cc",
                _CC_COLS,
            ),
            (
                "criterion",
                "recount",
                f"SELECT {_CC_COLS} FROM recon_cc EXCEPT SELECT {_CC_COLS} FROM {CC}",
                _CC_COLS,
            ),
            (
                "respondents",
                "live",
                f"SELECT {_RC_COLS} FROM {RC} WHERE respondents"
                f" <> 0 EXCEPT SELECT {_RC_COLS} FROM recon_rc",
                _RC_COLS,
            ),
            (
                "respondents",
                "recount",
                f"SELECT {_RC_COLS} FROM recon_rc EXCEPT SELECT {_RC_COLS} FROM {RC}",
                _RC_COLS,
            ),
        ]
        for table, side, query, cols in checks:
            cursor.execute(f"SELECT COUNT(*) FROM ({query}) x", [])
            count = cursor.fetchone()[0]
            differing += count
            if count and len(sample) < sample_size:
                cursor.execute(f"{query} LIMIT {int(sample_size - len(sample))}", [])
                names = [c.strip() for c in cols.split(",")]
                sample += [
                    {
                        "table": table,
                        "side": side,
                        "row": dict(zip(names, r, strict=True)),
                    }
                    for r in cursor.fetchall()
                ]
        for name in ("recon_base_cc", "recon_base_rc", "recon_cc", "recon_rc"):
            cursor.execute(f"DROP TABLE {name}", [])
    record = Reconciliation.objects.create(
        response_mark=marks.response,
        review_mark=marks.review,
        matched=differing == 0,
        differing_rows=differing,
        sample=sample,
        seconds=round(time.monotonic() - started, 3),
    )
    if differing:
        logger.error(
            "Rollup reconciliation: %s rows differ from a recount; sample: %s",
            differing,
            sample,
        )
    else:
        logger.info("Rollup reconciliation: the rollup matches a recount.")
    return record
