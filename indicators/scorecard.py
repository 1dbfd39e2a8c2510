"""Reading the scorecard: per unit and period, satisfaction, on time and online
with their targets and statuses, the average handling time, and the response
rate of the invitations. Takes the user and narrows through
`indicators.selectors`, hence `surveys.scope`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Exists, F, FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from indicators.dossier_values import dossier_definition
from indicators.models import DossierCount, Indicator, IndicatorValue, Level, Scorecard
from indicators.selectors import indicator_values_for
from indicators.values import period_info
from surveys.models import Agency, InvitationBatch, Province, UsedInvitation

INDICATORS = (Indicator.SATISFACTION, Indicator.ON_TIME, Indicator.ONLINE)
FIELDS = ("value", "threshold", "status", "respondents")


def _same_unit_period(model=IndicatorValue) -> QuerySet:
    return model.objects.filter(
        definition_id=OuterRef("definition_id"),
        level=OuterRef("level"),
        unit_id=OuterRef("unit_id"),
        period_kind=OuterRef("period_kind"),
        period_key=OuterRef("period_key"),
    )


def scorecard_for(*, user) -> QuerySet[Scorecard]:
    """One row per unit and period the user may see (the row of its first
    indicator present), annotated `<indicator>_<field>` for each indicator and
    `handling_days` (average, resolved dossiers of the period)."""
    definition = dossier_definition()
    if definition is None:
        return Scorecard.objects.none()
    visible = indicator_values_for(user=user).filter(
        definition=definition, indicator__in=INDICATORS
    )
    queryset = Scorecard.objects.filter(pk__in=visible.values("pk")).exclude(
        Exists(
            _same_unit_period().filter(
                indicator__in=INDICATORS, indicator__lt=OuterRef("indicator")
            )
        )
    )
    annotations = {}
    for indicator in INDICATORS:
        for field in FIELDS:
            annotations[f"{indicator.value}_{field}"] = Subquery(
                _same_unit_period().filter(indicator=indicator).values(field)[:1]
            )
    counts = DossierCount.objects.filter(
        level=OuterRef("level"),
        unit_id=OuterRef("unit_id"),
        period_kind=OuterRef("period_kind"),
        period_key=OuterRef("period_key"),
        resolved__gt=0,
    ).annotate(
        average=Cast(F("handling_days"), FloatField())
        / Cast(F("resolved"), FloatField())
    )
    annotations["handling_days"] = Subquery(counts.values("average")[:1])
    return queryset.annotate(**annotations)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _unit_agencies_sql() -> str:
    """Every (level, unit_id) an agency's invitations count for: the agency, its
    province and that province's 2025 successor, their regions, and the nation
    (0); each pair once."""
    agency, province = Agency._meta.db_table, Province._meta.db_table
    return f"""
unit_agencies (level, unit_id, agency_id) AS (
    SELECT {Level.AGENCY}, a.id, a.id FROM {agency} a
    UNION SELECT {Level.PROVINCE}, a.province_id, a.id FROM {agency} a
        WHERE a.province_id IS NOT NULL
    UNION SELECT {Level.PROVINCE}, p.successor_id, a.id
        FROM {agency} a JOIN {province} p ON p.id = a.province_id
        WHERE p.successor_id IS NOT NULL
    UNION SELECT {Level.REGION}, p.region_id, a.id
        FROM {agency} a JOIN {province} p ON p.id = a.province_id
        WHERE p.region_id IS NOT NULL
    UNION SELECT {Level.REGION}, s.region_id, a.id
        FROM {agency} a JOIN {province} p ON p.id = a.province_id
        JOIN {province} s ON s.id = p.successor_id
        WHERE s.region_id IS NOT NULL
    UNION SELECT {Level.NATION}, 0, a.id FROM {agency} a
)"""


# The unit-periods asked for, as arrays: one statement whatever their number
# (one UNION ALL branch per row once overflowed PostgreSQL's stack).
_KEYS = """
keys AS (
    SELECT * FROM unnest(
        CAST(%(levels)s AS integer[]), CAST(%(units)s AS integer[]),
        CAST(%(kinds)s AS integer[]), CAST(%(keys)s AS integer[]),
        CAST(%(starts)s AS timestamptz[]), CAST(%(stops)s AS timestamptz[])
    ) AS k (level, unit_id, period_kind, period_key, starts, stops)
)"""


def issued_invitations_sql() -> str:
    """Invitations issued by agencies of each unit within each period, per
    unit-period asked for (those with none are left out)."""
    return f"""
WITH {_KEYS}, {_unit_agencies_sql()}
SELECT k.level, k.unit_id, k.period_kind, k.period_key, SUM(b.count)
FROM keys k
JOIN unit_agencies u ON u.level = k.level AND u.unit_id = k.unit_id
JOIN {InvitationBatch._meta.db_table} b
  ON b.agency_id = u.agency_id AND b.created_at >= k.starts
 AND b.created_at < k.stops
GROUP BY k.level, k.unit_id, k.period_kind, k.period_key
"""


def answered_invitations_sql() -> str:
    """Invitations used (answered) at agencies of each unit within each period,
    per unit-period asked for (those with none are left out)."""
    return f"""
WITH {_KEYS}, {_unit_agencies_sql()}
SELECT k.level, k.unit_id, k.period_kind, k.period_key, COUNT(*)
FROM keys k
JOIN unit_agencies u ON u.level = k.level AND u.unit_id = k.unit_id
JOIN {UsedInvitation._meta.db_table} i
  ON i.agency_id = u.agency_id AND i.used_at >= k.starts AND i.used_at < k.stops
GROUP BY k.level, k.unit_id, k.period_kind, k.period_key
"""


def response_rates(rows: Iterable[IndicatorValue]) -> dict[tuple, tuple[int, int]]:
    """(issued, answered) invitations per (level, unit_id, period_kind,
    period_key) of the given rows (a page of the scorecard, or all of an
    export), counted in SQL: issued in the period, answered in the period, by
    agencies of the unit. Two statements whatever the number of rows."""
    keys = sorted({(r.level, r.unit_id, r.period_kind, r.period_key) for r in rows})
    if not keys:
        return {}
    params: dict[str, list] = {
        name: [] for name in ("levels", "units", "kinds", "keys", "starts", "stops")
    }
    for level, unit_id, kind, key in keys:
        info = period_info(kind=kind, key=key)
        params["levels"].append(level)
        params["units"].append(unit_id)
        params["kinds"].append(kind)
        params["keys"].append(key)
        params["starts"].append(_local_midnight(info.start))
        params["stops"].append(_local_midnight(info.end))
    with connection.cursor() as cursor:
        cursor.execute(issued_invitations_sql(), params)
        issued = {tuple(row[:4]): int(row[4]) for row in cursor.fetchall()}
        cursor.execute(answered_invitations_sql(), params)
        answered = {tuple(row[:4]): int(row[4]) for row in cursor.fetchall()}
    return {key: (issued.get(key, 0), answered.get(key, 0)) for key in keys}
