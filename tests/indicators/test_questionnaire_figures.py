"""A second questionnaire beside SIPAS: its figures, ranks and statuses are its
own in the review list, the API and the exports, and SIPAS stays the default."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import IndicatorValue, Level, PeriodKind
from surveys.models import Questionnaire
from surveys.services.questionnaires import questionnaire_publish
from tests.indicators.engine.builders import RollupBuilder, centre
from tests.indicators.test_admin_review import rows_of, text
from tests.indicators.test_export_sql import _rows
from tests.surveys.authoring import draft_with

LIST = "admin:indicators_indicatorvalue_changelist"
EXPORT = "admin:indicators_indicatorvalue_export"


@pytest.fixture
def health(sipas, son_la, quang_ninh) -> Questionnaire:
    """Health answers in 2022 about two provinces: Quảng Ninh first at 90%, Sơn
    La second at 30%."""
    health = questionnaire_publish(
        questionnaire=draft_with({"A": ["A1", "A2"], "B": ["B1"]})
    )
    builder = RollupBuilder(health)
    for province, rate in ((son_la, 30), (quang_ninh, 90)):
        builder.add_uniform(
            agency=centre(province), month=202209, rate=rate, answered=200
        )
    builder.write()
    figures_refresh_dirty()
    return health


def _year_2022(questionnaire: Questionnaire, province) -> IndicatorValue:
    return IndicatorValue.objects.get(
        definition__questionnaire=questionnaire,
        level=Level.PROVINCE,
        unit_id=province.id,
        period_kind=PeriodKind.YEAR,
        period_key=2022,
    )


def test_each_questionnaire_ranks_its_own_provinces(health, questionnaire, son_la):
    own = _year_2022(health, son_la)
    assert (own.rank_national, own.rank_national_of) == (2, 2)
    assert own.value == pytest.approx(30.0)
    sipas = _year_2022(questionnaire, son_la)
    assert (sipas.rank_national, sipas.rank_national_of) == (17, 63)


def test_the_review_shows_sipas_unless_another_questionnaire_is_chosen(
    login, national_admin, health, son_la
):
    client = login(national_admin)
    rows = rows_of(client.get(reverse(LIST)).content.decode())
    assert len(rows) == 63
    assert text(rows[son_la.name_vi]["national_rank"]).startswith("17/63")
    assert "questionnaire" not in rows[son_la.name_vi]

    page = client.get(reverse(LIST), {"questionnaire": "health"})
    html = page.content.decode()
    rows = rows_of(html)
    assert len(rows) == 2
    assert text(rows[son_la.name_vi]["national_rank"]).startswith("2/2")
    assert text(rows[son_la.name_vi]["index"]) == "30,00"
    assert "Khảo sát sự hài lòng về dịch vụ y tế" in html  # the filter's choice

    html = client.get(reverse(LIST), {"questionnaire": "all"}).content.decode()
    cells = re.findall(r'<td class="field-questionnaire[^"]*">(.*?)</td>', html, re.S)
    titles = Counter(text(cell) for cell in cells)
    assert titles["Khảo sát sự hài lòng về dịch vụ y tế"] == 2
    assert len(titles) == 2 and sum(titles.values()) == 65


def test_a_definition_chosen_by_id_shows_its_own_questionnaire(
    login, national_admin, health, son_la
):
    definition = _year_2022(health, son_la).definition_id
    html = (
        login(national_admin)
        .get(reverse(LIST), {"definition": definition})
        .content.decode()
    )
    assert len(rows_of(html)) == 2


def test_the_export_names_the_questionnaire_of_each_figure(
    login, national_admin, son_la_official, health, son_la
):
    exported = login(national_admin).get(
        reverse(EXPORT, args=["csv"]), {"questionnaire": "health"}
    )
    rows = _rows(exported)
    header, body = rows[0], rows[1:]
    assert "chi-so-hai-long_health_tinh_2022_" in exported["Content-Disposition"]
    column = header.index("phiếu khảo sát")
    assert {row[column] for row in body} == {"health"}
    assert len(body) == 2
    # A provincial official of Sơn La sees its health figure, not Quảng Ninh's.
    rows = _rows(
        login(son_la_official).get(
            reverse(EXPORT, args=["csv"]), {"questionnaire": "health"}
        )
    )
    assert [row[0] for row in rows[1:]] == [son_la.name_vi]


def test_the_api_names_the_questionnaire_and_filters_by_it(
    login, national_admin, quang_ninh_official, health, quang_ninh, son_la
):
    client = login(national_admin)
    params = {"level": "province", "period": 2022, "period_kind": "year"}
    body = client.get("/api/v1/indicators/", params).json()
    codes = {row["definition"]["questionnaire"] for row in body["results"]}
    assert codes == {"sipas-service", "health"}

    body = client.get("/api/v1/indicators/", {**params, "questionnaire": "health"})
    results = body.json()["results"]
    # Each province's figure, and its 2025 unit's.
    assert {row["unit_id"] for row in results} == {
        son_la.id,
        son_la.successor_id,
        quang_ninh.id,
        quang_ninh.successor_id,
    }
    assert all(row["definition"]["questionnaire"] == "health" for row in results)

    results = (
        login(quang_ninh_official)
        .get("/api/v1/indicators/", {**params, "questionnaire": "health"})
        .json()["results"]
    )
    assert {row["unit_id"] for row in results} == {
        quang_ninh.id,
        quang_ninh.successor_id,
    }


def test_the_below_target_overview_lists_one_questionnaires_units(
    login, national_admin, health, son_la, quang_ninh
):
    client = login(national_admin)
    url = reverse("admin:indicators_indicatorvalue_below_target")
    sipas = client.get(url, {"year": 2022}).content.decode()
    assert 'name="questionnaire"' in sipas
    page = client.get(url, {"year": 2022, "questionnaire": "health"})
    names = re.findall(
        r'<th scope="row" class="unit-name"><a [^>]*>(.*?)</a>', page.content.decode()
    )
    # Sơn La's 30% is under the 80% target; Quảng Ninh's 90% is not.
    assert names == [son_la.name_vi]
    # Sơn La's 82.18% for SIPAS meets the target: it is not listed there.
    listed = re.findall(r'class="unit-name"><a [^>]*>(.*?)</a>', sipas)
    assert son_la.name_vi not in listed
    # An unknown code shows SIPAS's.
    unknown = client.get(url, {"year": 2022, "questionnaire": "nope"}).content.decode()
    assert unknown.count('class="below-row"') == sipas.count('class="below-row"')


def test_a_units_page_names_the_questionnaire_its_figures_answer(
    login, national_admin, health, questionnaire, son_la
):
    client = login(national_admin)
    for asked, title in (
        (health, "Khảo sát sự hài lòng về dịch vụ y tế"),
        (questionnaire, questionnaire.title_vi),
    ):
        page = client.get(
            reverse(
                "admin:indicators_indicatorvalue_change",
                args=[_year_2022(asked, son_la).pk],
            )
        )
        html = page.content.decode()
        cells = re.findall(r'<td class="questionnaire">(.*?)</td>', html)
        assert cells == [title]
