"""No figure by arithmetic: a comparison average that pools an official's own
provinces with fewer than two others would give another province's figure (in a
two-province region, twice the region's mean less one's own), so the official
sees a dash and a note instead, on the unit page, its trend and the API. National
administrators see every average.

On the 2025 map (34 units) the Central Highlands hold Đắk Lắk and Lâm Đồng only,
the South East Đồng Nai and Hồ Chí Minh City only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import IndicatorValue, Level, PeriodKind
from indicators.selectors import average_key, comparison_averages_withheld
from surveys.models import Agency, Official, Province
from tests.conftest import PASSWORD
from tests.replay import replayed

YEAR = 2026


def province_2025(name: str) -> Province:
    return Province.objects.get(map=Province.Map.MAP_2025, name_vi=name)


def official_of(province: Province):
    user = get_user_model().objects.create_user(
        username=f"official-{province.code}", password=PASSWORD, is_staff=True
    )
    Official.objects.create(user=user, role=Official.Role.PROVINCE, province=province)
    return user


def figure(province: Province, year: int = YEAR) -> IndicatorValue:
    return IndicatorValue.objects.get(
        level=Level.PROVINCE,
        unit_id=province.id,
        period_kind=PeriodKind.YEAR,
        period_key=year,
        definition__is_current=True,
    )


@pytest.fixture
def map_2025(rollup):
    """A figure for each of the 34 units of the 2025 map in 2025 and 2026, each
    from the centre of its first predecessor, at rates 70% to 86.5% (a point
    more in 2026)."""
    units = list(Province.objects.filter(map=Province.Map.MAP_2025).order_by("code"))
    assert len(units) == 34

    def build() -> None:
        for year in (2025, YEAR):
            for number, unit in enumerate(units):
                predecessor = unit.predecessors.order_by("code").first()
                agency = Agency.objects.get(code=f"{predecessor.code}-centre")
                rollup.add_uniform(
                    agency=agency,
                    month=year * 100 + 9,
                    rate=70 + number / 2 + (year - 2025),
                    answered=1000,
                )
            rollup.write()
            figures_refresh_dirty()

    replayed("map_2025", build)
    return units


@pytest.fixture
def lam_dong(map_2025) -> Province:
    return province_2025("Lâm Đồng")


@pytest.fixture
def dak_lak(map_2025) -> Province:
    return province_2025("Đắk Lắk")


def unit_page(client, user, value: IndicatorValue) -> str:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def region_average_cell(html: str) -> str:
    start = html.index('class="region-average">') + len('class="region-average">')
    return html[start : html.index("<", start)]


@pytest.mark.django_db
def test_the_two_province_regions_of_the_2025_map_are_the_highlands_and_south_east(
    lam_dong, dak_lak
):
    for names in (("Lâm Đồng", "Đắk Lắk"), ("Đồng Nai", "Hồ Chí Minh")):
        region = province_2025(names[0]).region_id
        in_region = Province.objects.filter(map=Province.Map.MAP_2025, region=region)
        assert in_region.count() == 2
        assert all(any(n in p.name_vi for n in names) for p in in_region)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Lâm Đồng", "Đắk Lắk", "Đồng Nai"])
def test_neither_official_of_a_two_province_region_sees_its_average(
    client, map_2025, name
):
    province = province_2025(name)
    html = unit_page(client, official_of(province), figure(province))
    assert region_average_cell(html) == "–"
    assert "withheld until the period is published" in html
    # The region's mean appears nowhere on the page, in no period of the trend.
    (other,) = Province.objects.filter(
        map=Province.Map.MAP_2025, region_id=province.region_id
    ).exclude(pk=province.pk)
    for year in (2025, YEAR):
        mean = (figure(province, year).value + figure(other, year).value) / 2
        assert f"{mean:.2f}" not in html
        assert f"{mean:.2f}".replace(".", ",") not in html


@pytest.mark.django_db
def test_the_national_average_pools_thirty_three_others_and_stays(client, lam_dong):
    html = unit_page(client, official_of(lam_dong), figure(lam_dong))
    start = html.index('class="national-average">') + len('class="national-average">')
    assert html[start : html.index("<", start)] != "–"


@pytest.mark.django_db
def test_an_official_of_a_larger_region_sees_its_average(client, map_2025):
    ha_noi = province_2025("Hà Nội")
    html = unit_page(client, official_of(ha_noi), figure(ha_noi))
    assert region_average_cell(html) != "–"
    assert "withheld" not in html


@pytest.mark.django_db
def test_a_national_administrator_sees_the_two_province_regions_average(
    client, national_admin, lam_dong, dak_lak
):
    html = unit_page(client, national_admin, figure(lam_dong))
    expected = (figure(lam_dong).value + figure(dak_lak).value) / 2
    assert region_average_cell(html) == f"{expected:.2f}"
    assert "withheld" not in html


@pytest.mark.django_db
def test_the_selector_withholds_every_period_of_the_trend(lam_dong):
    official = official_of(lam_dong)
    values = list(
        IndicatorValue.objects.filter(level=Level.PROVINCE, unit_id=lam_dong.id)
    )
    assert len(values) > 2  # years, quarters and months
    withheld = comparison_averages_withheld(user=official, values=values)
    for value in values:
        assert average_key(value, area="region") in withheld
        assert average_key(value, area="national") not in withheld


@pytest.fixture
def two_provinces(rollup):
    """Only Lâm Đồng and Đắk Lắk have figures in 2026: the national mean pools
    one province beside the official's."""
    for name, rate in (("Lâm Đồng", 83.36), ("Đắk Lắk", 79.54)):
        predecessor = province_2025(name).predecessors.order_by("code").first()
        agency = Agency.objects.get(code=f"{predecessor.code}-centre")
        rollup.add_uniform(
            agency=agency, month=YEAR * 100 + 9, rate=rate, answered=10000
        )
    rollup.write()
    figures_refresh_dirty()


@pytest.mark.django_db
def test_the_api_withholds_a_national_average_that_pools_one_other_province(
    client, two_provinces, national_admin
):
    lam_dong = province_2025("Lâm Đồng")
    client.force_login(official_of(lam_dong))
    filters = {"level": "province", "period_kind": "year", "period": YEAR, "map": 2025}
    rows = client.get(reverse("indicator-list"), filters).json()["results"]
    assert [row["name"] for row in rows] == [lam_dong.name_vi]
    assert rows[0]["national_average"] is None
    assert rows[0]["diff_from_national_average"] is None
    detail = client.get(reverse("indicator-detail", args=[rows[0]["id"]])).json()
    assert detail["national_average"] is None
    # The national administrator sees it.
    client.force_login(national_admin)
    rows = client.get(reverse("indicator-list"), filters).json()["results"]
    assert all(row["national_average"] is not None for row in rows)
