"""Hostile and broken submissions to the public API: each gets a 4xx that names
what is wrong, and nothing is stored. The corpus is kept here, one case a line."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from surveys.models import Response
from tests.surveys.helpers import all_answers

URL = "/api/v1/responses/"


pytestmark = pytest.mark.usefixtures("roomy_rate_limit")


def post(client, body: bytes | str, content_type: str = "application/json"):
    return client.post(URL, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en")


def changed(payload: dict, **changes) -> str:
    return json.dumps({**payload, **changes})


def with_answers(payload: dict, **answers) -> str:
    return json.dumps({**payload, "answers": {**payload["answers"], **answers}})


def without(payload: dict, name: str) -> str:
    return json.dumps({k: v for k, v in payload.items() if k != name})


DEEP = "[" * 100_000 + "]" * 100_000

# (case, body made from a valid payload, status, what the answer must mention)
CORPUS = [
    # wrong types
    ("uid a number", lambda p: changed(p, uid=12), 400, "uid"),
    ("uid not a uuid", lambda p: changed(p, uid="robert'); --"), 400, "uid"),
    ("answers a string", lambda p: changed(p, answers="5555"), 400, "answers"),
    ("answers a list", lambda p: changed(p, answers=[5, 5]), 400, "answers"),
    ("answer a string", lambda p: with_answers(p, ACCESS_1="5"), 400, "ACCESS_1"),
    ("answer a fraction", lambda p: with_answers(p, ACCESS_1=4.5), 400, "ACCESS_1"),
    ("answer a boolean", lambda p: with_answers(p, ACCESS_1=True), 400, "ACCESS_1"),
    ("answer an object", lambda p: with_answers(p, ACCESS_1={"v": 5}), 400, "ACCESS_1"),
    ("channel a number", lambda p: changed(p, channel=1), 400, "channel"),
    ("agency a list", lambda p: changed(p, agency=["14-centre"]), 400, "agency"),
    ("date a number", lambda p: changed(p, responded_on=20250101), 400, "responded_on"),
    ("date in words", lambda p: changed(p, responded_on="yesterday"), 400,
     "responded_on"),
    ("suggestion an object", lambda p: changed(p, suggestion={"a": 1}), 400,
     "suggestion"),
    ("profile not a code", lambda p: changed(p, gender="robot"), 400, "gender"),
    ("body a list", lambda p: "[1, 2]", 400, "Expected a dictionary"),
    ("body a string", lambda p: '"hello"', 400, "Expected a dictionary"),
    ("body null", lambda p: "null", 400, "No data provided"),
    ("body NaN", lambda p: changed(p).replace('"ACCESS_1": 4', '"ACCESS_1": NaN'), 400,
     "NaN"),
    ("not JSON", lambda p: "{'uid': 1}", 400, "JSON parse error"),
    # values off the scale
    ("answer 6", lambda p: with_answers(p, ACCESS_1=6), 400, "ACCESS_1"),
    ("answer -1", lambda p: with_answers(p, ACCESS_1=-1), 400, "ACCESS_1"),
    ("answer huge", lambda p: with_answers(p, ACCESS_1=10**40), 400, "ACCESS_1"),
    ("answer 5000 digits", lambda p: changed(p).replace('"ACCESS_1": 4',
     '"ACCESS_1": 1' + "0" * 5000), 400, "digits"),
    ("answer 1e999", lambda p: changed(p).replace('"ACCESS_1": 4', '"ACCESS_1": 1e999'),
     400, "ACCESS_1"),
    ("date in the future", lambda p: changed(p, responded_on="9999-12-31"), 400,
     "future"),
    ("date long ago", lambda p: changed(p, responded_on="0001-01-01"), 400, "past"),
    # unknown or duplicated criteria
    ("unknown criterion", lambda p: with_answers(p, ACCESS_99=3), 400, "ACCESS_99"),
    ("criterion in HTML", lambda p: with_answers(p, **{"<b>x</b>": 3}), 400,
     "Unknown criterion"),
    ("duplicated criterion", lambda p: changed(p).replace('"ACCESS_1": 4',
     '"ACCESS_1": 4, "ACCESS_1": 1'), 400, "ACCESS_1"),
    ("duplicated field", lambda p: changed(p)[:-1] + ', "agency": "22-centre"}', 400,
     "agency"),
    # missing required fields
    *[
        (f"no {name}", lambda p, n=name: without(p, n), 400, name)
        for name in ("uid", "questionnaire", "agency", "channel", "answers")
    ],
    ("required criterion left out", lambda p: with_answers(p, RESULT_4=None), 400,
     "RESULT_4"),
    ("empty object", lambda p: "{}", 400, "answers"),
    ("empty body", lambda p: "", 400, "uid"),
    # size, nesting, encoding
    ("a 10 MB body", lambda p: changed(p, suggestion="x" * 10_000_000), 413,
     "too large"),
    ("deeply nested JSON", lambda p: DEEP, 400, "nested too deeply"),
    ("deeply nested answers", lambda p: changed(p, answers=json.loads("[" * 500 +
     "]" * 500)), 400, "answers"),
    ("invalid UTF-8", lambda p: changed(p).encode().replace(b"Th", b"\xff\xfe"), 400,
     "UTF-8"),
    ("UTF-16", lambda p: changed(p).encode("utf-16"), 400, "UTF-8"),
    # control characters in free text
    ("NUL in the suggestion", lambda p: changed(p, suggestion="a\x00b"), 400,
     "suggestion"),
    ("terminal escape", lambda p: changed(p, suggestion="\x1b[31mred\x1b[0m"), 400,
     "control characters"),
    ("bell and backspace", lambda p: changed(p, suggestion="ok\x07\x08"), 400,
     "control characters"),
    ("C1 control", lambda p: changed(p, suggestion="o\x9bk"), 400,
     "control characters"),
    ("suggestion too long", lambda p: changed(p, suggestion="x" * 1001), 400,
     "1000 characters"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "mentions"),
    [pytest.param(*case[1:], id=case[0]) for case in CORPUS],
)
def test_a_bad_payload_gets_a_4xx_naming_the_problem_and_stores_nothing(
    client, valid, body, status, mentions
):
    result = post(client, body(valid))
    assert result.status_code == status, result.content[:500]
    assert result["Content-Type"].startswith("application/json")
    assert mentions in result.content.decode("unicode_escape", errors="replace")
    assert not Response.objects.exists()


def test_a_body_that_is_not_json_is_refused_by_its_media_type(client, valid):
    result = post(client, json.dumps(valid), content_type="text/plain")
    assert result.status_code == 415
    assert "text/plain" in result.json()["detail"]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('xss')</script>",
        "'; DROP TABLE surveys_response; --",
        '" OR 1=1 --',
        "<img src=x onerror=alert(1)>",
        "Dòng một\nDòng hai\tcó tab",
    ],
)
def test_html_and_sql_in_free_text_are_stored_as_text_and_show_escaped_in_admin(
    client, valid, text, son_la_official
):
    result = post(client, changed(valid, suggestion=text))
    assert result.status_code == 201, result.content
    stored = Response.objects.get(uid=valid["uid"])
    assert stored.suggestion == text
    client.force_login(son_la_official)
    page = client.get(f"/admin/surveys/response/{stored.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    if "<" in text:
        assert text not in html
        assert text.replace("<", "&lt;").replace(">", "&gt;")[:12] in html
    assert "suggestion" in html.lower() or "góp ý" in html.lower()


def test_free_text_the_form_sends_back_is_escaped_on_the_page(
    client, questionnaire, son_la_centre
):
    page = client.get(f"/s/{son_la_centre.code}/")
    form = page.context["form"]
    data = {
        "uid": str(uuid.uuid4()),
        "started": form.initial["started"],
        "channel": "1",
        "suggestion": "<script>alert(1)</script>\x1b[31m",
        **{f"q-{code}": "4" for code in all_answers(questionnaire)},
    }
    client.cookies["django_language"] = "en"
    result = client.post(f"/s/{son_la_centre.code}/", data)
    assert result.status_code == 400
    html = result.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "control characters" in html
    assert not Response.objects.exists()


def test_a_10_mb_form_post_is_refused_with_413_saying_why(client, son_la_centre):
    result = client.post(
        f"/s/{son_la_centre.code}/",
        {"uid": str(uuid.uuid4()), "suggestion": "x" * 10_000_000},
    )
    assert result.status_code == 413
    # The page speaks Vietnamese unless the citizen asks otherwise.
    assert "Yêu cầu quá lớn" in result.content.decode()
    assert not Response.objects.exists()


def test_the_survey_form_refuses_a_post_without_its_csrf_token(
    questionnaire, son_la_centre
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    result = browser.post(f"/s/{son_la_centre.code}/", {"uid": str(uuid.uuid4())})
    assert result.status_code == 403
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["year=0.0", "year=0", "year=10000", "year=2025.5", "year=abc",
     "province_id=0.5", "period=1e300", "agency_id=99999999999", "definition=-1"],
)  # fmt: skip
def test_a_filter_value_the_column_cannot_hold_is_a_400_not_a_500(
    client, national_admin, query
):
    client.force_login(national_admin)
    result = client.get(f"/api/v1/indicators/?{query}")
    assert result.status_code == 400
    assert query.split("=")[0] in result.json()


@pytest.mark.parametrize("credentials", ["na\x00me:pw", "name:p\x00w"])
def test_basic_credentials_with_a_nul_character_are_refused_not_a_500(
    client, credentials
):
    token = base64.b64encode(credentials.encode()).decode()
    result = client.get(
        "/api/v1/indicators/",
        HTTP_AUTHORIZATION=f"Basic {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # 403 rather than 401: session authentication comes first and sends no
    # WWW-Authenticate challenge.
    assert result.status_code == 403
    assert "Invalid username/password" in result.json()["detail"]
