"""Reading the scorecard: per unit and period, satisfaction, on time and online
with their targets and statuses, the average handling time, and the response
rate of the invitations. Takes the user and narrows through `surveys.scope`
as `indicators.selectors` does."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from indicators.engine.dossier_figures import dossier_definition
from indicators.models import (
    DossierCount,
    Indicator,
    IndicatorValue,
    Level,
    PeriodKind,
    Scorecard,
)
from indicators.selectors import indicator_values_for
from surveys.models import Agency, InvitationBatch, Province, UsedInvitation
from surveys.scope import scope_filter, scope_for

INDICATORS = (Indicator.SATISFACTION, Indicator.ON_TIME, Indicator.ONLINE)
FIELDS = ("value", "threshold", "status", "certainty", "respondents")


def scorecard_for(*, user) -> QuerySet[Scorecard]:
    """One row per unit and period the user may see, of the dossier figures'
    definition, with `<indicator>_<field>` for each indicator and
    `handling_days` (average, resolved dossiers of the period): the view of
    `Scorecard`, narrowed as `indicator_values_for` narrows the figures, so that
    PostgreSQL applies the scope inside the view."""
    definition = dossier_definition()
    scope = scope_for(user)
    if definition is None or scope.empty:
        return Scorecard.objects.none()
    queryset = Scorecard.objects.filter(definition=definition)
    if not scope.everything:
        queryset = queryset.filter(level__in=[Level.AGENCY, Level.PROVINCE])
    return scope_filter(
        queryset, scope, agency_field="agency_id", province_field="province_id"
    )


def unit_agencies_sql(source: str, name: str = "unit_agencies") -> str:
    """Every (level, unit_id) the invitations of an agency with rows in `source`
    count for: the agency, its province and that province's 2025 successor,
    their regions, and the nation (0); each pair once. Agencies without
    invitations are left out, so that a national export does not pair each of
    its unit-periods with thousands of agencies that add nothing. `name` names
    the pairs (and `<name>_inviting` the agencies), so that two sources can
    share a statement."""
    agency, province = Agency._meta.db_table, Province._meta.db_table
    return f"""
{name}_inviting AS (
    SELECT a.id, a.province_id FROM {agency} a
    WHERE EXISTS (SELECT 1 FROM {source} s WHERE s.agency_id = a.id)
),
{name} (level, unit_id, agency_id) AS (
    SELECT {Level.AGENCY}, a.id, a.id FROM {name}_inviting a
    UNION SELECT {Level.PROVINCE}, a.province_id, a.id FROM {name}_inviting a
        WHERE a.province_id IS NOT NULL
    UNION SELECT {Level.PROVINCE}, p.successor_id, a.id
        FROM {name}_inviting a JOIN {province} p ON p.id = a.province_id
        WHERE p.successor_id IS NOT NULL
    UNION SELECT {Level.REGION}, p.region_id, a.id
        FROM {name}_inviting a JOIN {province} p ON p.id = a.province_id
        WHERE p.region_id IS NOT NULL
    UNION SELECT {Level.REGION}, s.region_id, a.id
        FROM {name}_inviting a JOIN {province} p ON p.id = a.province_id
        JOIN {province} s ON s.id = p.successor_id
        WHERE s.region_id IS NOT NULL
    UNION SELECT {Level.NATION}, 0, a.id FROM {name}_inviting a
)"""


# The unit-periods asked for, as arrays: one statement whatever their number
# (one UNION ALL branch per row once overflowed PostgreSQL's stack).
_ASKED = """
asked AS (
    SELECT * FROM unnest(
        CAST(string_to_array(%(levels)s, ',') AS integer[]),
        CAST(string_to_array(%(units)s, ',') AS integer[]),
        CAST(string_to_array(%(kinds)s, ',') AS integer[]),
        CAST(string_to_array(%(keys)s, ',') AS integer[])
    ) AS k (level, unit_id, period_kind, period_key)
)"""
# Each unit-period of `asked` with its bounds, in local time and in days.
PERIOD_BOUNDS = f"""
keys AS (
    SELECT level, unit_id, period_kind, period_key,
           CAST(starts AS timestamp) AT TIME ZONE %(zone)s AS starts,
           CAST(starts + length AS timestamp) AT TIME ZONE %(zone)s AS stops,
           starts AS start_day, CAST(starts + length AS date) AS stop_day
    FROM (
        SELECT asked.*,
            CASE period_kind
                WHEN {PeriodKind.MONTH}
                    THEN make_date(period_key / 100, period_key %% 100, 1)
                WHEN {PeriodKind.QUARTER}
                    THEN make_date(period_key / 10, (period_key %% 10) * 3 - 2, 1)
                ELSE make_date(period_key, 1, 1) END AS starts,
            CASE period_kind
                WHEN {PeriodKind.MONTH} THEN INTERVAL '1 month'
                WHEN {PeriodKind.QUARTER} THEN INTERVAL '3 months'
                ELSE INTERVAL '1 year' END AS length
        FROM asked
    ) periods
)"""
_KEYS = _ASKED + "," + PERIOD_BOUNDS


def sipas_batch(alias: str) -> str:
    """The invitation batch `alias` opens SIPAS (another questionnaire's batch
    names its code)."""
    return f"{alias}.questionnaire_code = ''"


def sipas_use(alias: str) -> str:
    """The used invitation `alias` was not issued for another questionnaire."""
    return f"""NOT EXISTS (
    SELECT 1 FROM {InvitationBatch._meta.db_table} other
    WHERE other.id = {alias}.batch_id AND other.questionnaire_code <> '')"""


def issued_select(agencies: str) -> str:
    """SIPAS invitations issued by agencies of each unit within each period,
    per unit-period of `keys` (those with none are left out), `agencies` being
    the CTE of unit_agencies_sql: the scorecard is SIPAS's, and another
    questionnaire's invitations are its own."""
    return f"""
SELECT k.level, k.unit_id, k.period_kind, k.period_key, SUM(b.count) AS n
FROM keys k
JOIN {agencies} u ON u.level = k.level AND u.unit_id = k.unit_id
JOIN {InvitationBatch._meta.db_table} b
  ON b.agency_id = u.agency_id AND b.created_at >= k.starts
 AND b.created_at < k.stops AND {sipas_batch("b")}
GROUP BY k.level, k.unit_id, k.period_kind, k.period_key"""


def answered_select(agencies: str) -> str:
    """SIPAS invitations used (answered) at agencies of each unit within each
    period, per unit-period of `keys` (those with none are left out). A use
    keeps only its day, so that it cannot be joined to the response's time."""
    return f"""
SELECT k.level, k.unit_id, k.period_kind, k.period_key, COUNT(*) AS n
FROM keys k
JOIN {agencies} u ON u.level = k.level AND u.unit_id = k.unit_id
JOIN {UsedInvitation._meta.db_table} i
  ON i.agency_id = u.agency_id
 AND i.used_on >= k.start_day AND i.used_on < k.stop_day
WHERE {sipas_use("i")}
GROUP BY k.level, k.unit_id, k.period_kind, k.period_key"""


def issued_invitations_sql() -> str:
    """Issued SIPAS invitations (issued_select) per unit-period asked for."""
    return f"""
WITH {_KEYS}, {unit_agencies_sql(InvitationBatch._meta.db_table)}
{issued_select("unit_agencies")}
"""


def answered_invitations_sql() -> str:
    """Answered SIPAS invitations (answered_select) per unit-period asked for."""
    return f"""
WITH {_KEYS}, {unit_agencies_sql(UsedInvitation._meta.db_table)}
{answered_select("unit_agencies")}
"""


def response_rates(rows: Iterable[IndicatorValue]) -> dict[tuple, tuple[int, int]]:
    """(issued, answered) invitations per (level, unit_id, period_kind,
    period_key) of the given rows (a page of the scorecard)."""
    return response_rates_for(
        keys={(r.level, r.unit_id, r.period_kind, r.period_key) for r in rows}
    )


def response_rates_for(*, keys: Iterable[tuple]) -> dict[tuple, tuple[int, int]]:
    """(issued, answered) invitations per (level, unit_id, period_kind,
    period_key) asked for, counted in SQL: issued in the period, answered in the
    period (local time), by agencies of the unit. Two statements whatever their
    number."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    # Period bounds are computed in SQL, and the ids sent as four strings:
    # quoting arrays of one value per unit-period was most of a national export's
    # time in psycopg.
    params = {
        name: ",".join(str(key[index]) for key in keys)
        for index, name in enumerate(("levels", "units", "kinds", "keys"))
    }
    params["zone"] = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(issued_invitations_sql(), params)
        issued = {tuple(row[:4]): int(row[4]) for row in cursor.fetchall()}
        cursor.execute(answered_invitations_sql(), params)
        answered = {tuple(row[:4]): int(row[4]) for row in cursor.fetchall()}
    return {key: (issued.get(key, 0), answered.get(key, 0)) for key in keys}


Key = tuple[int, int, int, int]  # level, unit_id, period_kind, period_key


def scorecard_figures(*, user, keys: list[Key]) -> dict[Key, dict]:
    """The three indicators of each unit-period of `keys` (visible to `user`),
    as {key: {"name_vi", "decimals", "<indicator>_<field>"...}}, and the average
    handling time: a few set-based queries for any number of keys (the page
    itself annotates with a subquery per indicator and field, fine for 100
    rows, minutes for a national export)."""
    definition = dossier_definition()
    if definition is None or not keys:
        return {}
    wanted = set(keys)
    kinds = {key[2] for key in wanted}
    levels = {key[0] for key in wanted}
    figures = (
        indicator_values_for(user=user)
        .filter(
            definition=definition,
            indicator__in=INDICATORS,
            period_kind__in=kinds,
            level__in=levels,
        )
        .order_by()
        .values_list(
            "level",
            "unit_id",
            "period_kind",
            "period_key",
            "indicator",
            "name_vi",
            *FIELDS,
        )
    )
    rows: dict[Key, dict] = {}
    for level, unit_id, kind, key, indicator, name, *fields in figures.iterator(
        chunk_size=5000
    ):
        unit_period = (level, unit_id, kind, key)
        if unit_period not in wanted:
            continue
        row = rows.setdefault(
            unit_period, {"name_vi": name, "decimals": definition.decimals}
        )
        for field, figure in zip(FIELDS, fields, strict=True):
            row[f"{indicator}_{field}"] = figure
    handling = (
        DossierCount.objects.filter(
            period_kind__in=kinds, level__in=levels, resolved__gt=0
        )
        .order_by()
        .values_list(
            "level", "unit_id", "period_kind", "period_key", "handling_days", "resolved"
        )
    )
    for level, unit_id, kind, key, days, resolved in handling.iterator(chunk_size=5000):
        row = rows.get((level, unit_id, kind, key))
        if row is not None:
            row["handling_days"] = days / resolved
    return rows
