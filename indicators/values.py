"""Computing indicator values from the rollup, in set-based SQL.

A refresh computes the figures of a set of unit-periods (the dirty ones, or all)
with one INSERT ... ON CONFLICT statement per scoring definition, then ranks the
provinces of the periods it touched with window functions. Python only builds the
statements and a small table of the periods involved (one row per period, never
per count row), so a full rebuild costs a few statements whatever the data size.

Arithmetic, on the percent scale:

- a criterion's rate is 100 × (answers at the satisfied levels) / (answers 1 to 5);
  "does not apply" (n0) is in no denominator; a criterion without answers has no
  rate and is left out of its element's mean;
- an element's index is the weighted mean of its criteria rates;
- the overall index is the weighted mean of the element indices;
- intervals are 95% Wilson intervals: the overall with p = index / 100 and n =
  respondents; an element with p = its index / 100 and n = the largest number of
  applicable answers to one of its criteria (the counts cannot tell how many
  respondents answered any of them; this is the smallest that number can be).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from indicators.models import (
    DirtyUnitPeriod,
    Indicator,
    IndicatorValue,
    Level,
    PeriodKind,
    RollupState,
    ScoringDefinition,
)
from indicators.rollup import BULK_WORK_MEM, planner_settings
from indicators.services import scoring_definitions_follow
from indicators.versions import criteria_pooled, versions_pooled
from surveys.models import MAP_2025_STARTS, Element, Province, Questionnaire
from surveys.reference import DEFAULT_QUESTIONNAIRE

Z = 1.959963984540054  # two-sided 95%
MAP_2025_START = dt.date.fromisoformat(MAP_2025_STARTS)

# Stored on the NATION row, so that no list shows it as "the national average".
POOLED_NAME_VI = "Cả nước (tỷ lệ gộp)"
POOLED_NAME_EN = "Nation (pooled rate)"

Period = tuple[int, int]  # (period_kind, period_key)

# Figures written by one refresh above which their table's statistics are renewed
# before the ranking statements (a sample of the table: tens of milliseconds).
ANALYZE_AFTER_WRITES = 1000


# Periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInfo:
    kind: int
    key: int
    start: dt.date
    end: dt.date  # exclusive
    year: int
    previous: int
    following: int

    @property
    def map(self) -> int:
        """The map a period belongs to: the 2008 map for periods ending before
        1 July 2025, the 2025 map for the others."""
        if self.end <= MAP_2025_START:
            return Province.Map.MAP_2008
        return Province.Map.MAP_2025


def period_info(*, kind: int, key: int) -> PeriodInfo:
    """Dates, year and neighbours of a period: 202203 (March 2022), 20221 (its
    first quarter) or 2022."""
    if kind == PeriodKind.MONTH:
        year, month = divmod(key, 100)
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1)
        previous = key - 1 if month > 1 else (year - 1) * 100 + 12
        following = key + 1 if month < 12 else (year + 1) * 100 + 1
    elif kind == PeriodKind.QUARTER:
        year, quarter = divmod(key, 10)
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + quarter // 4, (3 * quarter) % 12 + 1, 1)
        previous = key - 1 if quarter > 1 else (year - 1) * 10 + 4
        following = key + 1 if quarter < 4 else (year + 1) * 10 + 1
    elif kind == PeriodKind.YEAR:
        year = key
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        previous, following = key - 1, key + 1
    else:
        raise ValueError(f"unknown period kind {kind}")
    return PeriodInfo(kind, key, start, end, year, previous, following)


def _periods_cte(periods: Iterable[Period], params: dict) -> str:
    """A `periods` CTE from Python values: one row per period involved."""
    rows = []
    for kind, key in sorted(set(periods)):
        info = period_info(kind=kind, key=key)
        # A parameter, not a literal: the date literal differs between dialects.
        start = f"start_{info.kind}_{info.key}"
        params[start] = info.start
        rows.append(
            f"({info.kind}, {info.key}, %({start})s, {info.year}, {info.map}, "
            f"{info.previous}, {info.following})"
        )
    return (
        "periods (period_kind, period_key, period_start, period_year, period_map,"
        " prev_key, next_key) AS (VALUES " + ", ".join(rows) + ")"
    )


# SQL fragments --------------------------------------------------------------------


def _wilson(p: str, n: str, sign: str) -> str:
    """One end of the 95% Wilson interval, in percent, for a share p of n."""
    z2 = Z * Z
    # As a float: n * n overflows 32-bit integers from n = 46,341.
    n = f"CAST({n} AS DOUBLE PRECISION)"
    spread = f"GREATEST(0.0, ({p}) * (1 - ({p})) / ({n}))"
    return (
        f"(CASE WHEN ({n}) > 0 AND ({p}) IS NOT NULL THEN 100.0 * ("
        f"({p}) + {z2 / 2!r} / ({n}) {sign} {Z!r} * "
        f"SQRT({spread} + {z2 / 4!r} / (({n}) * ({n})))"
        f") / (1 + {z2!r} / ({n})) END)"
    )


def _satisfied(levels: list[int]) -> str:
    columns = [f"cc.n{int(level)}" for level in sorted(set(levels))]
    if not columns or any(not 1 <= int(level) <= 5 for level in levels):
        raise ValueError(f"satisfied levels must be within 1 to 5, got {levels!r}")
    return " + ".join(columns)


_KEY = "level, unit_id, period_kind, period_key"

# Intermediate results go to temporary tables rather than CTEs: analyzed, they
# give PostgreSQL true row counts, where estimates from freshly written rollup
# rows lead it to nested loops over aggregates (minutes instead of milliseconds).
_KEYS_TABLE = "indicators_tmp_keys"
_ELEMENTS_TABLE = "indicators_tmp_elements"


def _temp(table: str) -> str:
    return f"pg_temp.{table}"


def _on_key(left: str, right: str) -> str:
    return " AND ".join(
        f"{left}.{column} = {right}.{column}" for column in _KEY.split(", ")
    )


_KEYS_DIRTY = (
    "SELECT DISTINCT level, unit_id, period_kind, period_key"
    " FROM indicators_dirtyunitperiod"
    " WHERE questionnaire_id = ANY(%(versions)s) AND id <= %(dirty_mark)s"
)
_KEYS_ALL = (
    "SELECT DISTINCT level, unit_id, period_kind, period_key"
    " FROM indicators_respondentcount WHERE questionnaire_id = ANY(%(versions)s)"
)

_UNITS = f"""
units (level, unit_id, map, region_id, province_id, agency_id, name_vi, name_en) AS (
    SELECT {Level.AGENCY}, a.id, p.map, p.region_id, a.province_id, a.id,
           a.name_vi, a.name_en
    FROM surveys_agency a LEFT JOIN surveys_province p ON p.id = a.province_id
    UNION ALL
    SELECT {Level.PROVINCE}, p.id, p.map, p.region_id, p.id, NULL,
           p.name_vi, p.name_en
    FROM surveys_province p
    UNION ALL
    SELECT {Level.REGION}, r.id, NULL, r.id, NULL, NULL, r.name_vi, r.name_en
    FROM surveys_region r
    UNION ALL
    SELECT {Level.NATION}, 0, NULL, NULL, NULL, NULL, %(pooled_vi)s, %(pooled_en)s
)"""

_COMPUTED_COLUMNS = [
    "value",
    "respondents",
    "ci_low",
    "ci_high",
    "elements",
    "criteria",
    "threshold",
    # Written together by `status_sql`.
    "status",
    "certainty",
    "computed_at",
    "map",
    "region_id",
    "province_id",
    "agency_id",
    "name_vi",
    "name_en",
    "period_start",
]


def _keys_sql(keys: str) -> str:
    """The unit-periods to compute, with their respondents to the definition's
    questionnaire version and its earlier versions, into a temporary table."""
    return f"""
CREATE TEMP TABLE {_KEYS_TABLE} AS
SELECT k.level, k.unit_id, k.period_kind, k.period_key,
       SUM(rc.respondents) AS respondents
FROM ({keys}) k
LEFT JOIN indicators_respondentcount rc
  ON {_on_key("rc", "k")} AND rc.questionnaire_id = ANY(%(versions)s)
GROUP BY k.level, k.unit_id, k.period_kind, k.period_key
"""


def _by_id(column: str, values: dict[int, object], prefix: str, params: dict) -> str:
    """`values[column]` for the ids listed (NULL for others), as a CASE. The few
    criteria and elements of a questionnaire are written into the statement
    rather than joined: PostgreSQL, expecting one count row per unit-period where
    there are one per criterion, looked each count row's criterion up by index
    (212,000 probes, a third of the element figures of a refresh)."""
    cases = []
    for index, (key, value) in enumerate(sorted(values.items())):
        params[f"{prefix}{index}_id"] = int(key)
        params[f"{prefix}{index}_v"] = value
        cases.append(f"WHEN %({prefix}{index}_id)s THEN %({prefix}{index}_v)s")
    return f"CASE {column} {' '.join(cases)} END"


def _weights_by_id(
    column: str, codes: dict[int, str], weights: dict, prefix: str, params: dict
) -> str:
    """The weight of each id of `codes` (id -> code): 1 when no weights are
    given, else the listed weight, 0 for codes not listed. A float: PostgreSQL
    reads `1.0` as a numeric, and sums of numerics made the element figures'
    aggregate several times slower."""
    if not weights:
        return "CAST(1.0 AS DOUBLE PRECISION)"
    listed = {pk: float(weights.get(code, 0.0)) for pk, code in codes.items()}
    return f"CAST({_by_id(column, listed, prefix, params)} AS DOUBLE PRECISION)"


def _element_values_sql(
    definition: ScoringDefinition, params: dict, *, everything: bool, whole: bool
) -> str:
    """Element figures of the unit-periods in the keys table, one row per element,
    into a temporary table: the weighted mean of the element's criterion rates,
    each over the answers that apply, and the most answers to one criterion.

    Summed here, as the count rows are read, rather than from a table of
    criterion rates: that table held a row per count row (2.8 million for a
    rebuild at 100k responses), which the figures then had to sort by element.

    With earlier versions (`indicators.versions`), a criterion's counts are
    first summed over the versions that asked it under its code, so that its
    rate is over all of them."""
    q = definition.questionnaire_id
    pooled = criteria_pooled(questionnaire_id=q)
    criteria = {pk: (c.code, c.element_id) for pk, c in pooled.items()}
    several = any(pk != c.counts_for for pk, c in pooled.items())
    elements = dict(
        Element.objects.filter(questionnaire_id=q).values_list("id", "code")
    )
    criterion_codes = {c.counts_for: c.code for c in pooled.values()}
    if whole and not several:
        # Most of the rollup is read: hashing the criteria table beats a CASE
        # per count row (the figures of a full rebuild 9.0-9.6 s against
        # 10.0-11.3 s at 100k).
        element_of, criterion = "c.element_id", "c.id"
        criteria_join = (
            "JOIN surveys_criterion c ON c.id = cc.criterion_id"
            " WHERE c.questionnaire_id = %(questionnaire)s"
        )
    else:
        element_of = _by_id(
            "cc.criterion_id",
            {pk: element for pk, (_, element) in criteria.items()},
            "ce",
            params,
        )
        criterion = "cc.criterion_id"
        if several:
            criterion = _by_id(
                "cc.criterion_id",
                {pk: c.counts_for for pk, c in pooled.items()},
                "cf",
                params,
            )
        for index, pk in enumerate(criteria):
            params[f"cq{index}"] = pk
        listed = ", ".join(f"%(cq{index})s" for index in range(len(criteria)))
        criteria_join = f"WHERE cc.criterion_id IN ({listed or 'NULL'})"
    criterion_weight = _weights_by_id(
        criterion, criterion_codes, definition.criterion_weights, "cw", params
    )
    element_code = _by_id("element_id", elements, "ec", params)
    element_weight = _weights_by_id(
        "element_id", elements, definition.element_weights, "ew", params
    )
    # Every unit-period: the rollup holds no count row outside them, and a row
    # the figures do not ask for is left in the temporary table.
    in_keys = (
        "" if everything else f"JOIN {_temp(_KEYS_TABLE)} k ON {_on_key('k', 'cc')}"
    )
    by_criterion = f", {criterion} AS criterion_id" if several else ""
    counts = f"""
        SELECT cc.level, cc.unit_id, cc.period_kind, cc.period_key,
               {element_of} AS element_id,
               cc.n1 + cc.n2 + cc.n3 + cc.n4 + cc.n5 AS n,
               {_satisfied(definition.satisfied_levels)} AS sat,
               {criterion_weight} AS w{by_criterion}
        FROM indicators_criterioncount cc
        {in_keys}
        {criteria_join}"""
    if several:
        counts = f"""
        SELECT {_KEY}, element_id, SUM(n) AS n, SUM(sat) AS sat, MAX(w) AS w
        FROM ({counts}) by_version
        GROUP BY {_KEY}, element_id, criterion_id"""
    return f"""
CREATE TEMP TABLE {_ELEMENTS_TABLE} AS
SELECT {_KEY}, {element_code} AS code, value, n,
       {element_weight} AS w
FROM (
    SELECT {_KEY},
           element_id,
           SUM(CASE WHEN n > 0
                    THEN w * (CAST(sat AS DOUBLE PRECISION) * 100.0 / n) END)
               / NULLIF(SUM(CASE WHEN n > 0 THEN w END), 0) AS value,
           MAX(n) AS n
    FROM ({counts}
    ) counts
    GROUP BY {_KEY}, element_id
) per_element
"""


def status_sql(n: str) -> str:
    """The `status` and `certainty` columns of a figure, from the columns `value`,
    `threshold`, `ci_low`, `ci_high` and its size `n`.

    Status: too few to judge, no target, below it (the figure under the target,
    as the government reads it) or meets it. Certainty: clearly, when the whole
    95% interval lies on the status's side of the target, else within the margin
    of error; empty for the other statuses. Shared by every indicator, so that a
    status means the same everywhere."""
    S, C = IndicatorValue.Status, IndicatorValue.Certainty
    judged = f"value IS NOT NULL AND {n} >= %(min_respondents)s"
    return f"""CASE WHEN value IS NULL OR {n} < %(min_respondents)s
                THEN '{S.INSUFFICIENT}'
            WHEN threshold IS NULL THEN '{S.NO_TARGET}'
            WHEN value < threshold THEN '{S.BELOW}'
            ELSE '{S.MEETS}' END,
       CASE WHEN NOT ({judged}) OR threshold IS NULL THEN ''
            WHEN value < threshold AND ci_high < threshold THEN '{C.CLEAR}'
            WHEN value >= threshold AND ci_low >= threshold THEN '{C.CLEAR}'
            ELSE '{C.MARGIN}' END"""


def _upsert_sql(definition: ScoringDefinition, periods: str, params: dict) -> str:
    el_p, ov_p = "value / 100.0", "value / 100.0"
    return f"""
INSERT INTO indicators_indicatorvalue (
    indicator, definition_id, {_KEY}, {", ".join(_COMPUTED_COLUMNS)})
WITH {periods},
element_intervals AS (
    SELECT elements.*,
           {_wilson(el_p, "n", "-")} AS ci_low,
           {_wilson(el_p, "n", "+")} AS ci_high
    FROM {_temp(_ELEMENTS_TABLE)} elements
),
overall AS (
    SELECT {_KEY},
           SUM(CASE WHEN value IS NOT NULL THEN w * value END)
               / NULLIF(SUM(CASE WHEN value IS NOT NULL THEN w END), 0) AS value,
           -- Built as json (text) and converted once: jsonb_object_agg over
           -- nested jsonb values is several times slower on a full rebuild.
           json_object_agg(code, json_build_object(
               'value', value, 'n', n, 'ci_low', ci_low, 'ci_high', ci_high
           )) AS elements
    FROM element_intervals GROUP BY {_KEY}
),
respondents AS (
    SELECT {_KEY}, respondents FROM {_temp(_KEYS_TABLE)} WHERE respondents > 0
),
{_UNITS},
scored AS (
    SELECT r.level, r.unit_id, r.period_kind, r.period_key, r.respondents,
           o.value, o.elements, p.period_start,
           u.map, u.region_id, u.province_id, u.agency_id, u.name_vi, u.name_en,
           (SELECT t.threshold FROM indicators_target t
            WHERE t.indicator = %(indicator)s AND t.year <= p.period_year
              AND (t.level = r.level OR t.level IS NULL)
            ORDER BY t.year DESC, CASE WHEN t.level IS NULL THEN 1 ELSE 0 END
            LIMIT 1) AS threshold
    FROM respondents r
    JOIN periods p
      ON p.period_kind = r.period_kind AND p.period_key = r.period_key
    LEFT JOIN overall o ON {_on_key("o", "r")}
    LEFT JOIN units u ON u.level = r.level AND u.unit_id = r.unit_id
),
intervals AS (
    SELECT scored.*,
           {_wilson(ov_p, "respondents", "-")} AS ci_low,
           {_wilson(ov_p, "respondents", "+")} AS ci_high
    FROM scored
)
SELECT %(indicator)s, %(definition)s, {_KEY},
       value, respondents, ci_low, ci_high,
       CAST(COALESCE(elements, CAST('{{}}' AS json)) AS jsonb),
       CAST('{{}}' AS jsonb),
       threshold,
       {status_sql("respondents")},
       %(now)s, map, region_id, province_id, agency_id,
       COALESCE(name_vi, ''), COALESCE(name_en, ''), period_start
FROM intervals WHERE 1 = 1
ON CONFLICT (indicator, definition_id, {_KEY}) DO UPDATE SET
    {", ".join(f"{column} = excluded.{column}" for column in _COMPUTED_COLUMNS)}
WHERE {_changed("indicators_indicatorvalue")}
"""


def _changed(table: str) -> str:
    """A figure differs from the one computed now: only then is it rewritten (a
    rebuild mostly recomputes what is there; `computed_at` is when it last
    changed)."""
    return " OR ".join(
        f"{table}.{column} IS DISTINCT FROM excluded.{column}"
        for column in _COMPUTED_COLUMNS
        if column != "computed_at"
    )


def _delete_gone_sql(*, everything: bool) -> str:
    """Figures whose unit-period no longer has respondents."""
    if not everything:
        # The keys carry their respondents (`_keys_sql`): only those left with
        # none are looked up, and after new responses there are none (a refresh
        # of 10,000 probed every figure it was about to rewrite: 0.09-0.16 s).
        return f"""
DELETE FROM indicators_indicatorvalue
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND EXISTS (
    SELECT 1 FROM {_temp(_KEYS_TABLE)} k
    WHERE {_on_key("k", "indicators_indicatorvalue")}
      AND (k.respondents IS NULL OR k.respondents <= 0))
"""
    return f"""
DELETE FROM indicators_indicatorvalue
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND NOT EXISTS (
    SELECT 1 FROM indicators_respondentcount rc
    WHERE {_on_key("rc", "indicators_indicatorvalue")}
      AND rc.questionnaire_id = ANY(%(versions)s) AND rc.respondents > 0)
"""


_IN_PERIODS = (
    "EXISTS (SELECT 1 FROM periods p WHERE p.period_kind = {t}.period_kind"
    " AND p.period_key = {t}.period_key)"
)


def _rank_sqls(periods: str, decimals: int) -> list[str]:
    """Ranks, national average and difference for the provinces of some periods.

    Provinces are ranked when they have a figure (at least one respondent), also
    when fewer than the minimum: a rank with its status "insufficient" says more
    than a gap in the table. Ranking is by the published (rounded) figure, so that
    figures that read the same share a rank (standard competition ranking). A
    period's provinces are ranked within the map it belongs to and, for older
    periods, also within the 2025 map; 2008 units are not ranked in periods of the
    2025 map.
    """
    rounded = f"ROUND(CAST(v.value AS NUMERIC), {int(decimals)})"
    scope = (
        "indicator = %(indicator)s AND definition_id = %(definition)s"
        f" AND level = {Level.PROVINCE}"
    )
    partition = "v.period_kind, v.period_key, v.map"
    reset = f"""
WITH {periods}
UPDATE indicators_indicatorvalue SET
    rank_national = NULL, rank_national_of = NULL, rank_region = NULL,
    rank_region_of = NULL, national_average = NULL, diff_from_national_average = NULL
WHERE {scope} AND {_IN_PERIODS.format(t="indicators_indicatorvalue")}
"""
    rank = f"""
WITH {periods},
ranked AS (
    SELECT v.id,
        RANK() OVER (PARTITION BY {partition} ORDER BY {rounded} DESC) AS rn,
        COUNT(*) OVER (PARTITION BY {partition}) AS rn_of,
        RANK() OVER (PARTITION BY {partition}, v.region_id ORDER BY {rounded} DESC)
            AS rr,
        COUNT(*) OVER (PARTITION BY {partition}, v.region_id) AS rr_of,
        AVG(v.value) OVER (PARTITION BY {partition}) AS average
    FROM indicators_indicatorvalue v
    JOIN periods p ON p.period_kind = v.period_kind AND p.period_key = v.period_key
    WHERE v.indicator = %(indicator)s AND v.definition_id = %(definition)s
      AND v.level = {Level.PROVINCE} AND v.value IS NOT NULL AND v.respondents > 0
      AND (v.map = p.period_map OR v.map = {Province.Map.MAP_2025})
)
UPDATE indicators_indicatorvalue SET
    rank_national = ranked.rn, rank_national_of = ranked.rn_of,
    rank_region = ranked.rr, rank_region_of = ranked.rr_of,
    national_average = ranked.average,
    diff_from_national_average = value - ranked.average
FROM ranked WHERE indicators_indicatorvalue.id = ranked.id
"""
    # The pooled NATION row carries the published-style average beside it, of the
    # map its period belongs to, so that both figures are at hand and told apart.
    nation = f"""
WITH {periods}
UPDATE indicators_indicatorvalue SET national_average = (
    SELECT AVG(v.value) FROM indicators_indicatorvalue v
    JOIN periods p ON p.period_kind = v.period_kind AND p.period_key = v.period_key
    WHERE v.indicator = indicators_indicatorvalue.indicator
      AND v.definition_id = indicators_indicatorvalue.definition_id
      AND v.level = {Level.PROVINCE} AND v.map = p.period_map
      AND v.period_kind = indicators_indicatorvalue.period_kind
      AND v.period_key = indicators_indicatorvalue.period_key
      AND v.value IS NOT NULL AND v.respondents > 0)
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND level = {Level.NATION} AND {_IN_PERIODS.format(t="indicators_indicatorvalue")}
"""
    return [reset, rank, nation]


def _rank_change_sql(periods: str) -> str:
    """Rank change against the previous period of the same length: positive when
    the province moved up; empty without a rank in both periods, and for the
    region also when the province changed region."""
    return f"""
WITH {periods},
changes AS (
    SELECT cur.id,
        prev.rank_national - cur.rank_national AS national_change,
        CASE WHEN prev.region_id = cur.region_id
             THEN prev.rank_region - cur.rank_region END AS region_change
    FROM indicators_indicatorvalue cur
    JOIN periods p
      ON p.period_kind = cur.period_kind AND p.period_key = cur.period_key
    LEFT JOIN indicators_indicatorvalue prev
      ON prev.indicator = cur.indicator AND prev.definition_id = cur.definition_id
     AND prev.level = cur.level AND prev.unit_id = cur.unit_id
     AND prev.period_kind = cur.period_kind AND prev.period_key = p.prev_key
    WHERE cur.indicator = %(indicator)s AND cur.definition_id = %(definition)s
      AND cur.level = {Level.PROVINCE}
)
UPDATE indicators_indicatorvalue SET
    rank_change_national = changes.national_change,
    rank_change_region = changes.region_change
FROM changes WHERE indicators_indicatorvalue.id = changes.id
"""


# Entry points ----------------------------------------------------------------------


def _drop_temporary(cursor) -> None:
    for table in (_KEYS_TABLE, _ELEMENTS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {_temp(table)}")


def _definition_compute(
    *, definition: ScoringDefinition, keys: str, extra: dict, everything: bool
) -> int:
    """Compute one definition's figures for the unit-periods `keys` selects, then
    rank the provinces of their periods. Returns the figures written."""
    params = {
        "questionnaire": definition.questionnaire_id,
        "versions": versions_pooled(questionnaire_id=definition.questionnaire_id),
        "definition": definition.id,
        "indicator": Indicator.SATISFACTION.value,
        "min_respondents": settings.INDICATOR_MIN_RESPONDENTS,
        "now": timezone.now(),
        "pooled_vi": POOLED_NAME_VI,
        "pooled_en": POOLED_NAME_EN,
        **extra,
    }
    written = 0
    with connection.cursor() as cursor:
        _drop_temporary(cursor)
        cursor.execute(_keys_sql(keys), params)
        cursor.execute(
            "SELECT period_kind, period_key,"
            f" MAX(CASE WHEN level = {Level.PROVINCE} THEN 1 ELSE 0 END), COUNT(*)"
            f" FROM {_temp(_KEYS_TABLE)} GROUP BY period_kind, period_key"
        )
        found = cursor.fetchall()
        periods = {(kind, key) for kind, key, _, _ in found}
        # Ranks and averages are of provinces: periods where no province figure
        # changes keep theirs (an agency-only refresh ranks nothing).
        ranked = {(kind, key) for kind, key, provinces, _ in found if provinces}
        if not periods:
            _drop_temporary(cursor)
            return 0
        # Before the rates are read through it: unanalyzed, a few thousand
        # keys look like one row or like millions, and PostgreSQL sorted the
        # whole rollup for a merge join (4.7 s for 10,000 new responses at
        # 100k, against an index probe per key).
        cursor.execute(f"ANALYZE {_temp(_KEYS_TABLE)}")
        whole = everything or _large_share_of_the_rollup(
            cursor, sum(n for *_, n in found)
        )
        # The element figures and the figures group in memory: at the default
        # work_mem a full recompute's hash table spilled to disk in 85 batches,
        # and a refresh's sort of 200,000 count rows too.
        cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")
        if whole:
            element_settings = {
                # The planner cannot know that a key has a count row per
                # criterion: it expects one and probes the rollup's index once
                # per key, or sorts the rollup for a merge join, where hashing
                # the keys and reading the rollup once is faster when they are
                # many (9.5 s, 4.4 s and 2.8 s for all 120,000 keys at 100k).
                "enable_nestloop": "off",
                "enable_mergejoin": "off",
                # One hash table of the element figures: sorting the millions of
                # count rows, or hashing them in parallel workers whose partial
                # tables hold nearly every group, costs twice as much.
                "enable_sort": "off",
                "max_parallel_workers_per_gather": "0",
            }
        else:
            # Each key's count rows are read once: a cache of them (Memoize)
            # never hits, and cost a fifth of the statement (0.46 s against
            # 0.36 s for 9,200 keys at 100k, rolled-back rounds).
            element_settings = {"enable_memoize": "off"}
        with planner_settings(cursor, element_settings):
            cursor.execute(
                _element_values_sql(
                    definition, params, everything=everything, whole=whole
                ),
                params,
            )
        cursor.execute(f"ANALYZE {_temp(_ELEMENTS_TABLE)}")
        cursor.execute(_delete_gone_sql(everything=everything), params)
        # All figures: each groups its elements into JSON, whose size the
        # planner cannot know; at 1M responses it expected more than the 512 MB
        # a hash table may take and split it to disk, where 300 MB held it (the
        # upsert 6.1-6.5 s against 6.6-7.9 s, interleaved runs).
        # A few thousand: the threshold's subquery per figure lifts the
        # statement's estimated cost over PostgreSQL's bar for compiling it
        # (JIT), 40-45 ms spent compiling 90 functions.
        upsert_settings = {"hash_mem_multiplier": "8"} if whole else {"jit": "off"}
        with planner_settings(cursor, upsert_settings):
            cursor.execute(
                _upsert_sql(definition, _periods_cte(periods, params), params), params
            )
            written = cursor.rowcount
        _drop_temporary(cursor)
        if not ranked:
            return written
        if written >= ANALYZE_AFTER_WRITES:
            # The ranking statements join figures to figures: with statistics from
            # before a large write (autovacuum lags, and not at all inside a
            # rebuild) the planner expects one row and nests loops over all of
            # them; 490 s instead of 4.7 s at 100k responses (docs/performance.md).
            cursor.execute("ANALYZE indicators_indicatorvalue")
        for sql in _rank_sqls(_periods_cte(ranked, params), definition.decimals):
            cursor.execute(sql, params)
        # A period's ranks are the previous ranks of the period after it.
        following = {
            (kind, period_info(kind=kind, key=key).following) for kind, key in ranked
        }
        cursor.execute(
            _rank_change_sql(_periods_cte(ranked | following, params)), params
        )
    return written


# Share of the rollup's unit-periods above which their counts are read by
# scanning the rollup rather than by looking each unit-period up. At 100k
# responses, looking up all 120,000 took 9.5 s and a scan 2.8 s; look-ups cost
# in proportion to the keys and a scan does not, so the two meet near 30%.
WHOLE_ROLLUP_SHARE = 0.3


def _large_share_of_the_rollup(cursor, keys: int) -> bool:
    """Whether `keys` unit-periods are a large share of those the rollup holds,
    by the statistics' row count (no count of the table)."""
    cursor.execute(
        "SELECT reltuples FROM pg_class"
        " WHERE oid = 'indicators_respondentcount'::regclass"
    )
    row = cursor.fetchone()
    return row is not None and row[0] > 0 and keys >= WHOLE_ROLLUP_SHARE * row[0]


def _lock_rollup() -> None:
    """Wait for a running fold to finish, and keep folds out until we commit: a
    fold marks keys dirty while holding this row, so no key can be marked between
    reading the dirty keys and deleting them."""
    RollupState.objects.get_or_create(id=1)
    RollupState.objects.select_for_update().get(id=1)


def values_refresh_dirty() -> int:
    """Recompute the figures of the unit-periods marked dirty by the rollup, with
    the current scoring definition of each questionnaire, and the ranks and
    national averages of their periods; consume (delete) the dirty marks in the
    same transaction. Figures of other definitions stay as they are. Returns the
    number of figures written."""
    written = 0
    with transaction.atomic():
        _lock_rollup()
        mark = (
            DirtyUnitPeriod.objects.order_by("-id").values_list("id", flat=True).first()
        )
        if mark is None:
            return 0
        # A version published since the last refresh gets its definition first;
        # one that follows earlier versions counts their answers too, so it is
        # computed for every unit-period they have figures for.
        followed = [
            definition
            for definition in scoring_definitions_follow()
            if len(versions_pooled(questionnaire_id=definition.questionnaire_id)) > 1
        ]
        for definition in followed:
            written += _definition_compute(
                definition=definition, keys=_KEYS_ALL, extra={}, everything=True
            )
        if any(d.questionnaire.code == DEFAULT_QUESTIONNAIRE for d in followed):
            # The dossier figures sit under SIPAS's current definition: they move
            # to the new one with all their periods.
            from indicators.dossier_values import dossier_values_rebuild

            written += dossier_values_rebuild()
        # A semi-join in the database: the marks are thousands of rows for a
        # handful of questionnaires (reading them into Python took 29 ms). Marks
        # of an earlier version are the current version's too.
        codes = Questionnaire.objects.filter(
            id__in=DirtyUnitPeriod.objects.filter(id__lte=mark).values(
                "questionnaire_id"
            )
        ).values("code")
        for definition in ScoringDefinition.objects.filter(
            is_current=True, questionnaire__code__in=codes
        ).exclude(pk__in=[definition.pk for definition in followed]):
            written += _definition_compute(
                definition=definition,
                keys=_KEYS_DIRTY,
                extra={"dirty_mark": mark},
                everything=False,
            )
        DirtyUnitPeriod.objects.filter(id__lte=mark).delete()
    return written


def values_rebuild(*, definition: ScoringDefinition | None = None) -> int:
    """Recompute every figure of one definition (also a past one, when asked) or,
    without one, of every current definition, from the whole rollup; figures whose
    unit-period has no respondents any more are deleted. Dirty marks are consumed,
    as everything they mark is recomputed. Returns the number of figures written."""
    if definition is None:
        scoring_definitions_follow()
    definitions = (
        [definition]
        if definition is not None
        else list(ScoringDefinition.objects.filter(is_current=True))
    )
    written = 0
    with transaction.atomic():
        _lock_rollup()
        mark = (
            DirtyUnitPeriod.objects.order_by("-id").values_list("id", flat=True).first()
        )
        for item in definitions:
            written += _definition_compute(
                definition=item, keys=_KEYS_ALL, extra={}, everything=True
            )
        if definition is None and mark is not None:
            DirtyUnitPeriod.objects.filter(id__lte=mark).delete()
    return written


def wilson_interval(*, p: float, n: int) -> tuple[float, float] | None:
    """The 95% Wilson interval (percent) of a share p of n, as the SQL computes it;
    for tests and one-off figures."""
    if n <= 0:
        return None
    z2 = Z * Z
    centre = p + z2 / (2 * n)
    spread = Z * math.sqrt(max(0.0, p * (1 - p) / n) + z2 / (4 * n * n))
    return (
        100 * (centre - spread) / (1 + z2 / n),
        100 * (centre + spread) / (1 + z2 / n),
    )
