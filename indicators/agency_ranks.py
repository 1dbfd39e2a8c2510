"""Where an agency's figure stands: its rank among its province's agencies and
among agencies of its kind, read for a whole page of figures in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from indicators.models import IndicatorValue, Level
from surveys.models import Agency


@dataclass(frozen=True)
class AgencyRank:
    """An agency's place among the agencies of its province, and among agencies
    of the same kind (e.g. provincial service centres) of the same map."""

    province: int | None
    province_of: int | None
    kind: int
    kind_of: int


def agency_ranks_sql() -> str:
    """Ranks of agency figures by their published (rounded) figure, best first,
    standard competition ranking, among the figures of the same period,
    indicator and definition: within their province, and within agencies of
    the same kind and map. Only the periods of the ids asked for are read, and
    only figures with respondents are ranked, as provinces are; the ids asked
    for are kept."""
    figures = IndicatorValue._meta.db_table
    agencies = Agency._meta.db_table
    definitions = IndicatorValue._meta.get_field("definition").related_model
    rounded = "ROUND(CAST(v.value AS NUMERIC), d.decimals)"
    same = "v.indicator, v.definition_id, v.period_kind, v.period_key"
    return f"""
SELECT id, rp, rp_of, rk, rk_of FROM (
    SELECT v.id,
        RANK() OVER (PARTITION BY {same}, v.province_id ORDER BY {rounded} DESC)
            AS rp,
        COUNT(*) OVER (PARTITION BY {same}, v.province_id) AS rp_of,
        RANK() OVER (PARTITION BY {same}, a.kind, v.map ORDER BY {rounded} DESC)
            AS rk,
        COUNT(*) OVER (PARTITION BY {same}, a.kind, v.map) AS rk_of
    FROM {figures} v JOIN {agencies} a ON a.id = v.agency_id
    JOIN {definitions._meta.db_table} d ON d.id = v.definition_id
    WHERE v.level = {Level.AGENCY} AND v.value IS NOT NULL AND v.respondents > 0
      AND ({same}) IN (
        SELECT DISTINCT w.indicator, w.definition_id, w.period_kind, w.period_key
        FROM {figures} w WHERE w.id = ANY(%(ids)s)
      )
) ranked WHERE id = ANY(%(ids)s)
"""


def agency_ranks(*, values: list[IndicatorValue]) -> dict[int, AgencyRank]:
    """Ranks of the agency figures among `values` (by id), in one query whatever
    the periods on the page. Ranks are read across scopes on purpose: an
    official sees where their agency stands, never another agency's figure."""
    asked = [
        value
        for value in values
        if value.level == Level.AGENCY and value.value is not None
    ]
    if not asked:
        return {}
    in_province = {v.pk for v in asked if v.province_id is not None}
    ranks: dict[int, AgencyRank] = {}
    with connection.cursor() as cursor:
        cursor.execute(agency_ranks_sql(), {"ids": [v.pk for v in asked]})
        for pk, rp, rp_of, rk, rk_of in cursor.fetchall():
            ranks[pk] = AgencyRank(
                province=rp if pk in in_province else None,
                province_of=rp_of if pk in in_province else None,
                kind=rk,
                kind_of=rk_of,
            )
    return ranks
