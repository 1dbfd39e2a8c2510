"""Reading indicator figures. Every read takes the user, and narrows through
`surveys.scope`, the one place where staff scoping is decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from indicators.models import (
    AgencyBacklog,
    CriterionCount,
    Indicator,
    IndicatorValue,
    Level,
    PeriodKind,
    Reconciliation,
    RollupState,
)
from indicators.values import period_info
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


def latest_period_key(*, user, period_kind: int) -> int | None:
    """The latest period of a kind among the figures `user` may see."""
    return (
        indicator_values_for(user=user, period_kind=period_kind)
        .order_by()
        .aggregate(latest=Max("period_key"))["latest"]
    )


def period_keys_for(*, user, period_kind: int) -> list[int]:
    """The periods of a kind that have figures `user` may see, latest first.

    Every answer and dossier counts for the nation, so the nation's figures (a few
    per period) list every period with figures; each is then checked against what
    the user may see through an index, instead of reading every figure."""
    visible = indicator_values_for(user=user, period_kind=period_kind).filter(
        period_key=OuterRef("period_key")
    )
    return list(
        IndicatorValue.objects.filter(level=Level.NATION, period_kind=period_kind)
        .filter(Exists(visible))
        .order_by("-period_key")
        .values_list("period_key", flat=True)
        .distinct()
    )


def indicator_value_visible(*, user, pk: int) -> IndicatorValue:
    """One figure `user` may see; 404 otherwise, as if it did not exist."""
    value = indicator_values_for(user=user, pk=pk).first()
    if value is None:
        raise Http404
    return value


def figure_criteria(*, value: IndicatorValue) -> dict[str, dict]:
    """The criteria of a figure read through `indicator_value_visible`:
    {code: {"value", "n", "counts" [does not apply, 1..5]}}, in questionnaire
    order.

    Satisfaction figures do not store them: they are read from the unit-period's
    criterion counts, the rollup the figure was computed from (one indexed read of
    a row per criterion). Writing them into every figure was over a third of the
    cost of computing figures, for a detail read one figure at a time. They are the
    counts as of now, which a pending refresh may not have brought into the
    figure yet. Other indicators keep theirs on the figure."""
    if value.indicator != Indicator.SATISFACTION:
        return value.criteria
    definition = value.definition
    satisfied = sorted({int(level) for level in definition.satisfied_levels})
    rows = (
        CriterionCount.objects.filter(
            level=value.level,
            unit_id=value.unit_id,
            period_kind=value.period_kind,
            period_key=value.period_key,
            criterion__questionnaire_id=definition.questionnaire_id,
        )
        .order_by("criterion__position")
        .values_list("criterion__code", "n0", "n1", "n2", "n3", "n4", "n5")
    )
    criteria = {}
    for code, *counts in rows:
        n = sum(counts[1:])
        criteria[code] = {
            "value": sum(counts[level] for level in satisfied) * 100.0 / n
            if n
            else None,
            "n": n,
            "counts": counts,
        }
    return criteria


def indicator_trend(*, user, value: IndicatorValue, limit: int = 12) -> list:
    """The same unit's figures of the same kind of period, oldest first, up to
    `value`'s period: the points of its trend chart."""
    rows = indicator_values_for(
        user=user,
        indicator=value.indicator,
        definition_id=value.definition_id,
        level=value.level,
        unit_id=value.unit_id,
        period_kind=value.period_kind,
        period_key__lte=value.period_key,
    ).order_by("-period_key")[:limit]
    return list(reversed(rows))


def province_averages(
    *, user, value: IndicatorValue, period_keys: list[int]
) -> dict[int, dict]:
    """Per period: the mean of the provinces' indices in `value`'s region and in
    the nation (the published averages: unweighted means of provinces, in the map
    of `value`'s unit), None for a mean `user` may not see, whose area is then
    named in "withheld" ("region", "national").

    Averages are read across scopes on purpose: an official compares their unit
    with its region and the nation, and sees only the two means, never another
    unit's figure (`comparison_averages_withheld`)."""
    base = IndicatorValue.objects.filter(
        indicator=value.indicator,
        definition_id=value.definition_id,
        level=Level.PROVINCE,
        period_kind=value.period_kind,
        period_key__in=period_keys,
        value__isnull=False,
    )
    if value.map is not None:
        base = base.filter(map=value.map)
    national = dict(
        base.values("period_key")
        .annotate(mean=Avg("value"))
        .values_list("period_key", "mean")
        .order_by()
    )
    region: dict[int, float] = {}
    if value.region_id is not None:
        region = dict(
            base.filter(region_id=value.region_id)
            .values("period_key")
            .annotate(mean=Avg("value"))
            .values_list("period_key", "mean")
            .order_by()
        )
    points = {value.period_key: value}
    points.update(
        (v.period_key, v)
        for v in IndicatorValue.objects.filter(
            indicator=value.indicator,
            definition_id=value.definition_id,
            level=value.level,
            unit_id=value.unit_id,
            period_kind=value.period_kind,
            period_key__in=period_keys,
        )
    )
    withheld = comparison_averages_withheld(user=user, values=points.values())
    averages = {}
    for key in period_keys:
        point = points.get(key, value)
        hidden = [
            area
            for area in ("region", "national")
            if average_key(point, area=area) in withheld
        ]
        averages[key] = {
            "region": None if "region" in hidden else region.get(key),
            "national": None if "national" in hidden else national.get(key),
            "withheld": hidden,
        }
    return averages


def average_key(value: IndicatorValue, *, area: str) -> tuple:
    """Names the comparison average of `value` over `area` ("region" or
    "national"): the provinces of that area with a figure of the same indicator,
    definition and period, in `value`'s map (both maps for an agency)."""
    region = value.region_id if area == "region" else None
    return (
        value.indicator,
        value.definition_id,
        value.period_kind,
        value.period_key,
        value.map,
        area,
        region,
    )


def _period_published(value: IndicatorValue) -> bool:
    """Whether `value`'s period is published, which makes its averages public.
    Nothing is published yet."""
    return False


GROUP = ("indicator", "definition_id", "period_kind", "period_key", "map", "region_id")


def comparison_averages_withheld(*, user, values: Iterable[IndicatorValue]) -> set:
    """The comparison averages of `values` (`average_key`: their region's and the
    nation's means of provinces) that `user` may not see.

    A mean that pools the user's own provinces with fewer than two others gives
    the figure of a unit outside their scope by arithmetic (a two-province
    region: twice the mean less one's own figure), so it is withheld until its
    period is published. National administrators see every average. One query
    for any number of figures."""
    scope = scope_for(user)
    values = [v for v in values if not _period_published(v)]
    if scope.everything or not values:
        return set()
    # Provinces with a figure in the periods of `values`, outside the user's
    # scope, per area: the others each mean pools.
    rows = (
        IndicatorValue.objects.filter(
            level=Level.PROVINCE,
            value__isnull=False,
            indicator__in={v.indicator for v in values},
            definition_id__in={v.definition_id for v in values},
            period_kind__in={v.period_kind for v in values},
            period_key__in={v.period_key for v in values},
        )
        .exclude(province_id__in=scope.province_ids)
        .values(*GROUP)
        .annotate(n=Count("id"))
        .values_list(*GROUP, "n")
        .order_by()
    )
    others: Counter = Counter()
    for *period, province_map, region_id, n in rows:
        # Agencies' figures have no map: their means pool both maps.
        for map_ in (province_map, None):
            others[(*period, map_, "region", region_id)] += n
            others[(*period, map_, "national", None)] += n
    withheld = set()
    for value in values:
        areas = ("region", "national") if value.region_id else ("national",)
        for area in areas:
            key = average_key(value, area=area)
            if others[key] < 2:
                withheld.add(key)
    return withheld


def below_target_for(*, user, year: int) -> QuerySet[IndicatorValue]:
    """Units below target in a year, under the current scoring definitions:
    provinces of that year's map and agencies, by region, level, then value."""
    province_map = period_info(kind=PeriodKind.YEAR, key=year).map
    return (
        indicator_values_for(
            user=user,
            period_kind=PeriodKind.YEAR,
            period_key=year,
            status=IndicatorValue.Status.BELOW,
            definition__is_current=True,
            level__in=[Level.PROVINCE, Level.AGENCY],
        )
        .filter(Q(level=Level.AGENCY) | Q(map=province_map))
        .order_by(
            F("region_id").asc(nulls_last=True), "-level", "value", "name_vi", "id"
        )
    )


@dataclass(frozen=True)
class RefreshStatus:
    refreshed_at: datetime | None
    rebuilt_at: datetime | None
    reconciliation: Reconciliation | None
    # Responses counted for the provinces and above, not yet for their agencies.
    agency_backlog: int = 0


def refresh_status() -> RefreshStatus:
    """When figures were last refreshed, what is still to be counted for the
    agencies, and what the last reconciliation found. Operational state of the
    whole platform, the same for every user."""
    backlog = AgencyBacklog.objects.order_by().values(n=Func(F("id"), function="COUNT"))
    # The backlog is counted in the same query as the state row.
    state = RollupState.objects.filter(pk=1).annotate(backlog=Subquery(backlog)).first()
    return RefreshStatus(
        refreshed_at=state.refreshed_at if state else None,
        rebuilt_at=state.rebuilt_at if state else None,
        reconciliation=Reconciliation.objects.order_by("-checked_at").first(),
        agency_backlog=state.backlog if state else 0,
    )


def indicator_units_counted() -> dict[int, int]:
    """How many units of each level have figures: for the commands' report, so
    unscoped (a command runs with no user)."""
    rows = (
        IndicatorValue.objects.values("level")
        .annotate(units=Count("unit_id", distinct=True))
        .values_list("level", "units")
    )
    return dict(rows)
