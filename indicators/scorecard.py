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


_UNIT_MATCH = f"""
CASE WHEN k.level = {Level.AGENCY} THEN a.id = k.unit_id
     WHEN k.level = {Level.PROVINCE}
         THEN (a.province_id = k.unit_id OR p.successor_id = k.unit_id)
     WHEN k.level = {Level.REGION}
         THEN (p.region_id = k.unit_id OR s.region_id = k.unit_id)
     ELSE 1 = 1 END
"""


def response_rates(rows: Iterable[IndicatorValue]) -> dict[tuple, tuple[int, int]]:
    """(issued, answered) invitations per (level, unit_id, period_kind,
    period_key) of the given rows (a page of the scorecard), counted in SQL:
    issued in the period, answered in the period, by agencies of the unit."""
    keys = {(r.level, r.unit_id, r.period_kind, r.period_key) for r in rows}
    if not keys:
        return {}
    # One array per column: a UNION of a SELECT per key nests too deep for the
    # parser once an export holds a few thousand keys ("stack depth exceeded").
    columns: list[list] = [[] for _ in range(8)]
    for level, unit_id, kind, key in sorted(keys):
        info = period_info(kind=kind, key=key)
        values = (
            level,
            unit_id,
            kind,
            key,
            _local_midnight(info.start),
            _local_midnight(info.end),
            info.start,
            info.end,
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    params = columns
    table = (
        "unnest(%s::integer[], %s::integer[], %s::integer[], %s::integer[],"
        " %s::timestamptz[], %s::timestamptz[], %s::date[], %s::date[])"
        " AS k (level, unit_id, period_kind, period_key, starts, stops,"
        " start_day, stop_day)"
    )
    units = (
        "surveys_agency a LEFT JOIN surveys_province p ON p.id = a.province_id"
        " LEFT JOIN surveys_province s ON s.id = p.successor_id"
    )
    sql = f"""
SELECT k.level, k.unit_id, k.period_kind, k.period_key,
  (SELECT COALESCE(SUM(b.count), 0) FROM surveys_invitationbatch b
     JOIN {units} ON a.id = b.agency_id
    WHERE {_UNIT_MATCH} AND b.created_at >= k.starts AND b.created_at < k.stops),
  (SELECT COUNT(*) FROM surveys_usedinvitation u
     JOIN {units} ON a.id = u.agency_id
    WHERE {_UNIT_MATCH} AND u.used_on >= k.start_day AND u.used_on < k.stop_day)
FROM {table}
"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {tuple(row[:4]): (row[4], row[5]) for row in cursor.fetchall()}
