"""Satisfaction figures computed from the rollup, in set-based SQL.

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

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from indicators.engine.elements import (
    ELEMENTS_TABLE,
    KEYS_TABLE,
    element_values_sql,
)
from indicators.engine.kernel import (
    DIRTY,
    FIGURES,
    KEY,
    RC,
    TARGETS,
    bulk,
    on_key,
    planner_settings,
    temp,
)
from indicators.engine.periods import period_info, periods_cte
from indicators.engine.scoring import (
    FIGURE_COLUMNS,
    POOLED_NAME_EN,
    POOLED_NAME_VI,
    UNITS,
    rank_change_sql,
    rank_sqls,
    status_sql,
    wilson,
)
from indicators.engine.state import lock_rollup
from indicators.models import (
    DirtyUnitPeriod,
    Indicator,
    Level,
    ScoringDefinition,
)
from indicators.services import scoring_definitions_follow
from indicators.versions import versions_pooled
from surveys.models import Questionnaire
from surveys.reference import DEFAULT_QUESTIONNAIRE

# Figures written by one refresh above which their table's statistics are renewed
# before the ranking statements (a sample of the table, quickly read).
ANALYZE_AFTER_WRITES = 1000


_KEYS_DIRTY = (
    "SELECT DISTINCT level, unit_id, period_kind, period_key"
    f" FROM {DIRTY}"
    " WHERE questionnaire_id = ANY(%(versions)s) AND id <= %(dirty_mark)s"
)
_KEYS_ALL = (
    "SELECT DISTINCT level, unit_id, period_kind, period_key"
    f" FROM {RC} WHERE questionnaire_id = ANY(%(versions)s)"
)


def _keys_sql(keys: str) -> str:
    """The unit-periods to compute, with their respondents to the definition's
    questionnaire version and its earlier versions, into a temporary table."""
    return f"""
CREATE TEMP TABLE {KEYS_TABLE} AS
SELECT k.level, k.unit_id, k.period_kind, k.period_key,
       SUM(rc.respondents) AS respondents
FROM ({keys}) k
LEFT JOIN {RC} rc
  ON {on_key("rc", "k")} AND rc.questionnaire_id = ANY(%(versions)s)
GROUP BY k.level, k.unit_id, k.period_kind, k.period_key
"""


def _upsert_sql(definition: ScoringDefinition, periods: str, params: dict) -> str:
    """The figures of the unit-periods in the keys table with respondents, from
    their element figures: the overall index, its interval, the target of the
    period's year and the status; upserted, rewriting only those that changed."""
    el_p, ov_p = "value / 100.0", "value / 100.0"
    return f"""
INSERT INTO {FIGURES} (
    indicator, definition_id, {KEY}, {", ".join(FIGURE_COLUMNS)})
WITH {periods},
element_intervals AS (
    SELECT elements.*,
           {wilson(el_p, "n", "-")} AS ci_low,
           {wilson(el_p, "n", "+")} AS ci_high
    FROM {temp(ELEMENTS_TABLE)} elements
),
overall AS (
    SELECT {KEY},
           SUM(CASE WHEN value IS NOT NULL THEN w * value END)
               / NULLIF(SUM(CASE WHEN value IS NOT NULL THEN w END), 0) AS value,
           -- Built as json (text) and converted once: jsonb_object_agg over
           -- nested jsonb values is several times slower on a full rebuild.
           json_object_agg(code, json_build_object(
               'value', value, 'n', n, 'ci_low', ci_low, 'ci_high', ci_high
           )) AS elements
    FROM element_intervals GROUP BY {KEY}
),
respondents AS (
    SELECT {KEY}, respondents FROM {temp(KEYS_TABLE)} WHERE respondents > 0
),
{UNITS},
scored AS (
    SELECT r.level, r.unit_id, r.period_kind, r.period_key, r.respondents,
           o.value, o.elements, p.period_start,
           u.map, u.region_id, u.province_id, u.agency_id, u.name_vi, u.name_en,
           (SELECT t.threshold FROM {TARGETS} t
            WHERE t.indicator = %(indicator)s AND t.year <= p.period_year
              AND (t.level = r.level OR t.level IS NULL)
            ORDER BY t.year DESC, CASE WHEN t.level IS NULL THEN 1 ELSE 0 END
            LIMIT 1) AS threshold
    FROM respondents r
    JOIN periods p
      ON p.period_kind = r.period_kind AND p.period_key = r.period_key
    LEFT JOIN overall o ON {on_key("o", "r")}
    LEFT JOIN units u ON u.level = r.level AND u.unit_id = r.unit_id
),
intervals AS (
    SELECT scored.*,
           {wilson(ov_p, "respondents", "-")} AS ci_low,
           {wilson(ov_p, "respondents", "+")} AS ci_high
    FROM scored
)
SELECT %(indicator)s, %(definition)s, {KEY},
       value, respondents, ci_low, ci_high,
       CAST(COALESCE(elements, CAST('{{}}' AS json)) AS jsonb),
       CAST('{{}}' AS jsonb),
       threshold,
       {status_sql("respondents")},
       %(now)s, map, region_id, province_id, agency_id,
       COALESCE(name_vi, ''), COALESCE(name_en, ''), period_start
FROM intervals WHERE 1 = 1
ON CONFLICT (indicator, definition_id, {KEY}) DO UPDATE SET
    {", ".join(f"{column} = excluded.{column}" for column in FIGURE_COLUMNS)}
WHERE {_changed(FIGURES)}
"""


def _changed(table: str) -> str:
    """A figure differs from the one computed now: only then is it rewritten (a
    rebuild mostly recomputes what is there; `computed_at` is when it last
    changed)."""
    return " OR ".join(
        f"{table}.{column} IS DISTINCT FROM excluded.{column}"
        for column in FIGURE_COLUMNS
        if column != "computed_at"
    )


def _delete_gone_sql(*, everything: bool) -> str:
    """Figures whose unit-period no longer has respondents."""
    if not everything:
        # The keys carry their respondents (`_keys_sql`): only those left with
        # none are looked up, and after new responses there are none (a refresh
        # of new responses probed every figure it was about to rewrite).
        return f"""
DELETE FROM {FIGURES}
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND EXISTS (
    SELECT 1 FROM {temp(KEYS_TABLE)} k
    WHERE {on_key("k", FIGURES)}
      AND (k.respondents IS NULL OR k.respondents <= 0))
"""
    return f"""
DELETE FROM {FIGURES}
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND NOT EXISTS (
    SELECT 1 FROM {RC} rc
    WHERE {on_key("rc", FIGURES)}
      AND rc.questionnaire_id = ANY(%(versions)s) AND rc.respondents > 0)
"""


# Entry points ----------------------------------------------------------------------


def _drop_temporary(cursor) -> None:
    """Drop the temporary tables of a computation."""
    for table in (KEYS_TABLE, ELEMENTS_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {temp(table)}")


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
            f" FROM {temp(KEYS_TABLE)} GROUP BY period_kind, period_key"
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
        # whole rollup for a merge join instead of probing its index per key
        # (docs/performance.md).
        cursor.execute(f"ANALYZE {temp(KEYS_TABLE)}")
        whole = everything or _large_share_of_the_rollup(
            cursor, sum(n for *_, n in found)
        )
        # The element figures and the figures group in memory: at the default
        # work_mem a full recompute's hash table spilled to disk, and a
        # refresh's sort of the count rows too.
        bulk(cursor)
        if whole:
            element_settings = {
                # The planner cannot know that a key has a count row per
                # criterion: it expects one and probes the rollup's index once
                # per key, or sorts the rollup for a merge join, where hashing
                # the keys and reading the rollup once is faster when they are
                # many (docs/performance.md).
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
            # never hits, and cost a fifth of the statement (docs/performance.md).
            element_settings = {"enable_memoize": "off"}
        with planner_settings(cursor, element_settings):
            cursor.execute(
                element_values_sql(
                    definition, params, everything=everything, whole=whole
                ),
                params,
            )
        cursor.execute(f"ANALYZE {temp(ELEMENTS_TABLE)}")
        cursor.execute(_delete_gone_sql(everything=everything), params)
        # All figures: each groups its elements into JSON, whose size the
        # planner cannot know; at 1M responses it expected more than a hash
        # table may take and split it to disk, where far less held it.
        # A few thousand: the threshold's subquery per figure lifts the
        # statement's estimated cost over PostgreSQL's bar for compiling it
        # (JIT), which costs more than it saves (docs/performance.md).
        upsert_settings = {"hash_mem_multiplier": "8"} if whole else {"jit": "off"}
        with planner_settings(cursor, upsert_settings):
            cursor.execute(
                _upsert_sql(definition, periods_cte(periods, params), params), params
            )
            written = cursor.rowcount
        _drop_temporary(cursor)
        if not ranked:
            return written
        if written >= ANALYZE_AFTER_WRITES:
            # The ranking statements join figures to figures: with statistics from
            # before a large write (autovacuum lags, and not at all inside a
            # rebuild) the planner expects one row and nests loops over all of
            # them (docs/performance.md).
            cursor.execute(f"ANALYZE {FIGURES}")
        for sql in rank_sqls(periods_cte(ranked, params), definition.decimals):
            cursor.execute(sql, params)
        # A period's ranks are the previous ranks of the period after it.
        following = {
            (kind, period_info(kind=kind, key=key).following) for kind, key in ranked
        }
        cursor.execute(rank_change_sql(periods_cte(ranked | following, params)), params)
    return written


# Share of the rollup's unit-periods above which their counts are read by
# scanning the rollup rather than by looking each unit-period up: look-ups cost
# in proportion to the keys and a scan does not, and the two meet near 30%
# (docs/performance.md).
WHOLE_ROLLUP_SHARE = 0.3


def _large_share_of_the_rollup(cursor, keys: int) -> bool:
    """Whether `keys` unit-periods are a large share of those the rollup holds,
    by the statistics' row count (no count of the table)."""
    cursor.execute(f"SELECT reltuples FROM pg_class WHERE oid = '{RC}'::regclass")
    row = cursor.fetchone()
    return row is not None and row[0] > 0 and keys >= WHOLE_ROLLUP_SHARE * row[0]


def figures_refresh_dirty() -> int:
    """Recompute the figures of the unit-periods marked dirty by the rollup, with
    the current scoring definition of each questionnaire, and the ranks and
    national averages of their periods; consume (delete) the dirty marks in the
    same transaction. Figures of other definitions stay as they are. Returns the
    number of figures written."""
    written = 0
    with transaction.atomic():
        lock_rollup()
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
            from indicators.engine.dossier_figures import dossier_figures_rebuild

            written += dossier_figures_rebuild()
        # A semi-join in the database: the marks are thousands of rows for a
        # handful of questionnaires, not worth reading into Python. Marks of an
        # earlier version are the current version's too.
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


def figures_rebuild(*, definition: ScoringDefinition | None = None) -> int:
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
        lock_rollup()
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
