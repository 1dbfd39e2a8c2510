"""Status against the target of the period's year, from the Wilson interval."""

from __future__ import annotations

import pytest
from django.test import override_settings

from indicators.models import IndicatorValue, Level, PeriodKind, Target
from indicators.values import values_refresh_dirty
from surveys.models import Agency

Status = IndicatorValue.Status


def _agency_year(agency: Agency, year: int) -> IndicatorValue:
    return IndicatorValue.objects.get(
        level=Level.AGENCY,
        unit_id=agency.id,
        period_kind=PeriodKind.YEAR,
        period_key=year,
    )


@pytest.mark.parametrize(
    ("rate", "answered", "status"),
    [
        (75, 1000, Status.BELOW),  # interval about 72.2–77.6, all under 85
        (84, 200, Status.AT_RISK),  # estimate under 85, interval reaching it
        (90, 1000, Status.MEETS),
        (90, 20, Status.INSUFFICIENT),  # 20 respondents, fewer than 30
    ],
)
def test_status_in_2024_applies_the_85_percent_target_of_2023(
    rollup, son_la_centre, rate, answered, status
):
    rollup.add_uniform(agency=son_la_centre, month=202404, rate=rate, answered=answered)
    rollup.write()
    values_refresh_dirty()
    value = _agency_year(son_la_centre, 2024)
    assert value.threshold == 85
    assert value.status == status
    if status == Status.AT_RISK:
        assert value.ci_low < 85 <= value.ci_high


def test_status_in_2022_applies_the_80_percent_target_of_2020(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202211, rate=82, answered=1000)
    rollup.write()
    values_refresh_dirty()
    value = _agency_year(son_la_centre, 2022)
    assert (value.threshold, value.status) == (80, Status.MEETS)


def test_the_same_figure_misses_the_95_percent_target_of_2025(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202502, rate=90, answered=1000)
    rollup.write()
    values_refresh_dirty()
    value = _agency_year(son_la_centre, 2025)
    assert (value.threshold, value.status) == (95, Status.BELOW)


def test_without_a_target_for_the_year_the_status_says_so(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=201906, rate=82, answered=1000)
    rollup.write()
    values_refresh_dirty()
    value = _agency_year(son_la_centre, 2019)
    assert (value.threshold, value.status) == (None, Status.NO_TARGET)


def test_a_target_for_a_level_wins_over_the_target_for_all_levels(
    rollup, son_la_centre
):
    Target.objects.create(
        indicator="satisfaction", year=2023, threshold=88, level=Level.AGENCY
    )
    rollup.add_uniform(agency=son_la_centre, month=202404, rate=87, answered=2000)
    rollup.write()
    values_refresh_dirty()
    assert _agency_year(son_la_centre, 2024).threshold == 88
    province = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la_centre.province_id, period_key=2024
    )
    assert (province.threshold, province.status) == (85, Status.MEETS)


@override_settings(INDICATOR_MIN_RESPONDENTS=10)
def test_the_minimum_number_of_respondents_is_a_setting(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202404, rate=95, answered=20)
    rollup.write()
    values_refresh_dirty()
    assert _agency_year(son_la_centre, 2024).status != Status.INSUFFICIENT
