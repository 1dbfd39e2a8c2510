"""On-time and online-use figures from the dossier counts, in set-based SQL.

The same machinery as the satisfaction figures (`figures`): one
INSERT ... ON CONFLICT per indicator for the unit-periods involved, the 95% Wilson
interval of the share, the status against the target of the period's year, then
ranks, national average and rank changes of the provinces by the same
statements. Percent scale:

- on time: 100 × resolved on time / resolved, over dossiers resolved in the
  period (a dossier is on time when resolved no later than its due date pushed
  back by the days it was paused waiting for the citizen); n = resolved;
- online: 100 × received online / received, over dossiers received in the
  period; n = received.

The average handling time (days from receipt to resolution, paused days not
counted) rides on the on-time figure, in `criteria["handling_days"]`. Figures are
stored under the current scoring definition of the SIPAS questionnaire, so that
they sit beside the satisfaction figures they are read with, and are rounded as
that definition says.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from indicators.engine.kernel import (
    DOSSIER_COUNTS,
    DOSSIER_DIRTY,
    FIGURES,
    KEY,
    TARGETS,
    on_key,
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
    DossierDirtyUnitPeriod,
    Indicator,
    ScoringDefinition,
)
from surveys.reference import DEFAULT_QUESTIONNAIRE

# indicator: (numerator, denominator) columns of the dossier counts
SHARES = {
    Indicator.ON_TIME: ("resolved_on_time", "resolved"),
    Indicator.ONLINE: ("received_online", "received"),
}
_KEYS_TABLE = "indicators_tmp_dossier_keys"

_KEYS_DIRTY = (
    "SELECT level, unit_id, period_kind, period_key"
    f" FROM {DOSSIER_DIRTY} WHERE id <= %(dirty_mark)s"
)
_KEYS_ALL = f"SELECT level, unit_id, period_kind, period_key FROM {DOSSIER_COUNTS}"


def dossier_definition() -> ScoringDefinition | None:
    """The definition dossier figures are stored under (see the module)."""
    return ScoringDefinition.objects.filter(
        is_current=True,
        questionnaire__code=DEFAULT_QUESTIONNAIRE,
        questionnaire__is_current=True,
    ).first()


def _keys_sql(keys: str) -> str:
    """The unit-periods to compute, with their dossier counts, into a temporary
    table."""
    return f"""
CREATE TEMP TABLE {_KEYS_TABLE} AS
SELECT k.level, k.unit_id, k.period_kind, k.period_key,
       COALESCE(c.received, 0) AS received,
       COALESCE(c.received_online, 0) AS received_online,
       COALESCE(c.resolved, 0) AS resolved,
       COALESCE(c.resolved_on_time, 0) AS resolved_on_time,
       COALESCE(c.handling_days, 0) AS handling_days
FROM ({keys}) k
LEFT JOIN {DOSSIER_COUNTS} c ON {on_key("c", "k")}
"""


def _details_sql(indicator: str, numerator: str, denominator: str) -> str:
    """The `criteria` of a figure: its share, and for on time the average
    handling time, each as {value, n} like a criterion."""
    share = (
        f"'{indicator}', json_build_object('value', value, 'n', n,"
        f" 'numerator', {numerator})"
    )
    if indicator == Indicator.ON_TIME:
        share += (
            ", 'handling_days', json_build_object('value',"
            " CAST(handling_days AS DOUBLE PRECISION) / n, 'n', n)"
        )
    return f"CAST(json_build_object({share}) AS jsonb)"


def _upsert_sql(indicator: str, periods: str) -> str:
    """The figures of one dossier indicator for the unit-periods in the keys
    table with a denominator: the share, its interval, the target of the
    period's year and the status; upserted."""
    numerator, denominator = SHARES[indicator]
    return f"""
INSERT INTO {FIGURES} (
    indicator, definition_id, {KEY}, {", ".join(FIGURE_COLUMNS)})
WITH {periods},
{UNITS},
scored AS (
    SELECT k.level, k.unit_id, k.period_kind, k.period_key,
           k.{numerator}, k.handling_days, k.{denominator} AS n,
           CAST(k.{numerator} AS DOUBLE PRECISION) * 100.0 / k.{denominator}
               AS value,
           p.period_start,
           u.map, u.region_id, u.province_id, u.agency_id, u.name_vi, u.name_en,
           (SELECT t.threshold FROM {TARGETS} t
            WHERE t.indicator = %(indicator)s AND t.year <= p.period_year
              AND (t.level = k.level OR t.level IS NULL)
            ORDER BY t.year DESC, CASE WHEN t.level IS NULL THEN 1 ELSE 0 END
            LIMIT 1) AS threshold
    FROM {temp(_KEYS_TABLE)} k
    JOIN periods p
      ON p.period_kind = k.period_kind AND p.period_key = k.period_key
    LEFT JOIN units u ON u.level = k.level AND u.unit_id = k.unit_id
    WHERE k.{denominator} > 0
),
intervals AS (
    SELECT scored.*,
           {wilson("value / 100.0", "n", "-")} AS ci_low,
           {wilson("value / 100.0", "n", "+")} AS ci_high
    FROM scored
)
SELECT %(indicator)s, %(definition)s, {KEY},
       value, n, ci_low, ci_high,
       CAST('{{}}' AS jsonb),
       {_details_sql(indicator, numerator, denominator)},
       threshold, {status_sql("n")},
       %(now)s, map, region_id, province_id, agency_id,
       COALESCE(name_vi, ''), COALESCE(name_en, ''), period_start
FROM intervals WHERE 1 = 1
ON CONFLICT (indicator, definition_id, {KEY}) DO UPDATE SET
    {", ".join(f"{column} = excluded.{column}" for column in FIGURE_COLUMNS)}
"""


def _delete_gone_sql(indicator: str) -> str:
    """Figures of the unit-periods involved that no longer have a denominator."""
    _, denominator = SHARES[indicator]
    return f"""
DELETE FROM {FIGURES}
WHERE indicator = %(indicator)s AND definition_id = %(definition)s
  AND EXISTS (SELECT 1 FROM {temp(_KEYS_TABLE)} k
              WHERE {on_key("k", FIGURES)}
                AND k.{denominator} = 0)
"""


def _compute(*, definition: ScoringDefinition, keys: str, extra: dict) -> int:
    """Both dossier indicators for the unit-periods `keys` selects, then the
    ranks of the provinces of their periods. Returns the figures written."""
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temp(_KEYS_TABLE)}")
        cursor.execute(_keys_sql(keys), extra)
        cursor.execute(
            f"SELECT DISTINCT period_kind, period_key FROM {temp(_KEYS_TABLE)}"
        )
        periods = {(kind, key) for kind, key in cursor.fetchall()}
        cursor.execute(f"ANALYZE {temp(_KEYS_TABLE)}")
        for indicator in SHARES:
            if not periods:
                break
            params = {
                "definition": definition.id,
                "indicator": indicator.value,
                "min_respondents": settings.INDICATOR_MIN_RESPONDENTS,
                "now": timezone.now(),
                "pooled_vi": POOLED_NAME_VI,
                "pooled_en": POOLED_NAME_EN,
            }
            cursor.execute(_delete_gone_sql(indicator), params)
            cursor.execute(_upsert_sql(indicator, periods_cte(periods, params)), params)
            written += cursor.rowcount
            for sql in rank_sqls(periods_cte(periods, params), definition.decimals):
                cursor.execute(sql, params)
            following = {
                (kind, period_info(kind=kind, key=key).following)
                for kind, key in periods
            }
            cursor.execute(
                rank_change_sql(periods_cte(periods | following, params)), params
            )
        cursor.execute(f"DROP TABLE IF EXISTS {temp(_KEYS_TABLE)}")
    return written


def dossier_figures_refresh_dirty() -> int:
    """Recompute the on-time and online figures of the unit-periods whose dossier
    counts changed, and consume their dirty marks in the same transaction.
    Without a current SIPAS scoring definition nothing is computed and the marks
    wait. Returns the figures written."""
    with transaction.atomic():
        lock_rollup()
        mark = (
            DossierDirtyUnitPeriod.objects.order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        definition = dossier_definition()
        if mark is None or definition is None:
            return 0
        written = _compute(
            definition=definition, keys=_KEYS_DIRTY, extra={"dirty_mark": mark}
        )
        DossierDirtyUnitPeriod.objects.filter(id__lte=mark).delete()
    return written


def dossier_figures_rebuild() -> int:
    """Recompute every on-time and online figure from the whole dossier rollup;
    figures of unit-periods without dossiers any more are deleted."""
    with transaction.atomic():
        lock_rollup()
        definition = dossier_definition()
        if definition is None:
            return 0
        mark = (
            DossierDirtyUnitPeriod.objects.order_by("-id")
            .values_list("id", flat=True)
            .first()
        )
        # Figures whose unit-period lost all its dossiers are not in the counts.
        keys = (
            f"{_KEYS_ALL} UNION SELECT level, unit_id, period_kind, period_key"
            f" FROM {FIGURES}"
            " WHERE indicator IN (%(on_time)s, %(online)s)"
        )
        written = _compute(
            definition=definition,
            keys=keys,
            extra={
                "on_time": Indicator.ON_TIME.value,
                "online": Indicator.ONLINE.value,
            },
        )
        if mark is not None:
            DossierDirtyUnitPeriod.objects.filter(id__lte=mark).delete()
    return written
