"""A second questionnaire beside SIPAS collects answers on its own: its link and
QR code, its invitations, its paper-import template and columns. SIPAS stays
the default of every page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import signing
from django.urls import reverse

from surveys.models import InvitationBatch, Questionnaire, Response
from surveys.selectors import reference_cache_clear
from surveys.services.invitations import SALT
from surveys.services.questionnaires import questionnaire_publish
from tests.surveys import test_admin
from tests.surveys.authoring import draft_with, submit
from tests.surveys.test_admin import urls_for
from tests.surveys.test_views import form_data

HEALTH_TITLE = "Khảo sát sự hài lòng về dịch vụ y tế"


login = test_admin.login  # the admin tests' fixture


@pytest.fixture(autouse=True)
def quick_and_unlimited(settings):
    settings.SURVEY_MIN_FILL_SECONDS = 5
    settings.SURVEY_RATE_LIMIT = 1000


@pytest.fixture
def health(questionnaire) -> Questionnaire:
    return questionnaire_publish(
        questionnaire=draft_with({"A": ["A1", "A2"], "B": ["B1"]})
    )


def test_the_qr_code_and_poster_open_the_questionnaire_asked_for(
    login,
    son_la_official,
    son_la_centre,
    health,
    settings,  # noqa: F811
):
    settings.SITE_URL = "https://khaosat.example.gov.vn"
    client = login(son_la_official)
    png, svg, poster, _ = urls_for(son_la_centre)
    own = "https://khaosat.example.gov.vn/s/14-centre/q/health/"
    image = client.get(svg, {"questionnaire": "health"})
    assert own in image.content.decode()
    assert 'filename="survey-14-centre-health.svg"' in image["Content-Disposition"]
    page = client.get(poster, {"questionnaire": "health"}).content.decode()
    assert own in page and HEALTH_TITLE in page
    assert "?questionnaire=health" in page  # its PNG and SVG
    # SIPAS by default, and the poster offers both questionnaires.
    sipas = client.get(poster).content.decode()
    assert "https://khaosat.example.gov.vn/s/14-centre/</p>" in sipas
    assert 'href="?questionnaire=health"' in sipas
    assert 'filename="survey-14-centre.png"' in client.get(png)["Content-Disposition"]
    assert client.get(png, {"questionnaire": "nope"}).status_code == 404


def test_invitations_of_another_questionnaire_open_it_and_count_for_it(
    login,
    client,
    son_la_official,
    son_la_centre,
    health,  # noqa: F811
):
    invitations = urls_for(son_la_centre)[3]
    form = login(son_la_official).get(invitations).content.decode()
    assert HEALTH_TITLE in form and 'name="questionnaire"' in form
    result = client.post(
        invitations,
        {"questionnaire": "health", "channel": 1, "count": 2, "output": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(result.content.decode())))
    batch = InvitationBatch.objects.get()
    assert batch.questionnaire_code == "health"
    client.logout()

    path = "/" + rows[0]["đường dẫn"].split("://", 1)[1].split("/", 1)[1]
    page = client.get(path).content.decode()
    assert HEALTH_TITLE in page and 'name="q-A1"' in page
    assert page.count('class="criterion') == 3
    sent = client.post(path.rstrip("/") + "/send/", form_data(page, health, value=5))
    assert sent.status_code == 302, sent.content.decode()[:2000]
    response = Response.objects.get()
    assert response.questionnaire == health
    assert batch.used.count() == 1


def test_sipas_invitations_stay_as_they_were(
    login,
    son_la_official,
    son_la_centre,
    questionnaire,  # noqa: F811
):
    result = login(son_la_official).post(
        urls_for(son_la_centre)[3], {"channel": 1, "count": 1, "output": "csv"}
    )
    link = next(csv.DictReader(io.StringIO(result.content.decode())))["đường dẫn"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert "q" not in signing.loads(token, salt=SALT)
    assert InvitationBatch.objects.get().questionnaire_code == ""


def test_the_paper_import_takes_the_questionnaire_asked_for(
    login,
    son_la_official,
    son_la_centre,
    health,  # noqa: F811
):
    client = login(son_la_official)
    url = reverse("admin:surveys_response_import")
    page = client.get(url, {"questionnaire": "health"}).content.decode()
    assert "import/template.csv?questionnaire=health" in page
    assert "<code>A1</code>" in page and "<code>ACCESS_1</code>" not in page
    template = client.get(
        reverse("admin:surveys_response_import_template", args=["csv"]),
        {"questionnaire": "health"},
    )
    assert "mau-nhap-phieu-giay_health_" in template["Content-Disposition"]
    body = template.content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(body)))
    assert {"A1", "A2", "B1"} <= set(header) and "ACCESS_1" not in header
    upload = io.BytesIO(body.encode())
    upload.name = "health.csv"
    done = client.post(url + "?questionnaire=health", {"file": upload})
    assert done.status_code == 200
    assert Response.objects.get().questionnaire == health
    # The same file is not SIPAS's: its columns are refused there.
    upload = io.BytesIO(body.encode())
    upload.name = "health.csv"
    refused = client.post(url, {"file": upload}).content.decode()
    assert "errornote" in refused
    assert Response.objects.count() == 1
    assert client.get(url, {"questionnaire": "nope"}).status_code == 404


def test_the_responses_list_filters_by_questionnaire(
    login, son_la_official, son_la_centre, questionnaire, health
):
    submit(health, son_la_centre, {"A1": 5, "A2": 5, "B1": 5})
    submit(questionnaire, son_la_centre, dict.fromkeys(_codes(questionnaire), 4))
    changelist = reverse("admin:surveys_response_changelist")
    asked = {"questionnaire__id__exact": health.pk}
    page = login(son_la_official).get(changelist, asked)
    assert page.status_code == 200
    listed = page.content.decode()
    (health_response,) = Response.objects.filter(questionnaire=health)
    (sipas_response,) = Response.objects.filter(questionnaire=questionnaire)
    assert str(health_response.uid) in listed
    assert str(sipas_response.uid) not in listed


def _codes(questionnaire: Questionnaire) -> list[str]:
    return list(questionnaire.criteria.values_list("code", flat=True))


def test_a_template_asks_the_respondents_profile_only_where_the_questionnaire_does(
    login,
    son_la_official,
    son_la_centre,
    health,  # noqa: F811
):
    client = login(son_la_official)
    template = reverse("admin:surveys_response_import_template", args=["csv"])

    def header(questionnaire: str) -> list[str]:
        body = client.get(template, {"questionnaire": questionnaire}).content
        return next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    assert {"gender", "age_band"} <= set(header("health"))
    Questionnaire.objects.filter(pk=health.pk).update(asks_about_respondent=False)
    reference_cache_clear()  # questionnaires are read through the cache
    short = header("health")
    assert "gender" not in short and "age_band" not in short
    assert short[-1] == "suggestion" and {"A1", "A2", "B1"} <= set(short)
    page = client.get(
        reverse("admin:surveys_response_import"), {"questionnaire": "health"}
    ).content.decode()
    assert "<code>gender</code>" not in page
    assert (
        "<code>gender</code>"
        in client.get(reverse("admin:surveys_response_import")).content.decode()
    )
