"""Changing indicator configuration: scoring definitions and targets.

Computing figures is in `indicators.engine`.
"""

from __future__ import annotations

from django.db import transaction

from indicators.models import (
    Indicator,
    ScoringDefinition,
    Target,
)
from surveys.models import Questionnaire
from surveys.reference import DEFAULT_QUESTIONNAIRE

DEFAULT_SCORING_CODE = "sipas-default"

# Government targets for public administrative services (percent). The year is the
# first year a threshold applies; it holds until a later one replaces it.
DEFAULT_TARGETS = [
    (Indicator.SATISFACTION, 2020, 80.0, "Trên 80% vào năm 2020"),
    (Indicator.SATISFACTION, 2023, 85.0, "Trên 85% năm 2023"),
    (Indicator.SATISFACTION, 2025, 95.0, "Trên 95% đến năm 2025"),
    (Indicator.ON_TIME, 2023, 90.0, "Hồ sơ giải quyết đúng hạn trên 90%"),
    (Indicator.ONLINE, 2023, 50.0, "50% sử dụng dịch vụ trực tuyến đến cuối 2023"),
]


@transaction.atomic
def scoring_defaults_load() -> ScoringDefinition | None:
    """Make sure the default definition ("sipas-default" v1: levels 4 and 5 count
    as satisfied, equal weights, two decimals) exists for the current SIPAS
    service questionnaire; it becomes current only when the questionnaire has no
    current definition. Idempotent; None when the questionnaire is not loaded."""
    questionnaire = Questionnaire.objects.filter(
        code=DEFAULT_QUESTIONNAIRE, is_current=True
    ).first()
    if questionnaire is None:
        return None
    definition = ScoringDefinition.objects.filter(
        code=DEFAULT_SCORING_CODE, version=1
    ).first()
    if definition is not None:
        return definition
    has_current = ScoringDefinition.objects.filter(
        questionnaire=questionnaire, is_current=True
    ).exists()
    return ScoringDefinition.objects.create(
        code=DEFAULT_SCORING_CODE,
        version=1,
        questionnaire=questionnaire,
        satisfied_levels=[4, 5],
        element_weights={},
        criterion_weights={},
        decimals=2,
        is_current=not has_current,
    )


@transaction.atomic
def targets_defaults_load() -> int:
    """Create the government targets that are missing (satisfaction 80% from 2020,
    85% from 2023, 95% from 2025; on time 90% and online 50% from 2023, all levels).
    Targets already present are left as an administrator set them. Returns the
    number created."""
    created = 0
    for indicator, year, threshold, note in DEFAULT_TARGETS:
        _, was_created = Target.objects.get_or_create(
            indicator=indicator,
            year=year,
            level=None,
            defaults={"threshold": threshold, "note": note},
        )
        created += was_created
    return created


@transaction.atomic
def scoring_definition_create(
    *,
    code: str,
    questionnaire: Questionnaire,
    satisfied_levels: list[int] | None = None,
    element_weights: dict[str, float] | None = None,
    criterion_weights: dict[str, float] | None = None,
    decimals: int = 2,
    make_current: bool = True,
) -> ScoringDefinition:
    """Add the next version of a scoring definition. Made current, it is the one
    later refreshes compute with; figures of earlier versions are kept, and the
    new version has figures once `figures_rebuild(definition=...)` runs."""
    levels = sorted(set(satisfied_levels or [4, 5]))
    if any(not 1 <= level <= 5 for level in levels):
        raise ValueError(f"satisfied levels must be within 1 to 5, got {levels!r}")
    last = (
        ScoringDefinition.objects.select_for_update()
        .filter(code=code)
        .order_by("-version")
        .first()
    )
    if make_current:
        ScoringDefinition.objects.filter(
            questionnaire=questionnaire, is_current=True
        ).update(is_current=False)
    return ScoringDefinition.objects.create(
        code=code,
        version=(last.version + 1) if last else 1,
        questionnaire=questionnaire,
        satisfied_levels=levels,
        element_weights=element_weights or {},
        criterion_weights=criterion_weights or {},
        decimals=decimals,
        is_current=make_current,
    )


@transaction.atomic
def scoring_definition_set_current(definition: ScoringDefinition) -> None:
    """Make `definition` the one later refreshes compute with for its
    questionnaire (there is exactly one current definition per questionnaire)."""
    ScoringDefinition.objects.filter(
        questionnaire_id=definition.questionnaire_id, is_current=True
    ).exclude(pk=definition.pk).update(is_current=False)
    definition.is_current = True
    definition.save(update_fields=["is_current"])


@transaction.atomic
def scoring_definitions_follow() -> list[ScoringDefinition]:
    """Give every current questionnaire version that has no current scoring
    definition one, before its first figures are computed; returns those created.

    A new version of a questionnaire carries over the current definition of its
    latest earlier version that has one (same code, next version; the same
    satisfied levels and decimals; the weights of the elements and criteria that
    keep their codes). A new questionnaire gets the default: levels 4 and 5,
    equal weights, two decimals, under its own code.

    A carried-over definition replaces the earlier one as the current
    definition of the questionnaire's code: its figures count the answers to
    the earlier versions too, criterion by code (`indicators.versions`), and
    the earlier figures stay under the earlier definition. Figures of two
    questionnaires are never mixed.
    """
    created = []
    for questionnaire in Questionnaire.objects.filter(is_current=True).exclude(
        scoring_definitions__is_current=True
    ):
        previous = (
            ScoringDefinition.objects.filter(
                questionnaire__code=questionnaire.code,
                questionnaire__version__lt=questionnaire.version,
                is_current=True,
            )
            .order_by("-questionnaire__version")
            .first()
        )
        if previous is None:
            created.append(
                scoring_definition_create(
                    code=questionnaire.code, questionnaire=questionnaire
                )
            )
            continue
        elements = set(questionnaire.elements.values_list("code", flat=True))
        criteria = set(questionnaire.criteria.values_list("code", flat=True))
        created.append(
            scoring_definition_create(
                code=previous.code,
                questionnaire=questionnaire,
                satisfied_levels=previous.satisfied_levels,
                element_weights={
                    k: w for k, w in previous.element_weights.items() if k in elements
                },
                criterion_weights={
                    k: w for k, w in previous.criterion_weights.items() if k in criteria
                },
                decimals=previous.decimals,
            )
        )
        ScoringDefinition.objects.filter(pk=previous.pk).update(is_current=False)
    return created
