"""Reading what a publication freezes: the year's units, their counts per criterion,
the scoring definition and the target, from the indicators' tables.

Only reads; `results.services.publication_create` writes the snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from indicators.engine.periods import period_info
from indicators.models import (
    CriterionCount,
    Indicator,
    IndicatorValue,
    Level,
    PeriodKind,
    RollupState,
    ScoringDefinition,
    Target,
)
from indicators.versions import criteria_pooled
from surveys.models import Agency, Element, Province, Region
from surveys.reference import DEFAULT_QUESTIONNAIRE

LEVEL_NAMES = {
    Level.NATION: "nation",
    Level.REGION: "region",
    Level.PROVINCE: "province",
    Level.AGENCY: "agency",
}
NATION_CODE = "VN"


@dataclass
class UnitCounts:
    """One unit of the year, as read from the figures and the rollup."""

    level: str
    code: str
    name_vi: str
    name_en: str
    respondents: int
    region_code: str = ""
    province_code: str = ""
    counts: dict[str, list[int]] = field(default_factory=dict)


COUNT_COLUMNS = ("n0", "n1", "n2", "n3", "n4", "n5")


def current_definition() -> ScoringDefinition:
    """The current scoring definition of the default questionnaire."""
    return ScoringDefinition.objects.select_related("questionnaire").get(
        questionnaire__code=DEFAULT_QUESTIONNAIRE,
        questionnaire__is_current=True,
        is_current=True,
    )


def definition_snapshot(definition: ScoringDefinition) -> dict:
    """The definition as a publication keeps it, with the elements and criteria of
    its questionnaire in order (names in both languages)."""
    elements = []
    for element in (
        Element.objects.filter(questionnaire_id=definition.questionnaire_id)
        .order_by("position")
        .prefetch_related("criteria")
    ):
        criteria = sorted(element.criteria.all(), key=lambda c: c.position)
        elements.append(
            {
                "code": element.code,
                "name_vi": element.name_vi,
                "name_en": element.name_en,
                "criteria": [
                    {"code": c.code, "text_vi": c.text_vi, "text_en": c.text_en}
                    for c in criteria
                ],
            }
        )
    return {
        "code": definition.code,
        "version": definition.version,
        "questionnaire": definition.questionnaire.code,
        "questionnaire_version": definition.questionnaire.version,
        "satisfied_levels": sorted(int(x) for x in definition.satisfied_levels),
        "element_weights": definition.element_weights or {},
        "criterion_weights": definition.criterion_weights or {},
        "decimals": definition.decimals,
        "elements": elements,
    }


def target_threshold(*, year: int, level: int) -> float | None:
    """The satisfaction target of a year for provinces: the latest year not after
    it, one for the level winning over one for all levels of the same year."""
    target = (
        Target.objects.filter(indicator=Indicator.SATISFACTION, year__lte=year)
        .filter(Q(level=level) | Q(level__isnull=True))
        .order_by("-year", "level")
        .first()
    )
    return None if target is None else target.threshold


def responses_cutoff():
    """When the figures last took in new responses."""
    state = RollupState.objects.filter(pk=1).first()
    return state.refreshed_at if state else None


def _unit_codes(
    values: list[IndicatorValue], province_map: int
) -> dict[tuple[int, int], dict]:
    """Codes of the units of `values`: own code, region code, province code. An
    agency of a 2008 province is listed under its 2025 successor on the 2025 map,
    as its figures are."""
    ids = defaultdict(set)
    for value in values:
        ids[value.level].add(value.unit_id)
        if value.province_id:
            ids[Level.PROVINCE].add(value.province_id)
    regions = dict(Region.objects.values_list("id", "code"))
    provinces = {
        p.id: p
        for p in Province.objects.filter(id__in=ids[Level.PROVINCE]).select_related(
            "successor"
        )
    }
    agencies = dict(
        Agency.objects.filter(id__in=ids[Level.AGENCY]).values_list("id", "code")
    )
    codes = {}
    for value in values:
        key = (value.level, value.unit_id)
        province = provinces.get(value.province_id or -1)
        region_id = value.region_id or (province.region_id if province else None)
        if value.level == Level.NATION:
            own = NATION_CODE
        elif value.level == Level.REGION:
            own = regions.get(value.unit_id, str(value.unit_id))
        elif value.level == Level.PROVINCE:
            own = provinces[value.unit_id].code
        else:
            own = agencies.get(value.unit_id, str(value.unit_id))
        if province is not None and province.map != province_map:
            province = province.successor or province
        codes[key] = {
            "code": own,
            "region_code": regions.get(region_id, "") if region_id else "",
            "province_code": province.code
            if province and value.level == Level.AGENCY
            else "",
        }
    return codes


def year_units(
    *, definition: ScoringDefinition, year: int, min_respondents: int
) -> list[UnitCounts]:
    """The year's units with at least `min_respondents`: the nation, the regions,
    the provinces of the year's map and the agencies, each with its counts per
    criterion. The nation's and regions' counts pool every province of any map."""
    province_map = period_info(kind=PeriodKind.YEAR, key=year).map
    values = list(
        IndicatorValue.objects.filter(
            indicator=Indicator.SATISFACTION,
            definition=definition,
            period_kind=PeriodKind.YEAR,
            period_key=year,
            respondents__gte=min_respondents,
        )
        .filter(~Q(level=Level.PROVINCE) | Q(map=province_map))
        .only(
            "level",
            "unit_id",
            "respondents",
            "name_vi",
            "name_en",
            "region_id",
            "province_id",
        )
    )
    codes = _unit_codes(values, province_map)
    units = {}
    for value in values:
        key = (value.level, value.unit_id)
        units[key] = UnitCounts(
            level=LEVEL_NAMES[value.level],
            name_vi=value.name_vi,
            name_en=value.name_en,
            respondents=value.respondents,
            **codes[key],
        )
    # The counts the figures were computed from: those of the definition's
    # version and, under the same criterion codes, of its earlier versions.
    pooled = criteria_pooled(questionnaire_id=definition.questionnaire_id)
    rows = CriterionCount.objects.filter(
        period_kind=PeriodKind.YEAR, period_key=year, criterion_id__in=list(pooled)
    ).values_list("level", "unit_id", "criterion_id", *COUNT_COLUMNS)
    for level, unit_id, pk, *counts in rows:
        unit = units.get((level, unit_id))
        if unit is not None:
            total = unit.counts.setdefault(pooled[pk].code, [0] * 6)
            for index, count in enumerate(counts):
                total[index] += count
    return list(units.values())
