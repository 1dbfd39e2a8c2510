from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from surveys.models import Response, Source
from tests.surveys.helpers import all_answers, api_payload

URL = "/api/v1/responses/"


@pytest.fixture(autouse=True)
def fresh_rate_counters(settings):
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(client):
    def post(payload, **headers):
        return client.post(URL, payload, content_type="application/json", **headers)

    return post


def test_it_stores_a_response_and_answers_201(api, questionnaire, son_la_centre):
    payload = api_payload(questionnaire, son_la_centre)
    payload["answers"]["ACCESS_2"] = 0
    result = api(payload)
    assert result.status_code == 201, result.json()
    stored = Response.objects.get(uid=payload["uid"])
    assert stored.source == Source.API
    assert stored.agency == son_la_centre
    assert stored.procedure.code == "HT-KS"
    assert stored.answers == "40" + "4" * 21
    assert stored.responded_on == timezone.localdate()
    assert stored.status == Response.Status.ACCEPTED and stored.flags == 0
    assert stored.gender == 1 and stored.age_band == 3 and stored.respondent_type == 1
    assert result.json()["uid"] == payload["uid"]


def test_a_retry_with_the_same_uid_answers_200_and_stores_one_row(
    api, questionnaire, son_la_centre
):
    payload = api_payload(questionnaire, son_la_centre)
    first = api(payload)
    again = api(payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Response.objects.filter(uid=payload["uid"]).count() == 1


def test_the_same_uid_with_other_answers_answers_409(api, questionnaire, son_la_centre):
    payload = api_payload(questionnaire, son_la_centre)
    assert api(payload).status_code == 201
    changed = {**payload, "answers": all_answers(questionnaire, 2)}
    result = api(changed)
    assert result.status_code == 409
    assert Response.objects.get(uid=payload["uid"]).answers == "4" * 23


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["answers"].update({"ACCESS_9": 3}), "answers"),
        (lambda p: p["answers"].update({"ACCESS_1": 6}), "answers"),
        (lambda p: p["answers"].update({"ACCESS_1": -1}), "answers"),
        (lambda p: p["answers"].update({"ACCESS_1": "5"}), "answers"),
        (lambda p: p["answers"].update({"ACCESS_1": True}), "answers"),
        (lambda p: p["answers"].pop("RESULT_4"), "answers"),
        (lambda p: p.update(answers=[5, 5]), "answers"),
        (lambda p: p.update(agency="nowhere"), "agency"),
        (lambda p: p.update(procedure="XX-NONE"), "procedure"),
        (lambda p: p.update(questionnaire="no-such-survey"), "questionnaire"),
        (lambda p: p.update(channel="fax"), "channel"),
        (lambda p: p.update(uid="not-a-uuid"), "uid"),
        (lambda p: p.update(gender="robot"), "gender"),
        (lambda p: p.update(suggestion="x" * 1001), "suggestion"),
        (
            lambda p: p.update(
                responded_on=str(timezone.localdate() + dt.timedelta(days=1))
            ),
            "responded_on",
        ),
        (lambda p: p.update(responded_on="31/12/2025"), "responded_on"),
        (lambda p: p.pop("agency"), "agency"),
    ],
)
def test_it_rejects_bad_input_naming_the_field(
    api, questionnaire, son_la_centre, change, field
):
    payload = api_payload(questionnaire, son_la_centre)
    change(payload)
    result = api(payload)
    assert result.status_code == 400
    assert field in result.json()
    assert not Response.objects.exists()


def test_errors_name_the_criterion_and_the_problem(api, questionnaire, son_la_centre):
    payload = api_payload(questionnaire, son_la_centre)
    payload["answers"]["ACCESS_9"] = 3
    payload["answers"]["ACCESS_1"] = 7
    del payload["answers"]["FEEDBACK_2"]
    errors = api(payload, HTTP_ACCEPT_LANGUAGE="en").json()["answers"]
    assert errors["ACCESS_9"] == ["Unknown criterion."]
    assert "not on the scale" in errors["ACCESS_1"][0]
    assert errors["FEEDBACK_2"] == ["Please answer this question."]
    assert set(errors) == {"ACCESS_9", "ACCESS_1", "FEEDBACK_2"}


def test_errors_come_in_the_language_of_the_request(api, questionnaire, son_la_centre):
    payload = {**api_payload(questionnaire, son_la_centre), "agency": "nowhere"}
    english = api(payload, HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = api(payload, HTTP_ACCEPT_LANGUAGE="vi")
    assert english.json()["agency"] == ["Unknown agency."]
    assert english["Content-Language"] == "en"
    assert vietnamese["Content-Language"] == "vi"


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", ""])
def test_a_response_is_stored_and_answered_in_json_whatever_the_client_accepts(
    api, questionnaire, son_la_centre, accept
):
    # A kiosk whose HTTP library asks for HTML or XML must not lose its
    # response to a 406: the endpoint has one representation, JSON.
    payload = api_payload(questionnaire, son_la_centre)
    result = api(payload, HTTP_ACCEPT=accept)
    assert result.status_code == 201
    assert result["Content-Type"] == "application/json"
    assert result.json()["uid"] == payload["uid"]
    assert Response.objects.filter(uid=payload["uid"]).exists()


def test_bad_input_is_answered_in_json_whatever_the_client_accepts(
    api, questionnaire, son_la_centre
):
    payload = api_payload(questionnaire, son_la_centre)
    payload["answers"]["ACCESS_1"] = 9
    result = api(payload, HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")
    assert result.status_code == 400
    assert result["Content-Type"] == "application/json"
    assert "ACCESS_1" in result.json()["answers"]


def test_it_accepts_a_past_service_date(api, questionnaire, son_la_centre):
    day = timezone.localdate() - dt.timedelta(days=3)
    payload = api_payload(questionnaire, son_la_centre, responded_on=str(day))
    assert api(payload).status_code == 201
    assert Response.objects.get(uid=payload["uid"]).responded_on == day


def test_it_needs_no_login_nor_csrf_token(questionnaire, son_la_centre):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    payload = api_payload(questionnaire, son_la_centre)
    result = strict.post(URL, payload, content_type="application/json")
    assert result.status_code == 201


def test_above_the_burst_threshold_responses_are_stored_flagged(
    api, questionnaire, son_la_centre, settings
):
    settings.SURVEY_RATE_LIMIT = 10
    settings.SURVEY_BURST_THRESHOLD = 2
    codes = [
        api(api_payload(questionnaire, son_la_centre)).status_code for _ in range(4)
    ]
    assert codes == [201] * 4
    flags = list(Response.objects.order_by("id").values_list("flags", "status"))
    burst, suspicious = Response.Flag.BURST, Response.Status.SUSPICIOUS
    accepted = Response.Status.ACCEPTED
    assert flags == [
        (0, accepted),
        (0, accepted),
        (burst, suspicious),
        (burst, suspicious),
    ]


def test_above_the_hard_limit_it_answers_429_and_stores_nothing(
    api, questionnaire, son_la_centre, settings
):
    settings.SURVEY_RATE_LIMIT = 2
    settings.SURVEY_BURST_THRESHOLD = 2
    accepted = [api_payload(questionnaire, son_la_centre) for _ in range(2)]
    assert [api(p).status_code for p in accepted] == [201, 201]
    refused = api(api_payload(questionnaire, son_la_centre))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= settings.SURVEY_RATE_WINDOW_SECONDS
    assert Response.objects.count() == 2
    # A retry of a stored response still gets its answer.
    assert api(accepted[0]).status_code == 200


def test_other_clients_are_not_limited_by_one(
    api, questionnaire, son_la_centre, settings
):
    settings.SURVEY_RATE_LIMIT = 1
    assert api(api_payload(questionnaire, son_la_centre)).status_code == 201
    other = api(api_payload(questionnaire, son_la_centre), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 201


def test_the_questionnaire_reads_in_vietnamese_and_english(client, questionnaire):
    vi = client.get("/api/v1/questionnaires/sipas-service/?lang=vi").json()
    en = client.get("/api/v1/questionnaires/sipas-service/?lang=en").json()
    assert vi["version"] == en["version"] == questionnaire.version
    assert [e["code"] for e in vi["elements"]] == [
        "ACCESS",
        "PROCEDURE",
        "OFFICIAL",
        "RESULT",
        "FEEDBACK",
    ]
    first_vi, first_en = (
        vi["elements"][0]["criteria"][0],
        en["elements"][0]["criteria"][0],
    )
    assert first_vi["code"] == first_en["code"] == "ACCESS_1"
    assert first_vi["text"].startswith("Nơi tiếp nhận")
    assert first_en["text"].startswith("The reception")
    assert en["scale"][0] == {"value": 1, "label": "Very dissatisfied"}
    assert en["scale"][-1] == {"value": 0, "label": "Does not apply"}
    assert "citizen" in en["optional_questions"]["respondent_type"]


def test_an_unknown_questionnaire_is_404(client, db):
    assert client.get("/api/v1/questionnaires/nothing/").status_code == 404


def test_the_schema_documents_every_status(client, db):
    schema = client.get("/api/v1/schema/?format=json").json()
    post = schema["paths"]["/api/v1/responses/"]["post"]["responses"]
    assert set(post) >= {"200", "201", "400", "409", "429", "503"}
    get = schema["paths"]["/api/v1/questionnaires/{code}/"]["get"]["responses"]
    assert set(get) >= {"200", "404", "503"}


def test_reference_data_is_read_once_per_process_and_edits_are_seen_at_once(
    api, questionnaire, son_la_centre
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert api(api_payload(questionnaire, son_la_centre)).status_code == 201
    second = api_payload(questionnaire, son_la_centre)
    with CaptureQueriesContext(connection) as queries:
        assert api(second).status_code == 201
    reads = [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT")]
    reference = ("surveys_agency", "surveys_questionnaire", "surveys_criterion")
    assert not [sql for sql in reads if any(name in sql for name in reference)]

    son_la_centre.active = False
    son_la_centre.save()
    refused = api(api_payload(questionnaire, son_la_centre))
    assert refused.status_code == 400
    assert "agency" in refused.json()
