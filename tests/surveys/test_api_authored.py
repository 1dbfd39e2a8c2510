"""An authored questionnaire through the API: read once published, answered, and
counted in its own figures after a refresh; drafts and retired versions answer
404."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from indicators.engine.pipeline import rollup_refresh
from indicators.models import IndicatorValue, Level, PeriodKind, ScoringDefinition
from surveys.models import Response
from surveys.services.questionnaires import questionnaire_publish, questionnaire_retire
from tests.surveys.authoring import draft_with
from tests.surveys.helpers import api_payload, stamp


@pytest.fixture(autouse=True)
def fresh_rate_counters(settings):
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


# Committed as a client's response is: the refresh folds only what other
# transactions committed.
@pytest.mark.django_db(transaction=True)
def test_a_three_element_questionnaire_is_read_answered_and_counted(
    client, son_la_centre
):
    draft = draft_with({"A": ["A1", "A2"], "B": ["B1"], "C": ["C1"]})
    draft.criteria.filter(code="B1").update(allows_not_applicable=False)
    reading = "/api/v1/questionnaires/health/"
    assert client.get(reading).status_code == 404  # a draft is not served

    questionnaire_publish(questionnaire=draft)
    read = client.get(reading, {"lang": "en"})
    assert read.status_code == 200
    body = read.json()
    assert (body["code"], body["version"]) == ("health", 1)
    assert [e["code"] for e in body["elements"]] == ["A", "B", "C"]
    b1 = body["elements"][1]["criteria"][0]
    assert (b1["code"], b1["text"], b1["not_applicable"]) == (
        "B1",
        "Question B1",
        False,
    )

    payload = api_payload(
        draft,
        son_la_centre,
        answers={"A1": 5, "A2": 5, "B1": 0, "C1": 1},
    )
    refused = client.post(
        "/api/v1/responses/", payload, content_type="application/json"
    )
    assert refused.status_code == 400
    assert list(refused.json()["answers"]) == ["B1"]

    # A new stamp, as a client reading again (a stamp is used once).
    payload = {
        **payload,
        "started": stamp(),
        "answers": {**payload["answers"], "B1": 4},
    }
    sent = client.post("/api/v1/responses/", payload, content_type="application/json")
    assert sent.status_code == 201, sent.json()
    stored = Response.objects.get(uid=payload["uid"])
    assert stored.status == Response.Status.ACCEPTED
    assert (stored.questionnaire_id, stored.answers) == (draft.pk, "5541")

    rollup_refresh()
    definition = ScoringDefinition.objects.get(questionnaire=draft, is_current=True)
    figure = IndicatorValue.objects.get(
        definition=definition,
        level=Level.AGENCY,
        unit_id=son_la_centre.id,
        period_kind=PeriodKind.YEAR,
        period_key=stored.responded_on.year,
    )
    # Three elements of equal weight: A and B satisfied, C not.
    assert (figure.respondents, round(figure.value, 2)) == (1, 66.67)

    questionnaire_retire(questionnaire=draft)
    assert client.get(reading).status_code == 404
    payload = api_payload(draft, son_la_centre, answers={"A1": 5})
    gone = client.post("/api/v1/responses/", payload, content_type="application/json")
    assert gone.status_code == 400
    assert "questionnaire" in gone.json()
    assert IndicatorValue.objects.filter(pk=figure.pk).exists()  # figures stay
