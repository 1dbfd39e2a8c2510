"""No parameter of the indicator API makes a 500: a page or page size that is not
a positive whole number is refused in JSON, as the schema says."""

from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from config.views import server_error

URL = "/api/v1/indicators/"


@pytest.fixture
def api(national_admin) -> APIClient:
    client = APIClient()
    client.force_authenticate(national_admin)
    return client


@pytest.mark.parametrize(
    "page",
    ["1000000000000000000", "99999999999999999999999", "0", "-1", "abc", "1.5",
     "\u0663", "1_000", "", "2"],
)  # fmt: skip
def test_a_page_that_does_not_exist_is_a_json_404(api, page):
    answer = api.get(URL, {"page": page})
    assert answer.status_code == 404, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json()["detail"]


@pytest.mark.parametrize("size", ["0", "-5", "abc", "1e3", "", "9" * 40])
def test_a_page_size_below_one_or_not_a_number_is_a_json_400(api, size):
    answer = api.get(URL, {"page_size": size})
    assert answer.status_code == 400
    assert "page_size" in answer.json()


def test_a_page_size_above_the_maximum_gives_the_maximum(api):
    answer = api.get(URL, {"page_size": "100000", "page": "1"})
    assert answer.status_code == 200
    assert answer.json()["results"] == []


def test_an_unknown_api_address_is_a_json_404(api):
    answer = api.get("/api/v1/nothing-here/")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."} or answer.json()["detail"]


@override_settings(LANGUAGE_CODE="en")
def test_an_error_of_the_server_on_the_api_is_json(rf):
    answer = server_error(rf.get("/api/v1/indicators/"))
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("application/json")
    page = server_error(rf.get("/admin/"))
    assert page.status_code == 500


def test_the_schema_says_what_the_api_does(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    figure = schema["components"]["schemas"]["IndicatorValue"]["properties"]
    assert figure["rank_national_position"].get("nullable") is True
    assert figure["rank_region_position"].get("nullable") is True
    listing = schema["paths"][URL]["get"]
    sizes = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert sizes["page_size"]["minimum"] == 1 and sizes["page"]["minimum"] == 1
    assert {"400", "404"} <= set(listing["responses"])
    submit = schema["paths"]["/api/v1/responses/"]["post"]
    assert {"400", "415", "429"} <= set(submit["responses"])
    assert "unknown questionnaire or agency code is a 400" in submit["description"]
    errors = schema["components"]["schemas"]["FieldErrors"]["properties"]
    assert {"agency", "questionnaire", "suggestion"} <= set(errors)
    reading = schema["components"]["schemas"]["Questionnaire"]
    assert "started" in reading["required"]
