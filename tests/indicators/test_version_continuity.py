"""A new version of SIPAS with one reworded criterion: the figures of the other
criteria run on across the versions, the reworded one is apart (its own code),
and the elements and the overall follow the new version's criteria."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.engine.dossier_figures import dossier_figures_rebuild
from indicators.engine.figures import figures_rebuild
from indicators.engine.pipeline import rollup_refresh
from indicators.models import (
    DossierCount,
    Indicator,
    IndicatorValue,
    Level,
    PeriodKind,
    ScoringDefinition,
)
from indicators.selectors import figure_criteria
from results.services import publication_create
from surveys.models import Questionnaire
from surveys.services.questionnaires import (
    questionnaire_new_draft,
    questionnaire_publish,
)
from tests.surveys.authoring import submit

REWORDED = "ACCESS_2"
NEW_CODE = "ACCESS_2_WAITING"


def _answer(questionnaire: Questionnaire, agency, level: int) -> None:
    codes = questionnaire.criteria.values_list("code", flat=True)
    submit(
        questionnaire,
        agency,
        {code: level for code in codes},
        responded_on=dt.date(2026, 3, 2),
    )


def _year_figure(definition: ScoringDefinition, agency) -> IndicatorValue:
    return IndicatorValue.objects.get(
        definition=definition,
        level=Level.AGENCY,
        unit_id=agency.id,
        period_kind=PeriodKind.YEAR,
        period_key=2026,
    )


def _second_version(first: Questionnaire) -> Questionnaire:
    draft = questionnaire_new_draft(questionnaire=first)
    draft.criteria.filter(code=REWORDED).update(
        code=NEW_CODE,
        text_vi="Thời gian chờ đến lượt được phục vụ hợp lý",
        text_en="The wait to be served is reasonable",
    )
    return questionnaire_publish(questionnaire=draft)


@pytest.mark.django_db(transaction=True)
def test_a_reworded_criterion_is_apart_and_the_others_run_on(
    son_la_centre, questionnaire, settings
):
    # Every criterion satisfied in version 1, none in version 2, the same year.
    _answer(questionnaire, son_la_centre, 5)
    rollup_refresh()
    first = ScoringDefinition.objects.get(questionnaire=questionnaire)
    assert _year_figure(first, son_la_centre).value == pytest.approx(100.0)

    second = _second_version(questionnaire)
    _answer(second, son_la_centre, 1)
    rollup_refresh()

    current = ScoringDefinition.objects.get(
        is_current=True, questionnaire__code=second.code
    )
    assert current.questionnaire == second
    figure = _year_figure(current, son_la_centre)
    assert figure.respondents == 2
    criteria = figure_criteria(value=figure)
    # An unchanged criterion counts the answers of both versions.
    assert criteria["ACCESS_1"]["n"] == 2
    assert criteria["ACCESS_1"]["value"] == pytest.approx(50.0)
    # The reworded one counts only the answers to its new wording; the old
    # wording is not a criterion of the new version's figures.
    assert criteria[NEW_CODE]["n"] == 1
    assert criteria[NEW_CODE]["value"] == pytest.approx(0.0)
    assert REWORDED not in criteria
    assert list(criteria) == list(second.criteria.values_list("code", flat=True))

    # Elements: the mean of the new version's criteria, each over its answers.
    access = second.criteria.filter(element__code="ACCESS").values_list(
        "code", flat=True
    )
    expected_access = sum(criteria[code]["value"] for code in access) / len(access)
    assert figure.elements["ACCESS"]["value"] == pytest.approx(expected_access)
    assert expected_access < 50.0
    for element in second.elements.exclude(code="ACCESS"):
        assert figure.elements[element.code]["value"] == pytest.approx(50.0)
        assert figure.elements[element.code]["n"] == 2
    # The overall: the mean of the elements.
    values = [item["value"] for item in figure.elements.values()]
    assert figure.value == pytest.approx(sum(values) / len(values))

    # The first version's figure is kept as it was, under its own definition,
    # which is no longer the one lists show.
    first.refresh_from_db()
    assert not first.is_current
    kept = _year_figure(first, son_la_centre)
    assert (kept.respondents, kept.value) == (1, pytest.approx(100.0))

    # A publication of the year counts the same answers, and so reads the same.
    settings.INDICATOR_MIN_RESPONDENTS = 1
    published = publication_create(year=2026).figures.get(
        level="agency", code=son_la_centre.code
    )
    assert published.counts["ACCESS_1"] == [0, 1, 0, 0, 0, 1]
    assert REWORDED not in published.counts
    assert published.value == pytest.approx(figure.value)

    # A rebuild computes the same figures.
    figures_rebuild()
    rebuilt = _year_figure(current, son_la_centre)
    assert (rebuilt.respondents, rebuilt.value) == (2, pytest.approx(figure.value))
    assert rebuilt.elements == figure.elements


@pytest.mark.django_db(transaction=True)
def test_earlier_years_have_figures_under_the_new_definition_at_once(
    son_la_centre, questionnaire
):
    _answer(questionnaire, son_la_centre, 4)
    rollup_refresh()
    # Dossier figures sit under SIPAS's current definition too.
    DossierCount.objects.create(
        level=Level.NATION,
        unit_id=0,
        period_kind=PeriodKind.YEAR,
        period_key=2025,
        received=10,
        received_online=4,
        resolved=10,
        resolved_on_time=9,
    )
    dossier_figures_rebuild()
    second = _second_version(questionnaire)
    _answer(second, son_la_centre, 2)
    rollup_refresh()

    current = ScoringDefinition.objects.get(questionnaire=second)
    # The month of the first answers has its figure under the new definition.
    month = IndicatorValue.objects.get(
        definition=current,
        level=Level.NATION,
        unit_id=0,
        period_kind=PeriodKind.MONTH,
        period_key=202603,
    )
    assert month.respondents == 2
    on_time = IndicatorValue.objects.get(
        definition=current, indicator=Indicator.ON_TIME, level=Level.NATION
    )
    assert (on_time.period_key, on_time.value) == (2025, pytest.approx(90.0))
    assert (
        ScoringDefinition.objects.filter(
            is_current=True, questionnaire__code=questionnaire.code
        ).count()
        == 1
    )
