"""Reading indicator figures. Every read takes the user, and narrows through
`surveys.scope`, the one place where staff scoping is decided."""

from __future__ import annotations

from django.db.models import F, QuerySet

from indicators.models import IndicatorValue, Level
from surveys.scope import scope_filter, scope_for


def indicator_values_for(*, user, **filters) -> QuerySet[IndicatorValue]:
    """The figures `user` may see, narrowed by `filters` (queryset lookups).

    Agency and province figures are scoped by `agency_id` and `province_id` (an
    agency's figures carry its province); region and nation figures are shown only
    to users who may see everything, since they pool units outside any narrower
    scope. Ordered for the usual lists: latest period first, then by level, map
    and national rank (unranked last), then name.
    """
    scope = scope_for(user)
    queryset = IndicatorValue.objects.select_related("definition")
    if scope.empty:
        return queryset.none()
    if not scope.everything:
        queryset = queryset.filter(level__in=[Level.AGENCY, Level.PROVINCE])
    queryset = scope_filter(
        queryset, scope, agency_field="agency_id", province_field="province_id"
    )
    return queryset.filter(**filters).order_by(
        "period_kind",
        "-period_key",
        "-level",
        "map",
        F("rank_national").asc(nulls_last=True),
        "name_vi",
        "id",
    )
