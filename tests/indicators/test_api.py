"""The staff API of indicator figures: filters, pagination, scope and refusals."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import IndicatorValue, Level
from surveys.models import Agency, Official, Province
from tests.indicators.engine.builders import centre, sipas_2022_figures

URL = "/api/v1/indicators/"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def sipas_2022(rollup, son_la):
    """The 63 provinces of 2022 (Sơn La 82.18%), each through its centre, and the
    Sơn La justice department with a handful of answers in 2023."""
    for province, hundredths in sipas_2022_figures(son_la).items():
        rollup.add_uniform(
            agency=centre(province),
            month=202209,
            rate=hundredths / 100,
            answered=5000,
        )
    rollup.add_uniform(
        agency=Agency.objects.get(code="14-stp"), month=202303, rate=75, answered=24
    )
    rollup.write()
    figures_refresh_dirty()


def _son_la_2022(son_la) -> IndicatorValue:
    return IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la.id, period_key=2022
    )


def test_the_national_list_of_2022_shows_son_la_17th_with_its_interval_and_target(
    sipas_2022, national_admin
):
    response = _client(national_admin).get(
        URL,
        {"level": "province", "period_kind": "year", "period": 2022, "map": 2008},
    )
    assert response.status_code == 200
    body = response.json()
    assert "count" not in body  # pages are not counted, see indicators/pagination
    assert len(body["results"]) == 50
    assert body["next"]
    ranks = [row["rank_national_position"] for row in body["results"][:3]]
    assert ranks == [1, 2, 3]
    son_la = next(row for row in body["results"] if row["name_vi"] == "Sơn La")
    assert son_la["value"] == 82.18
    assert son_la["rank_national"] == "17/63"
    assert son_la["rank_region"] == "5/14"
    assert son_la["national_average"] == 80.08
    assert son_la["diff_from_national_average"] == 2.1
    assert son_la["threshold"] == 80
    assert son_la["status"] == "meets"
    assert son_la["ci_low"] < 82.18 < son_la["ci_high"]
    assert son_la["definition"]["code"] == "sipas-default"

    second_page = _client(national_admin).get(body["next"]).json()
    assert len(second_page["results"]) == 13
    assert second_page["next"] is None and second_page["previous"]


def test_filters_by_region_status_and_year(sipas_2022, national_admin):
    client = _client(national_admin)
    north = client.get(
        URL,
        {
            "level": "province",
            "year": 2022,
            "period_kind": "year",
            "region": "TDMNPB",
            "map": 2008,
            "page_size": 500,
        },
    ).json()
    assert len(north["results"]) == 14
    insufficient = client.get(
        URL, {"status": "insufficient", "year": 2023, "level": "agency"}
    ).json()
    assert {row["name_vi"] for row in insufficient["results"]} == {"Sở Tư pháp Sơn La"}
    assert client.get(URL, {"status": "insufficient", "year": 2022}).json() == {
        "next": None,
        "previous": None,
        "results": [],
    }


def test_status_and_certainty_are_given_and_filter_the_list(sipas_2022, national_admin):
    client = _client(national_admin)
    query = {"level": "province", "year": 2022, "period_kind": "year", "map": 2008}
    below = client.get(URL, {**query, "status": "below", "page_size": 500}).json()
    expected = IndicatorValue.objects.filter(
        level=Level.PROVINCE, period_key=2022, period_kind=3, map=2008, value__lt=80
    )
    assert len(below["results"]) == expected.count() > 0
    row = below["results"][0]
    assert row["status"] == "below" and row["certainty"] in {"clear", "margin"}
    assert row["certainty_label"]
    margin = client.get(
        URL, {**query, "status": "below", "certainty": "margin", "page_size": 500}
    ).json()["results"]
    assert all(r["certainty"] == "margin" for r in margin)
    assert all(r["ci_high"] >= 80 > r["value_exact"] for r in margin)
    assert client.get(URL, {"certainty": "sure"}).status_code == 400


def test_the_province_filter_takes_the_statistical_code(sipas_2022, national_admin):
    body = (
        _client(national_admin)
        .get(URL, {"province": "14", "period": 2022, "level": "province"})
        .json()
    )
    assert {(row["name_vi"], row["map"]) for row in body["results"]} == {
        ("Sơn La", 2008),
        ("Sơn La", 2025),
    }


def test_the_pooled_national_rate_is_labelled_as_such(sipas_2022, national_admin):
    body = _client(national_admin).get(URL, {"level": "nation", "period": 2022}).json()
    (nation,) = body["results"]
    assert nation["figure"] == "pooled_national_rate"
    assert nation["national_average"] == 80.08


def test_a_provincial_official_sees_their_province_and_its_agencies_only(
    sipas_2022, son_la, son_la_official
):
    body = _client(son_la_official).get(URL).json()
    names = {row["name_vi"] for row in body["results"]}
    assert "Sơn La" in names
    assert "Sở Tư pháp Sơn La" in names
    assert all(
        row["province_id"] in {son_la.id, son_la.successor_id}
        for row in body["results"]
    )
    assert not any(row["level"] in {"region", "nation"} for row in body["results"])
    detail = _client(son_la_official).get(f"{URL}{_son_la_2022(son_la).pk}/")
    assert detail.status_code == 200
    assert detail.json()["criteria"]["ACCESS_1"]["counts"][0] == 0


def test_the_official_of_another_province_sees_nothing_of_son_la(
    sipas_2022, son_la, quang_ninh, quang_ninh_official
):
    client = _client(quang_ninh_official)
    body = client.get(URL, {"period": 2022}).json()
    assert body["results"]
    assert all(
        row["province_id"] in {quang_ninh.id, quang_ninh.successor_id}
        for row in body["results"]
    )
    assert client.get(URL, {"province": "14"}).json()["results"] == []
    assert client.get(f"{URL}{_son_la_2022(son_la).pk}/").status_code == 404


def test_an_agency_official_sees_only_their_agency(
    sipas_2022, son_la, son_la_centre, agency_official
):
    body = _client(agency_official).get(URL).json()
    assert len(body["results"]) == 2  # the third quarter and the year (no months)
    assert {row["agency_id"] for row in body["results"]} == {son_la_centre.id}
    response = _client(agency_official).get(f"{URL}{_son_la_2022(son_la).pk}/")
    assert response.status_code == 404


def test_anonymous_callers_and_non_staff_users_are_refused(sipas_2022, son_la):
    assert _client().get(URL).status_code in {401, 403}
    assert _client().get(f"{URL}{_son_la_2022(son_la).pk}/").status_code in {
        401,
        403,
    }
    citizen = get_user_model().objects.create_user(username="citizen")
    assert _client(citizen).get(URL).status_code == 403


def test_the_schema_documents_the_indicator_endpoints(national_admin):
    response = _client(national_admin).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    listing = paths["/api/v1/indicators/"]["get"]
    assert {"200", "401", "403"} <= set(listing["responses"])
    assert "404" in paths["/api/v1/indicators/{id}/"]["get"]["responses"]
    parameters = {p["name"] for p in listing["parameters"]}
    assert {"level", "period", "year", "region", "province", "status", "map"} <= (
        parameters
    )


def test_a_2025_official_of_a_merged_province_sees_both_predecessors(
    rollup, national_admin
):
    bac_kan = Province.objects.get(map=2008, code="06")
    thai_nguyen = Province.objects.get(map=2008, code="19")
    rollup.add_uniform(agency=centre(bac_kan), month=202205, rate=70, answered=100)
    rollup.add_uniform(agency=centre(thai_nguyen), month=202205, rate=90, answered=300)
    rollup.write()
    figures_refresh_dirty()
    user = get_user_model().objects.create_user(username="tn", is_staff=True)
    Official.objects.create(user=user, role="province", province=thai_nguyen.successor)
    body = _client(user).get(URL, {"level": "province", "period": 2022}).json()
    assert {(row["name_vi"], row["map"]) for row in body["results"]} == {
        ("Bắc Kạn", 2008),
        ("Thái Nguyên", 2008),
        ("Thái Nguyên", 2025),
    }
