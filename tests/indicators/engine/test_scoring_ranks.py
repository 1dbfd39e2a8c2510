"""Ranks among provinces, the national average, rank change and the 2025 map."""

from __future__ import annotations

import pytest

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import IndicatorValue, Level, PeriodKind
from surveys.models import Province

from .builders import centre, sipas_2022_figures


def _province_year(province: Province, year: int) -> IndicatorValue:
    return IndicatorValue.objects.get(
        level=Level.PROVINCE,
        unit_id=province.id,
        period_kind=PeriodKind.YEAR,
        period_key=year,
    )


def _provinces(*codes: str, map: int = Province.Map.MAP_2008) -> list[Province]:
    by_code = {p.code: p for p in Province.objects.filter(map=map, code__in=codes)}
    return [by_code[code] for code in codes]


def test_son_la_2022_ranks_17th_of_63_and_5th_of_14_above_the_national_average(
    rollup, son_la
):
    for province, hundredths in sipas_2022_figures(son_la).items():
        rollup.add_uniform(
            agency=centre(province),
            month=202209,
            rate=hundredths / 100,
            answered=5000,
            not_applicable=60,
        )
    rollup.write()
    figures_refresh_dirty()

    value = _province_year(son_la, 2022)
    assert round(value.value, 2) == 82.18
    assert value.respondents == 5060
    assert (value.rank_national, value.rank_national_of) == (17, 63)
    assert (value.rank_region, value.rank_region_of) == (5, 14)
    assert value.national_average == pytest.approx(80.08)
    assert round(value.diff_from_national_average, 2) == 2.10
    assert value.map == Province.Map.MAP_2008
    nation = IndicatorValue.objects.get(
        level=Level.NATION, period_kind=PeriodKind.YEAR, period_key=2022
    )
    # The pooled rate is a different figure from the mean of provinces.
    assert nation.national_average == pytest.approx(80.08)
    assert nation.value == pytest.approx(80.08)  # equal sizes: here they agree
    assert nation.name_en == "Nation (pooled rate)"


def test_equal_figures_share_a_rank_and_the_next_rank_is_skipped(rollup):
    provinces = _provinces("01", "22", "31", "48")
    for province, rate in zip(provinces, [90, 85, 85, 80], strict=True):
        rollup.add_uniform(
            agency=centre(province), month=202204, rate=rate, answered=400
        )
    rollup.write()
    figures_refresh_dirty()
    ranks = [_province_year(p, 2022).rank_national for p in provinces]
    assert ranks == [1, 2, 2, 4]
    assert _province_year(provinces[0], 2022).rank_national_of == 4


def test_figures_equal_to_two_decimals_share_a_rank(rollup):
    provinces = _provinces("01", "22")
    # 85.0020% and 85.0000% both publish as 85.00.
    rollup.add_uniform(
        agency=centre(provinces[0]), month=202204, rate=85.002, answered=50000
    )
    rollup.add_uniform(
        agency=centre(provinces[1]), month=202204, rate=85, answered=50000
    )
    rollup.write()
    figures_refresh_dirty()
    assert [_province_year(p, 2022).rank_national for p in provinces] == [1, 1]


def test_a_province_moving_from_third_to_first_is_up_two_places(rollup, son_la):
    lai_chau, dien_bien, cao_bang = _provinces("12", "11", "04")
    for province, rate in [
        (lai_chau, 90),
        (dien_bien, 88),
        (son_la, 85),
        (cao_bang, 80),
    ]:
        rollup.add_uniform(
            agency=centre(province), month=202106, rate=rate, answered=500
        )
    rollup.write()
    figures_refresh_dirty()
    for province, rate in [
        (lai_chau, 89),
        (dien_bien, 87),
        (son_la, 92),
        (cao_bang, 81),
    ]:
        rollup.add_uniform(
            agency=centre(province), month=202206, rate=rate, answered=500
        )
    rollup.write()
    figures_refresh_dirty()

    before, after = _province_year(son_la, 2021), _province_year(son_la, 2022)
    assert (before.rank_national, after.rank_national) == (3, 1)
    assert after.rank_change_national == 2
    assert after.rank_change_region == 2
    assert _province_year(lai_chau, 2022).rank_change_national == -1
    assert before.rank_change_national is None  # no 2020 figures


def test_an_earlier_year_refreshed_later_updates_the_next_years_rank_change(
    rollup, son_la
):
    lai_chau = _provinces("12")[0]
    rollup.add_uniform(agency=centre(son_la), month=202206, rate=92, answered=500)
    rollup.add_uniform(agency=centre(lai_chau), month=202206, rate=89, answered=500)
    rollup.write()
    figures_refresh_dirty()
    assert _province_year(son_la, 2022).rank_change_national is None
    rollup.add_uniform(agency=centre(son_la), month=202106, rate=80, answered=500)
    rollup.add_uniform(agency=centre(lai_chau), month=202106, rate=89, answered=500)
    rollup.write()
    figures_refresh_dirty()
    assert _province_year(son_la, 2022).rank_change_national == 1


def test_2022_figures_of_merged_provinces_show_under_their_2025_successor(rollup):
    bac_kan, thai_nguyen = _provinces("06", "19")
    rollup.add_uniform(agency=centre(bac_kan), month=202205, rate=70, answered=1000)
    rollup.add_uniform(agency=centre(thai_nguyen), month=202205, rate=90, answered=3000)
    cao_bang = _provinces("04")[0]
    rollup.add_uniform(agency=centre(cao_bang), month=202205, rate=86, answered=800)
    rollup.write()
    figures_refresh_dirty()

    merged_unit = Province.objects.get(map=Province.Map.MAP_2025, code="19")
    merged = _province_year(merged_unit, 2022)
    # Pooled from the responses about both, not the mean of the two figures (80).
    assert merged.value == pytest.approx(100 * (700 + 2700) / 4000)
    assert merged.respondents == 4000
    assert merged.map == Province.Map.MAP_2025
    assert (merged.rank_national, merged.rank_national_of) == (2, 2)
    assert merged.national_average == pytest.approx((85 + 86) / 2)
    # In the 2008 map, the same year ranks the three units that existed then.
    assert _province_year(thai_nguyen, 2022).rank_national == 1
    assert _province_year(thai_nguyen, 2022).rank_national_of == 3


def test_periods_of_the_2025_map_rank_only_its_units(rollup, son_la):
    rollup.add_uniform(agency=centre(son_la), month=202509, rate=90, answered=500)
    rollup.write()
    figures_refresh_dirty()
    old_unit = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la.id, period_key=20253
    )
    new_unit = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la.successor_id, period_key=20253
    )
    assert old_unit.rank_national is None
    assert (new_unit.rank_national, new_unit.rank_national_of) == (1, 1)
