"""Status against the target of the period's year (below it when the figure is
under it), and the status's certainty from the Wilson interval."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import IndicatorValue, Level, PeriodKind, Target
from surveys.models import Agency
from tests.indicators.engine.builders import counts_for

Status = IndicatorValue.Status
Certainty = IndicatorValue.Certainty


def _agency_year(agency: Agency, year: int) -> IndicatorValue:
    return IndicatorValue.objects.get(
        level=Level.AGENCY,
        unit_id=agency.id,
        period_kind=PeriodKind.YEAR,
        period_key=year,
    )


@pytest.mark.parametrize(
    ("rate", "answered", "status", "certainty"),
    [
        (75, 1000, Status.BELOW, Certainty.CLEAR),  # interval about 72.2–77.6
        (84, 200, Status.BELOW, Certainty.MARGIN),  # interval reaching 85
        (86, 200, Status.MEETS, Certainty.MARGIN),  # interval reaching under 85
        (90, 1000, Status.MEETS, Certainty.CLEAR),
        (90, 20, Status.INSUFFICIENT, ""),  # 20 respondents, fewer than 30
    ],
)
def test_status_in_2024_applies_the_85_percent_target_of_2023(
    rollup, son_la_centre, rate, answered, status, certainty
):
    rollup.add_uniform(agency=son_la_centre, month=202404, rate=rate, answered=answered)
    rollup.write()
    figures_refresh_dirty()
    value = _agency_year(son_la_centre, 2024)
    assert value.threshold == 85
    assert (value.status, value.certainty) == (status, certainty)
    if certainty == Certainty.MARGIN:
        assert value.ci_low < 85 <= value.ci_high


def test_a_unit_at_80_79_of_77_respondents_is_below_85_within_the_margin(
    rollup, son_la_centre, questionnaire, login, son_la_official
):
    first = questionnaire.elements.order_by("position").first()
    criteria = {}
    for criterion in questionnaire.criteria.select_related("element"):
        if criterion.element_id == first.id:  # 53 of 77 satisfied
            counts = counts_for(rate=100 * 53 / 77, answered=77)
        else:  # 62 of 74, three saying "does not apply"
            counts = counts_for(rate=100 * 62 / 74, answered=74, not_applicable=3)
        criteria[criterion.code] = counts
    rollup.add(agency=son_la_centre, month=202306, respondents=77, criteria=criteria)
    rollup.write()
    figures_refresh_dirty()
    value = _agency_year(son_la_centre, 2023)
    assert round(value.value, 2) == 80.79 and value.respondents == 77
    assert value.threshold == 85
    assert (value.status, value.certainty) == (Status.BELOW, Certainty.MARGIN)
    province = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la_centre.province_id, period_key=2023
    )
    assert (province.status, province.certainty) == (Status.BELOW, Certainty.MARGIN)
    # And its official's overview lists it.
    overview = login(son_la_official).get(
        reverse("admin:indicators_indicatorvalue_below_target"), {"year": 2023}
    )
    html = overview.content.decode()
    assert province.name_vi in html and "80,79" in html and "certainty-margin" in html


def test_status_in_2022_applies_the_80_percent_target_of_2020(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202211, rate=82, answered=1000)
    rollup.write()
    figures_refresh_dirty()
    value = _agency_year(son_la_centre, 2022)
    assert (value.threshold, value.status) == (80, Status.MEETS)


def test_the_same_figure_misses_the_95_percent_target_of_2025(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202502, rate=90, answered=1000)
    rollup.write()
    figures_refresh_dirty()
    value = _agency_year(son_la_centre, 2025)
    assert (value.threshold, value.status) == (95, Status.BELOW)
    assert value.certainty == Certainty.CLEAR


def test_without_a_target_for_the_year_the_status_says_so(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=201906, rate=82, answered=1000)
    rollup.write()
    figures_refresh_dirty()
    value = _agency_year(son_la_centre, 2019)
    assert (value.threshold, value.status) == (None, Status.NO_TARGET)
    assert value.certainty == ""


def test_a_target_for_a_level_wins_over_the_target_for_all_levels(
    rollup, son_la_centre
):
    Target.objects.create(
        indicator="satisfaction", year=2023, threshold=88, level=Level.AGENCY
    )
    rollup.add_uniform(agency=son_la_centre, month=202404, rate=87, answered=2000)
    rollup.write()
    figures_refresh_dirty()
    assert _agency_year(son_la_centre, 2024).threshold == 88
    province = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la_centre.province_id, period_key=2024
    )
    assert (province.threshold, province.status) == (85, Status.MEETS)


@override_settings(INDICATOR_MIN_RESPONDENTS=10)
def test_the_minimum_number_of_respondents_is_a_setting(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202404, rate=95, answered=20)
    rollup.write()
    figures_refresh_dirty()
    assert _agency_year(son_la_centre, 2024).status != Status.INSUFFICIENT
