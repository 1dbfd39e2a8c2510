"""Reading indicator figures. Every read takes the user, and narrows through
`surveys.scope`, the one place where staff scoping is decided."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    QuerySet,
)
from django.http import Http404

from indicators.engine.periods import period_info
from indicators.models import (
    CriterionCount,
    Indicator,
    IndicatorValue,
    Level,
    PeriodKind,
)
from indicators.versions import criteria_pooled
from surveys.models import Criterion, Province
from surveys.reference import DEFAULT_QUESTIONNAIRE
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
    queryset = IndicatorValue.objects.select_related("definition__questionnaire")
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
    pooled = criteria_pooled(questionnaire_id=definition.questionnaire_id)
    rows = CriterionCount.objects.filter(
        level=value.level,
        unit_id=value.unit_id,
        period_kind=value.period_kind,
        period_key=value.period_key,
        criterion_id__in=list(pooled),
    ).values_list("criterion_id", "n0", "n1", "n2", "n3", "n4", "n5")
    # The answers of earlier versions count with the criterion of the same code.
    summed: dict[int, list[int]] = {}
    for pk, *counts in rows:
        total = summed.setdefault(pooled[pk].counts_for, [0] * 6)
        for level, count in enumerate(counts):
            total[level] += count
    criteria = {}
    for own in Criterion.objects.filter(pk__in=list(summed)).order_by("position"):
        code, counts = own.code, summed[own.pk]
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


def other_map_figures(*, user, value: IndicatorValue) -> list[IndicatorValue]:
    """A province figure's counterparts on the other map, as far as `user` may
    see them: a 2008 province's 2025 successor, or a 2025 unit's 2008
    predecessors, for the same indicator, definition and period."""
    if value.level != Level.PROVINCE:
        return []
    province = Province.objects.filter(pk=value.unit_id).first()
    if province is None:
        return []
    if province.successor_id:
        others = [province.successor_id]
    else:
        others = list(province.predecessors.values_list("id", flat=True))
    if not others:
        return []
    return list(
        indicator_values_for(
            user=user,
            indicator=value.indicator,
            definition_id=value.definition_id,
            level=Level.PROVINCE,
            unit_id__in=others,
            period_kind=value.period_kind,
            period_key=value.period_key,
        ).order_by("name_vi")
    )


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


def below_target_for(
    *, user, year: int, level: int, questionnaire: str = DEFAULT_QUESTIONNAIRE
) -> QuerySet[IndicatorValue]:
    """Satisfaction figures of one questionnaire (code) under their target in a
    year, of one level, under the current scoring definitions, furthest under it
    first: provinces of that year's map, or agencies, regions, the nation, as
    far as `user` may see."""
    queryset = indicator_values_for(
        user=user,
        indicator=Indicator.SATISFACTION,
        period_kind=PeriodKind.YEAR,
        period_key=year,
        status=IndicatorValue.Status.BELOW,
        definition__is_current=True,
        definition__questionnaire__code=questionnaire,
        level=level,
    )
    if level == Level.PROVINCE:
        queryset = queryset.filter(map=period_info(kind=PeriodKind.YEAR, key=year).map)
    return queryset.order_by((F("value") - F("threshold")).asc(), "name_vi", "id")


def previous_values(
    *, values: list[IndicatorValue]
) -> dict[tuple[int, int, int], float | None]:
    """The figure of the period before each of `values` (same unit, indicator,
    definition and kind of period), by (definition, level, unit_id): one query for
    a page. Read across scopes on purpose: only units of `values`, which the
    caller read through a scoped selector."""
    if not values:
        return {}
    first = values[0]
    previous = period_info(kind=first.period_kind, key=first.period_key).previous
    rows = IndicatorValue.objects.filter(
        indicator=first.indicator,
        definition_id__in={v.definition_id for v in values},
        level__in={v.level for v in values},
        unit_id__in={v.unit_id for v in values},
        period_kind=first.period_kind,
        period_key=previous,
    ).values_list("definition_id", "level", "unit_id", "value")
    return {(d, level, unit): value for d, level, unit, value in rows}


def weakest_criteria(
    *, values: list[IndicatorValue], count: int = 3
) -> dict[int, list[dict]]:
    """For each satisfaction figure of `values` (by id): the `count` criteria with
    the lowest share of satisfied answers, lowest first, each {"code", "text_vi",
    "text_en", "value"} (percent); read from the rollup in one query for a page
    of figures of one period."""
    figures = [v for v in values if v.indicator == Indicator.SATISFACTION]
    if not figures:
        return {}
    first = figures[0]
    by_unit = {(v.level, v.unit_id, v.definition.questionnaire_id): v for v in figures}
    rows = CriterionCount.objects.filter(
        level__in={v.level for v in figures},
        unit_id__in={v.unit_id for v in figures},
        period_kind=first.period_kind,
        period_key=first.period_key,
    ).values_list(
        "level",
        "unit_id",
        "criterion__questionnaire_id",
        "criterion__code",
        "criterion__text_vi",
        "criterion__text_en",
        "n1",
        "n2",
        "n3",
        "n4",
        "n5",
    )
    shares: dict[int, list[dict]] = {}
    for level, unit_id, questionnaire_id, code, text_vi, text_en, *counts in rows:
        value = by_unit.get((level, unit_id, questionnaire_id))
        answered = sum(counts)
        if value is None or not answered:
            continue
        levels = {int(n) for n in value.definition.satisfied_levels}
        satisfied = sum(counts[n - 1] for n in levels)
        shares.setdefault(value.pk, []).append(
            {
                "code": code,
                "text_vi": text_vi,
                "text_en": text_en,
                "value": 100.0 * satisfied / answered,
            }
        )
    return {
        pk: sorted(items, key=lambda item: (item["value"], item["code"]))[:count]
        for pk, items in shares.items()
    }
