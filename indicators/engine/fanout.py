"""The fan-out every count shares: responses summed per agency (or province),
questionnaire, month and criterion (the base), then spread to every unit and
period the responses count for.

Weights make the fold additive: a new response adds 1 if intake accepted it, a
review adds counted(to) - counted(from). The sum over a response's history is its
current contribution, whatever order the pieces are folded in.
"""

from __future__ import annotations

from django.db import connection

from indicators.engine.kernel import (
    AGENCIES,
    ANSWER_COLUMNS,
    CC,
    CC_COLUMNS,
    CRITERIA,
    DIRTY,
    FENCE,
    KEY,
    MONTH_2025,
    PROVINCES,
    RC,
    RC_COLUMNS,
    RESPONSES,
    REVIEWS,
    bulk,
    counted,
    month,
    planner_settings,
    same_key,
    temp_table,
)
from indicators.engine.state import Marks, written_after, written_before
from indicators.models import Level, PeriodKind


def base_criteria_sql(
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
    (docs/performance.md). The weights must be integers too.

    `ordered` (a rebuild) returns the rows by agency, questionnaire and month:
    the fan-out then meets each agency's quarter and year in turn, and its hash
    aggregate of millions of groups works in cache (docs/performance.md).
    """
    sums = ", ".join(
        f"CAST(SUM(CASE WHEN x.answer = '{i}' THEN x.w ELSE 0 END) AS INTEGER) AS n{i}"
        for i in range(6)
    )
    # The month is computed once per response and the answer once per criterion,
    # each inside a fence: the planner would otherwise copy the expression into
    # every place that reads it (seven substr() per answer; docs/performance.md).
    return (
        f"SELECT x.{by}, x.questionnaire_id, x.month, x.criterion_id, {sums} FROM ("
        f"SELECT s.{by}, s.questionnaire_id, s.month, c.id AS criterion_id, s.w,"
        " substr(s.answers, c.position, 1) AS answer FROM ("
        f"SELECT s0.{by}, s0.questionnaire_id, s0.answers, s0.w,"
        f" {month('s0.responded_on')} AS month FROM ({source}) s0"
        f" WHERE s0.w <> 0{FENCE}) s"
        f" JOIN {CRITERIA} c ON c.questionnaire_id = s.questionnaire_id"
        f"{FENCE}) x"
        " WHERE x.answer IN ('0', '1', '2', '3', '4', '5')"
        " GROUP BY 1, 2, 3, 4" + (" ORDER BY 1, 2, 3, 4" if ordered else "")
    )


def base_respondents_sql(source: str, by: str = "agency_id") -> str:
    """Sum the weights of a source like `base_criteria_sql`'s per agency (or
    `by`), questionnaire and month: the respondents."""
    return (
        f"SELECT s.{by}, s.questionnaire_id, {month('s.responded_on')} AS month,"
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
  FROM {PROVINCES} p CROSS JOIN {_ERAS} e
UNION ALL
SELECT p.id, 0, {Level.PROVINCE}, p.successor_id FROM {PROVINCES} p
 WHERE p.map = 2008 AND p.successor_id IS NOT NULL
UNION ALL
SELECT p.id, e.era, {Level.REGION}, f.region_id
  FROM {PROVINCES} p CROSS JOIN {_ERAS} e
  JOIN {PROVINCES} f ON f.id = {_IN_FORCE}
 WHERE f.region_id IS NOT NULL
UNION ALL
SELECT p.id, e.era, {Level.NATION}, 0 FROM {PROVINCES} p CROSS JOIN {_ERAS} e
UNION ALL
SELECT 0, e.era, {Level.NATION}, 0 FROM {_ERAS} e
"""
_KINDS = "(SELECT 1 AS kind UNION ALL SELECT 2 UNION ALL SELECT 3)"
PERIOD_KEY = (
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
    unit (`b.level`, `b.unit_id`) and period (`k.kind` and `PERIOD_KEY`), with the
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
        (f" JOIN {AGENCIES} a ON a.id = b.agency_id"),
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
    """FROM clause of a criteria base fanned out (agencies by quarter and year)."""
    return fan_from(
        base, ANSWER_COLUMNS, key="criterion_id", agency_months=False, **units
    )


def _fan_respondents(base: str, **units: bool) -> str:
    """FROM clause of a respondents base fanned out (agencies by quarter and
    year)."""
    return fan_from(
        base, ("respondents",), key="questionnaire_id", agency_months=False, **units
    )


def fanned_criteria(base: str, **units: bool) -> str:
    """SELECT of a criteria base fanned out and summed: the columns of `CC_COLUMNS`."""
    sums = ", ".join(f"SUM(b.{n}) AS {n}" for n in ANSWER_COLUMNS)
    return (
        "SELECT b.level, b.unit_id, k.kind AS period_kind,"
        f" {PERIOD_KEY} AS period_key, b.criterion_id, {sums}"
        + _fan_criteria(base, **units)
        + " GROUP BY 1, 2, 3, 4, 5"
    )


def fanned_respondents(base: str, **units: bool) -> str:
    """SELECT of a respondents base fanned out and summed: `RC_COLUMNS`."""
    return (
        "SELECT b.level, b.unit_id, k.kind AS period_kind,"
        f" {PERIOD_KEY} AS period_key, b.questionnaire_id,"
        " SUM(b.respondents) AS respondents"
        + _fan_respondents(base, **units)
        + " GROUP BY 1, 2, 3, 4, 5"
    )


def fan_out(
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
        on_cc = f" ON CONFLICT ({KEY}, criterion_id) DO UPDATE SET " + ", ".join(
            f"{n} = {cc}.{n} + excluded.{n}" for n in ANSWER_COLUMNS
        )
        on_rc = (
            f" ON CONFLICT ({KEY}, questionnaire_id) DO UPDATE SET"
            f" respondents = {rc}.respondents + excluded.respondents"
        )
    # In key order: a unit-period's rows are then read and updated together,
    # and new ones are written side by side, so that a later fold or figure
    # finds them in one or two pages instead of one page each (docs/performance.md).
    fresh = f"{fanned_criteria(base_cc, **units)} ORDER BY 1, 2, 3, 4, 5"
    # MERGE came with PostgreSQL 15; Django supports 14, which upserts.
    if many and add and connection.pg_version >= 150000:
        _merge_counts(cursor, cc, fresh)
    else:
        cursor.execute(f"INSERT INTO {cc} ({CC_COLUMNS}) {fresh}{on_cc}", [])
    cursor.execute(
        f"INSERT INTO {rc} ({RC_COLUMNS}) {fanned_respondents(base_rc, **units)}"
        f" ORDER BY 1, 2, 3, 4, 5{on_rc}",
        [],
    )


def _merge_counts(cursor, cc: str, fresh: str) -> None:
    """Add the count rows of the query `fresh` to `cc` (PostgreSQL 15 or later).

    MERGE rather than INSERT ... ON CONFLICT, whose every conflicting row is
    locked and then updated, two records in the write-ahead log where MERGE
    writes one (half the records and half the bytes for the agency rows of a
    fold; docs/performance.md). MERGE does not resolve a conflicting insert
    from another transaction; none can come, as folds and rebuilds hold the
    rollup's state row while they write counts.

    Grouped by sorting: the fanned rows hardly merge (a batch spans a month or
    two), and the rows are sorted into key order anyway, so hashing them first
    only adds a pass. Each row's key is looked up in the index (a hash join
    would read the whole table), and the statement is not compiled (JIT): its
    estimated cost crosses the bar, its run is over before compiling pays.

    For the agencies only: the fan-out to provinces, regions and nation joins
    small tables, which these settings would turn into nested loops over
    millions of pairs (slower for the provinces' fold), and
    its few thousand rows gain little from MERGE."""
    on = same_key(f"{KEY}, criterion_id")
    off = ("enable_hashagg", "enable_hashjoin", "enable_mergejoin", "jit")
    with planner_settings(cursor, dict.fromkeys(off, "off")):
        cursor.execute(
            f"MERGE INTO {cc} l USING ({fresh}) f ON {on}"
            " WHEN MATCHED THEN UPDATE SET "
            + ", ".join(f"{n} = l.{n} + f.{n}" for n in ANSWER_COLUMNS)
            + f" WHEN NOT MATCHED THEN INSERT ({CC_COLUMNS}) VALUES ("
            + ", ".join(f"f.{c}" for c in CC_COLUMNS.split(", "))
            + ")",
            [],
        )


def mark_dirty(cursor, *, base_rc: str, **units: bool) -> int:
    """Record every (level, unit, period, questionnaire) a base touches."""
    key = f"{KEY}, questionnaire_id"
    cursor.execute(
        f"INSERT INTO {DIRTY} ({key})"
        f" SELECT DISTINCT b.level, b.unit_id, k.kind, {PERIOD_KEY},"
        " b.questionnaire_id"
        + _fan_respondents(base_rc, **units)
        + f" ON CONFLICT ({key}) DO NOTHING",
        [],
    )
    return max(cursor.rowcount, 0)


def drop_zero_rows(cursor, *, base_rc: str, **units: bool) -> None:
    """Remove rows a review emptied, so that the rollup holds exactly the rows a
    rebuild would. Only the units and periods of this fold are looked up."""
    touched = (
        f"SELECT DISTINCT b.level, b.unit_id, k.kind, {PERIOD_KEY}"
        + _fan_respondents(base_rc, **units)
    )
    key = f"({KEY})"
    zero = " AND ".join(f"{n} = 0" for n in ANSWER_COLUMNS)
    for table, empty in ((CC, zero), (RC, "respondents = 0")):
        cursor.execute(
            f"DELETE FROM {table} WHERE {empty} AND {key} IN ({touched})", []
        )


def _source_as_of(marks: Marks, agency_filter: str) -> tuple[str, list]:
    """Responses written before the marks, each weighted 1 if it counted as of the
    marks: its current status, undoing reviews written since (a status change and
    its review are committed together, so both are seen or neither)."""
    before, p1 = written_before("r", marks)
    late, p2 = written_after("v", marks)
    delta = f"{counted('v.to_status')} - {counted('v.from_status')}"
    sql = (
        "SELECT r.agency_id, r.questionnaire_id, r.responded_on, r.answers,"
        f" CAST({counted('r.status')} - COALESCE(l.delta, 0) AS INTEGER) AS w"
        f" FROM {RESPONSES} r LEFT JOIN ("
        f"SELECT v.response_id, SUM({delta}) AS delta"
        f" FROM {REVIEWS} v WHERE {late} GROUP BY v.response_id"
        f") l ON l.response_id = r.id WHERE {before}{agency_filter}"
    )
    return sql, p2 + p1


def build_base(
    cursor,
    marks: Marks,
    *,
    base_cc: str,
    base_rc: str,
    agency_filter: str = "",
    filter_params: list | None = None,
    temp: bool = False,
) -> None:
    """Count the responses written before the marks (of the agencies
    `agency_filter` keeps) into the bases `base_cc` and `base_rc`: new temporary
    tables with `temp`, else upserted into the scratch tables of a rebuild."""
    bulk(cursor)
    source, params = _source_as_of(marks, agency_filter)
    params = params + (filter_params or [])
    criteria = base_criteria_sql(source, ordered=True)
    respondents = base_respondents_sql(source)
    if temp:
        temp_table(cursor, base_cc, criteria, params)
        temp_table(cursor, base_rc, respondents, params)
        return
    cols = "agency_id, questionnaire_id, month"
    cursor.execute(
        f"INSERT INTO {base_cc} ({cols}, criterion_id,"
        f" {', '.join(ANSWER_COLUMNS)}) {criteria}"
        f" ON CONFLICT ({cols}, criterion_id) DO UPDATE SET "
        + ", ".join(f"{n} = excluded.{n}" for n in ANSWER_COLUMNS),
        params,
    )
    cursor.execute(
        f"INSERT INTO {base_rc} ({cols}, respondents) {respondents}"
        f" ON CONFLICT ({cols}) DO UPDATE SET respondents = excluded.respondents",
        params,
    )
