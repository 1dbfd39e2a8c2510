"""Scoring follows the questionnaire: a published version gets its scoring
definition before its first figures, carried over from the previous version by
codes, and a second questionnaire's figures stay its own."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from indicators.engine.pipeline import rollup_refresh
from indicators.models import IndicatorValue, Level, PeriodKind, ScoringDefinition
from indicators.services import scoring_definitions_follow
from surveys.models import Channel, Source
from surveys.services import response_submit
from surveys.services.questionnaires import (
    questionnaire_new_draft,
    questionnaire_publish,
)
from tests.surveys.authoring import draft_with


def test_a_new_version_carries_the_definition_over_by_codes(questionnaire):
    first = ScoringDefinition.objects.get(questionnaire=questionnaire, is_current=True)
    first.criterion_weights = {"ACCESS_1": 2, "FEEDBACK_4": 1, "RESULT_1": 1}
    first.satisfied_levels = [5]
    first.save()
    draft = questionnaire_new_draft(questionnaire=questionnaire)
    draft.criteria.filter(code="FEEDBACK_4").delete()
    draft.criteria.filter(code="ACCESS_2").update(text_vi="Khu vực chờ rộng rãi")
    second = questionnaire_publish(questionnaire=draft)

    (created,) = scoring_definitions_follow()
    assert created.questionnaire == second and created.is_current
    assert (created.code, created.version) == (first.code, first.version + 1)
    assert created.satisfied_levels == [5]
    assert created.criterion_weights == {"ACCESS_1": 2, "RESULT_1": 1}
    # The new definition is the code's current one; the earlier one keeps its
    # questionnaire and figures.
    first.refresh_from_db()
    assert not first.is_current and first.questionnaire == questionnaire
    assert scoring_definitions_follow() == []


# Committed, as responses are: a refresh folds what other transactions committed.
@pytest.mark.django_db(transaction=True)
def test_a_new_questionnaire_has_its_own_figures_from_the_first_refresh(
    son_la_centre, questionnaire
):
    health = questionnaire_publish(
        questionnaire=draft_with({"A": ["A1", "A2"], "B": ["B1"]})
    )
    response_submit(
        uid=uuid.uuid4(),
        questionnaire=health,
        agency=son_la_centre,
        procedure=None,
        channel=Channel.IN_PERSON,
        source=Source.API,
        answers={"A1": 5, "A2": 4, "B1": 2},
        responded_on=dt.date(2026, 3, 2),
    )
    rollup_refresh()

    definition = ScoringDefinition.objects.get(questionnaire=health, is_current=True)
    assert (definition.code, definition.satisfied_levels) == ("health", [4, 5])
    figure = IndicatorValue.objects.get(
        definition=definition,
        level=Level.AGENCY,
        unit_id=son_la_centre.id,
        period_kind=PeriodKind.YEAR,
        period_key=2026,
    )
    assert figure.respondents == 1
    # Elements weigh equally: A is 100% satisfied, B 0%.
    assert round(figure.value, 2) == 50.0
    # SIPAS has no response, hence no figure: nothing of health is counted there.
    assert not IndicatorValue.objects.filter(
        definition__questionnaire=questionnaire
    ).exists()
