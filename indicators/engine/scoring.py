"""What every figure shares, satisfaction and dossiers alike: the 95% Wilson
interval, the status against the target, the units' names, the columns a figure
computes, and the ranks, national average and rank changes of the provinces."""

from __future__ import annotations

import math

from indicators.engine.kernel import AGENCIES, FIGURES, PROVINCES, REGIONS
from indicators.models import IndicatorValue, Level
from surveys.models import Province

Z = 1.959963984540054  # two-sided 95%


# Stored on the NATION row, so that no list shows it as "the national average".
POOLED_NAME_VI = "Cả nước (tỷ lệ gộp)"
POOLED_NAME_EN = "Nation (pooled rate)"


def wilson(p: str, n: str, sign: str) -> str:
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


# Every unit a figure can be of, with its map, region, province and names.
UNITS = f"""
units (level, unit_id, map, region_id, province_id, agency_id, name_vi, name_en) AS (
    SELECT {Level.AGENCY}, a.id, p.map, p.region_id, a.province_id, a.id,
           a.name_vi, a.name_en
    FROM {AGENCIES} a LEFT JOIN {PROVINCES} p ON p.id = a.province_id
    UNION ALL
    SELECT {Level.PROVINCE}, p.id, p.map, p.region_id, p.id, NULL,
           p.name_vi, p.name_en
    FROM {PROVINCES} p
    UNION ALL
    SELECT {Level.REGION}, r.id, NULL, r.id, NULL, NULL, r.name_vi, r.name_en
    FROM {REGIONS} r
    UNION ALL
    SELECT {Level.NATION}, 0, NULL, NULL, NULL, NULL, %(pooled_vi)s, %(pooled_en)s
)"""

# The columns a figure computes (after its indicator, definition and key).
FIGURE_COLUMNS = [
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


_IN_PERIODS = (
    "EXISTS (SELECT 1 FROM periods p WHERE p.period_kind = {t}.period_kind"
    " AND p.period_key = {t}.period_key)"
)


def rank_sqls(periods: str, decimals: int) -> list[str]:
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
UPDATE {FIGURES} SET
    rank_national = NULL, rank_national_of = NULL, rank_region = NULL,
    rank_region_of = NULL, national_average = NULL, diff_from_national_average = NULL
WHERE {scope} AND {_IN_PERIODS.format(t=FIGURES)}
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
    FROM {FIGURES} v
    JOIN periods p ON p.period_kind = v.period_kind AND p.period_key = v.period_key
    WHERE v.indicator = %(indicator)s AND v.definition_id = %(definition)s
      AND v.level = {Level.PROVINCE} AND v.value IS NOT NULL AND v.respondents > 0
      AND (v.map = p.period_map OR v.map = {Province.Map.MAP_2025})
)
UPDATE {FIGURES} SET
    rank_national = ranked.rn, rank_national_of = ranked.rn_of,
    rank_region = ranked.rr, rank_region_of = ranked.rr_of,
    national_average = ranked.average,
    diff_from_national_average = value - ranked.average
FROM ranked WHERE {FIGURES}.id = ranked.id
"""
    # The pooled NATION row carries the published-style average beside it, of the
    # map its period belongs to, so that both figures are at hand and told apart.
    nation = f"""
WITH {periods}
UPDATE {FIGURES} SET national_average = (
    SELECT AVG(v.value) FROM {FIGURES} v
    JOIN periods p ON p.period_kind = v.period_kind AND p.period_key = v.period_key
    WHERE v.indicator = {FIGURES}.indicator
      AND v.definition_id = {FIGURES}.definition_id
      AND v.level = {Level.PROVINCE} AND v.map = p.period_map
      AND v.period_kind = {FIGURES}.period_kind
      AND v.period_key = {FIGURES}.period_key
      AND v.value IS NOT NULL AND v.respondents > 0)
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND level = {Level.NATION} AND {_IN_PERIODS.format(t=FIGURES)}
"""
    return [reset, rank, nation]


def rank_change_sql(periods: str) -> str:
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
    FROM {FIGURES} cur
    JOIN periods p
      ON p.period_kind = cur.period_kind AND p.period_key = cur.period_key
    LEFT JOIN {FIGURES} prev
      ON prev.indicator = cur.indicator AND prev.definition_id = cur.definition_id
     AND prev.level = cur.level AND prev.unit_id = cur.unit_id
     AND prev.period_kind = cur.period_kind AND prev.period_key = p.prev_key
    WHERE cur.indicator = %(indicator)s AND cur.definition_id = %(definition)s
      AND cur.level = {Level.PROVINCE}
)
UPDATE {FIGURES} SET
    rank_change_national = changes.national_change,
    rank_change_region = changes.region_change
FROM changes WHERE {FIGURES}.id = changes.id
"""


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
