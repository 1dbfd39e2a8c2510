"""The review list of indicator values in the admin: defaults, badges, ranks,
rank changes, filters, scope, and a query count that does not grow with rows."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators.admin import IndicatorValueAdmin
from indicators.models import IndicatorValue, Level, PeriodKind
from surveys.models import Agency, Province

LIST = "admin:indicators_indicatorvalue_changelist"


def rows_of(html: str) -> dict[str, dict[str, str]]:
    """The list's rows by unit name: {column: cell text}."""
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = dict(
            re.findall(r'<t[hd] class="field-(\w+)[^"]*"[^>]*>(.*?)</t[hd]>', row, re.S)
        )
        if "unit" in cells:
            name = re.sub(r"<[^>]+>", "", cells["unit"]).strip()
            rows[name] = cells
    return rows


def text(cell: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()


def test_by_default_the_list_shows_the_latest_years_provinces_ordered_by_rank(
    login, national_admin, sipas, son_la
):
    page = login(national_admin).get(reverse(LIST))
    assert page.status_code == 200
    html = page.content.decode()
    rows = rows_of(html)
    assert len(rows) == 63
    assert all(text(cells["period"]) == "2022" for cells in rows.values())
    ranks = [text(cells["national_rank"]) for cells in rows.values()]
    # Every rank names its map.
    assert ranks[0] == "1/63 (63 tỉnh)" and ranks[-1] == "63/63 (63 tỉnh)"
    ranks = [rank.split()[0] for rank in ranks]
    assert [int(r.split("/")[0]) for r in ranks] == sorted(
        int(r.split("/")[0]) for r in ranks
    )


def test_son_la_shows_its_badge_ranks_and_rise_of_46_places(
    login, national_admin, sipas, son_la
):
    html = login(national_admin).get(reverse(LIST)).content.decode()
    son_la_row = rows_of(html)[son_la.name_vi]
    assert text(son_la_row["index"]) == "82,18"
    assert text(son_la_row["target"]) == "80"
    assert text(son_la_row["national_rank"]) == "17/63 (63 tỉnh)"
    assert text(son_la_row["region_rank"]) == "5/14 (63 tỉnh)"
    assert text(son_la_row["rank_change"]) == "▲ 46"
    assert "status-meets" in son_la_row["status_badge"]
    assert (
        text(son_la_row["status_badge"]) == "đạt mục tiêu"
        or "meets" in (son_la_row["status_badge"])
    )
    lowest = min(sipas, key=sipas.get)
    lowest_row = rows_of(html)[lowest.name_vi]
    assert "status-below" in lowest_row["status_badge"]
    assert text(lowest_row["national_rank"]) == "63/63 (63 tỉnh)"


def test_filters_narrow_to_the_below_target_provinces_of_a_region(
    login, national_admin, sipas, son_la
):
    client = login(national_admin)
    html = client.get(
        reverse(LIST), {"status__exact": "below", "region": son_la.region_id}
    ).content.decode()
    rows = rows_of(html)
    expected = {
        v.name_vi
        for v in IndicatorValue.objects.filter(
            level=Level.PROVINCE,
            period_kind=PeriodKind.YEAR,
            period_key=2022,
            map=Province.Map.MAP_2008,
            region_id=son_la.region_id,
            status=IndicatorValue.Status.BELOW,
        )
    }
    assert expected and set(rows) == expected
    assert son_la.name_vi not in rows


def test_the_all_choice_reaches_every_year_and_level(
    login, national_admin, sipas, monkeypatch
):
    monkeypatch.setattr(IndicatorValueAdmin, "list_per_page", 1000)
    client = login(national_admin)
    html = client.get(
        reverse(LIST), {"period": "all", "level": "all", "map": "all"}
    ).content.decode()
    rows = re.findall(r'<td class="field-period">(\d+)</td>', html)
    expected = IndicatorValue.objects.filter(
        period_kind=PeriodKind.YEAR, definition__is_current=True
    ).count()
    assert len(rows) == expected
    assert set(rows) == {"2021", "2022"}


def test_a_provincial_official_sees_their_province_only_and_another_sees_none(
    login, son_la_official, quang_ninh_official, sipas, son_la, quang_ninh
):
    mine = rows_of(login(son_la_official).get(reverse(LIST)).content.decode())
    assert set(mine) == {son_la.name_vi}
    theirs = rows_of(login(quang_ninh_official).get(reverse(LIST)).content.decode())
    assert son_la.name_vi not in theirs
    assert set(theirs) == {quang_ninh.name_vi}
    son_la_2022 = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la.id, period_key=2022
    )
    client = login(quang_ninh_official)
    for url in (
        reverse("admin:indicators_indicatorvalue_change", args=[son_la_2022.pk]),
        reverse("admin:indicators_indicatorvalue_history", args=[son_la_2022.pk]),
        f"/api/v1/indicators/{son_la_2022.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_an_agency_official_sees_only_their_agency(
    login, agency_official, sipas, son_la_centre
):
    client = login(agency_official)
    rows = rows_of(client.get(reverse(LIST), {"level": Level.AGENCY}).content.decode())
    assert set(rows) == {son_la_centre.name_vi}
    province_rows = rows_of(client.get(reverse(LIST)).content.decode())
    assert province_rows == {}


def _values(start: int, stop: int, definition) -> None:
    """Figures of agencies in 2023 and 2024: rows number `start` to `stop` of the
    (year, agency) pairs in order."""
    agencies = list(
        Agency.objects.filter(province__map=Province.Map.MAP_2008)
        .select_related("province")
        .order_by("id")
    )
    pairs = [(year, agency) for year in (2024, 2023) for agency in agencies]
    assert len(pairs) >= stop
    now = timezone.now()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            definition=definition,
            level=Level.AGENCY,
            unit_id=agency.id,
            period_kind=PeriodKind.YEAR,
            period_key=year,
            value=70 + (number % 250) / 10,
            respondents=400 + number,
            ci_low=66 + (number % 250) / 10,
            ci_high=74 + (number % 250) / 10,
            threshold=80,
            status=IndicatorValue.Status.BELOW,
            certainty=IndicatorValue.Certainty.MARGIN,
            computed_at=now,
            map=agency.province.map,
            region_id=agency.province.region_id,
            province_id=agency.province_id,
            agency_id=agency.id,
            name_vi=agency.name_vi,
            name_en=agency.name_en,
            period_start=f"{year}-01-01",
        )
        for number, (year, agency) in enumerate(pairs[start:stop], start=start)
    )


def test_the_list_makes_the_same_number_of_queries_for_10_and_500_rows(
    login, national_admin, definition, monkeypatch
):
    monkeypatch.setattr(IndicatorValueAdmin, "list_per_page", 1000)
    client = login(national_admin)
    url = reverse(LIST)

    def queries_for_list() -> tuple[int, int]:
        params = {"level": Level.AGENCY, "period": "all"}
        client.get(url, params)  # session and caches warm
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, params)
        shown = page.content.decode().count('<td class="field-period">')
        return shown, len(queries)

    _values(0, 10, definition)
    rows_10, queries_10 = queries_for_list()
    _values(10, 500, definition)
    rows_500, queries_500 = queries_for_list()
    assert (rows_10, rows_500) == (10, 500)
    assert queries_10 == queries_500
