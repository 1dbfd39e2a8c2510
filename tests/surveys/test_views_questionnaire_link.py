"""Another questionnaire than SIPAS has its own link beside the agency's default
one: /s/<agency code>/q/<questionnaire code>/."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from surveys.models import Questionnaire, Response
from surveys.services.questionnaires import questionnaire_publish, questionnaire_retire
from tests.surveys.authoring import draft_with
from tests.surveys.helpers import api_payload
from tests.surveys.test_views import form_data


@pytest.fixture(autouse=True)
def quick_and_unlimited(settings):
    settings.SURVEY_MIN_FILL_SECONDS = 5
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


def test_a_published_questionnaire_is_answered_at_its_own_link(
    client, son_la_centre, questionnaire
):
    draft = draft_with({"A": ["A1"], "B": ["B1"], "C": ["C1"]})
    link = f"/s/{son_la_centre.code}/q/health/"
    assert client.get(link).status_code == 404  # not before it is published

    questionnaire_publish(questionnaire=draft)
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Khảo sát sự hài lòng về dịch vụ y tế" in html
    assert html.count('class="criterion') == 3
    assert f'action="{link}send/"' in html

    sent = client.post(f"{link}send/", form_data(html, draft, value=5))
    assert sent.status_code == 302
    assert sent["Location"] == f"/s/{son_la_centre.code}/thanks/"
    stored = Response.objects.get()
    assert (stored.questionnaire_id, stored.answers) == (draft.pk, "555")

    # The agency's own link still opens the platform's questionnaire.
    default = client.get(f"/s/{son_la_centre.code}/").content.decode()
    assert default.count('class="criterion') == 23

    questionnaire_retire(questionnaire=draft)
    assert client.get(link).status_code == 404
    assert client.get(f"/s/{son_la_centre.code}/q/no-such-survey/").status_code == 404


def test_a_questionnaire_may_leave_out_the_questions_about_the_respondent(
    client, son_la_centre
):
    draft = draft_with({"A": ["A1"]})
    Questionnaire.objects.filter(pk=draft.pk).update(asks_about_respondent=False)
    questionnaire_publish(questionnaire=draft)
    link = f"/s/{son_la_centre.code}/q/health/"
    html = client.get(link).content.decode()
    assert 'id="about-you"' not in html and 'name="gender"' not in html
    assert client.post(f"{link}send/", form_data(html, draft)).status_code == 302

    read = client.get("/api/v1/questionnaires/health/").json()
    assert read["optional_questions"] == {}
    payload = api_payload(draft, son_la_centre, answers={"A1": 4})
    refused = client.post(
        "/api/v1/responses/", payload, content_type="application/json"
    )
    assert refused.status_code == 400
    assert set(refused.json()) >= {"gender", "respondent_type", "age_band"}
