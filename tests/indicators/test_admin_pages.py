"""A unit's page with its chart, the below-target overview, exports of what the
list shows, the recompute button and the refresh line, for each role."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicators import tasks
from indicators.models import (
    AgencyBacklog,
    IndicatorValue,
    Level,
    Reconciliation,
    RollupState,
)
from tests.indicators.test_admin_review import LIST, rows_of

EXPORT = "admin:indicators_indicatorvalue_export"
BELOW = "admin:indicators_indicatorvalue_below_target"


def _year(unit: int, year: int = 2022) -> IndicatorValue:
    return IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=unit, period_kind=3, period_key=year
    )


def test_son_la_page_shows_weakest_criteria_first_and_a_trend_chart(
    login, son_la_official, sipas, son_la, rollup, son_la_centre
):
    # One criterion clearly weaker in Sơn La in 2022.
    rollup.add(
        agency=son_la_centre,
        month=202210,
        respondents=100,
        criteria={"OFFICIAL_3": [0, 40, 20, 20, 10, 10]},
    )
    rollup.write()
    from indicators.engine.figures import figures_refresh_dirty

    figures_refresh_dirty()
    value = _year(son_la.id)
    page = login(son_la_official).get(
        reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    criteria = re.findall(r"<td><code>(\w+)</code>", html)
    assert criteria[0] == "OFFICIAL_3" and len(criteria) == 23
    svg = re.search(r'<svg[^>]*class="trend-chart".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<polyline") == 4  # unit, target, region and national average
    assert "2021" in svg and "2022" in svg
    assert "cdn" not in html.lower()
    assert son_la.name_vi in html
    assert 'class="region-average"' in html and 'class="national-average">80,' in html


def test_another_provinces_official_gets_404_for_son_la_pages_and_sees_no_row(
    login, quang_ninh_official, sipas, son_la
):
    client = login(quang_ninh_official)
    value = _year(son_la.id)
    assert (
        client.get(
            reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/indicators/{value.pk}/").status_code == 404
    listed = client.get("/api/v1/indicators/", {"period": 2022}).json()
    assert son_la.id not in [row.get("unit_id") for row in listed["results"]]
    exported = client.get(reverse(EXPORT, args=["csv"]), {"period": "all"})
    body = b"".join(exported.streaming_content).decode()
    assert son_la.name_vi not in body
    overview = client.get(reverse(BELOW), {"year": 2022}).content.decode()
    assert son_la.name_vi not in overview


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_and_excel_exports_contain_exactly_the_rows_the_list_shows(
    login, national_admin, sipas, son_la
):
    client = login(national_admin)
    filters = {"status__exact": "below", "region": son_la.region_id}
    listed = rows_of(client.get(reverse(LIST), filters).content.decode())
    assert listed

    exported = client.get(reverse(EXPORT, args=["csv"]), filters)
    assert exported.streaming
    assert exported["Content-Type"].startswith("text/csv")
    rows = _csv(exported)
    names = [row[next(iter(row))] for row in rows]
    assert names == list(listed)

    workbook = client.get(reverse(EXPORT, args=["xlsx"]), filters)
    assert workbook.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(workbook.streaming_content)), read_only=True
    ).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == list(listed)

    # Without filters: the defaults apply to the export as to the list.
    default_rows = _csv(client.get(reverse(EXPORT, args=["csv"])))
    assert len(default_rows) == 63


def _overview_rows(html: str) -> list[str]:
    """The unit names of the overview, in order."""
    return [
        re.sub(r"<[^>]+>", "", name).strip()
        for name in re.findall(
            r'<tr class="below-row">\s*<th[^>]*>(.*?)</th>', html, re.S
        )
    ]


def test_the_below_target_overview_lists_every_province_under_its_target_by_gap(
    login, national_admin, sipas
):
    html = login(national_admin).get(reverse(BELOW), {"year": 2022}).content.decode()
    below = IndicatorValue.objects.filter(
        period_key=2022, period_kind=3, level=Level.PROVINCE, map=2008
    ).filter(value__lt=F("threshold"))
    # Every province whose figure is under 80, margin of error or not.
    assert below.count() == 36
    assert set(below.values_list("status", flat=True)) == {"below"}
    names = _overview_rows(html)
    assert names == [v.name_vi for v in below.order_by(F("value") - F("threshold"))]
    assert html.count('<td><span class="status-badge status-below') == 36
    # Respondents, interval, gap, change since 2021 and the weakest criteria.
    assert "5000" in html and "95%" in html and 'class="numeric gap">-' in html
    assert '<ol class="weakest"><li title=' in html
    assert "<style" not in html and "onclick" not in html and 'style="' not in html


def test_the_below_target_overview_comes_a_page_at_a_time_in_gap_order(
    login, national_admin, sipas, monkeypatch
):
    from indicators import admin_below_target

    monkeypatch.setattr(admin_below_target, "PAGE_SIZE", 10)
    client = login(national_admin)
    below = IndicatorValue.objects.filter(
        period_key=2022, period_kind=3, level=Level.PROVINCE, map=2008
    ).filter(value__lt=F("threshold"))
    expected = [v.name_vi for v in below.order_by(F("value") - F("threshold"))]
    names = []
    for number in (1, 2, 3, 4):
        html = client.get(reverse(BELOW), {"year": 2022, "page": number})
        html = html.content.decode()
        names += _overview_rows(html)
        # The count is of every unit, not the page's; the links keep the year.
        assert "36 đơn vị dưới chỉ tiêu" in html
        assert f"trang {number}/4" in html
        if number < 4:
            assert f"?year=2022&amp;page={number + 1}" in html
    assert names == expected
    # A page that is not one gives the first or the last, never an error.
    for page in ("abc", "0", "-1", "9" * 30):
        answer = client.get(reverse(BELOW), {"year": 2022, "page": page})
        assert answer.status_code == 200
        assert len(_overview_rows(answer.content.decode())) in {10, 6}


def test_the_overview_names_the_margin_of_error_and_the_previous_year(
    login, son_la_official, rollup, son_la_centre, son_la
):
    rollup.add_uniform(agency=son_la_centre, month=202206, rate=75, answered=80)
    rollup.add_uniform(agency=son_la_centre, month=202306, rate=80, answered=80)
    rollup.write()
    from indicators.engine.figures import figures_refresh_dirty

    figures_refresh_dirty()
    client = login(son_la_official)
    html = client.get(reverse(BELOW), {"year": 2023}).content.decode()
    assert _overview_rows(html) == [son_la.name_vi]
    assert "certainty-margin" in html and "±" in html
    assert "+5,00" in html  # 75% in 2022, 80% in 2023
    agencies = client.get(reverse(BELOW), {"year": 2023, "level": 1})
    assert _overview_rows(agencies.content.decode()) == [son_la_centre.name_vi]


def test_the_overview_answers_bad_years_with_an_empty_list(
    login, national_admin, sipas
):
    client = login(national_admin)
    for year in ("99999", "-5", "abc", "1900"):
        page = client.get(reverse(BELOW), {"year": year, "level": "all"})
        assert page.status_code == 200
        assert _overview_rows(page.content.decode()) == []


def test_the_recompute_button_queues_a_refresh_and_the_refresh_line_shows(
    login,
    son_la_official,
    national_admin,
    sipas,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    queued = []
    monkeypatch.setattr(tasks.refresh_incremental, "delay", lambda: queued.append("r"))
    monkeypatch.setattr(tasks.rebuild, "delay", lambda: queued.append("b"))
    RollupState.objects.update_or_create(
        pk=1, defaults={"refreshed_at": timezone.now() - dt.timedelta(minutes=5)}
    )
    Reconciliation.objects.create(
        response_mark=1, review_mark=1, matched=False, differing_rows=3
    )
    client = login(son_la_official)
    page = client.get(reverse(LIST)).content.decode()
    assert "refresh-status" in page and "(3 " in page
    assert "(cách đây 5\xa0phút)" in page  # Django's own catalogue lacks it
    assert "chưa được tính" not in page  # nothing waits for the agencies
    for on in ("2026-11-02", "2026-11-03"):
        AgencyBacklog.objects.create(
            agency_id=1, questionnaire_id=1, responded_on=on, answers="5" * 23, w=1
        )
    page = client.get(reverse(LIST)).content.decode()
    assert "còn 2 phiếu chưa được tính vào số liệu của cơ quan" in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("admin:indicators_indicatorvalue_refresh"), {"rebuild": "1"}
        )
    assert done.status_code == 302
    assert queued == ["r"]  # a provincial official cannot start a full rebuild
    client = login(national_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:indicators_indicatorvalue_refresh"), {"rebuild": "1"}
        )
    assert queued == ["r", "b"]
    assert (
        client.get(reverse("admin:indicators_indicatorvalue_refresh")).status_code
        == 405
    )


def test_the_excel_export_has_a_frozen_header_a_filter_numbers_and_a_telling_name(
    login, national_admin, sipas, son_la
):
    client = login(national_admin)
    workbook = client.get(reverse(EXPORT, args=["xlsx"]), {"period": 2022})
    today = timezone.localdate().isoformat()
    assert f"chi-so-hai-long_tinh_2022_{today}.xlsx" in workbook["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert sheet.freeze_panes == "B2"
    assert (
        sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}64"
    )
    header = [cell.value for cell in sheet[1]]
    for column in ("vùng", "bản đồ hành chính", "độ chắc chắn", "năm"):
        assert column in header
    assert sheet.column_dimensions["A"].width >= 30
    son_la_row = next(
        row for row in sheet.iter_rows(min_row=2) if row[0].value == son_la.name_vi
    )
    values = dict(zip(header, (cell.value for cell in son_la_row), strict=True))
    assert values["năm"] == 2022 and isinstance(values["năm"], int)
    assert values["chỉ số chung (%)"] == 82.18
    assert values["vùng"] == son_la.region.name_vi
    csv_export = client.get(reverse(EXPORT, args=["csv"]), {"period": 2022})
    assert f"chi-so-hai-long_tinh_2022_{today}.csv" in csv_export["Content-Disposition"]
    assert list(_csv(csv_export)[0]) == header


def test_a_province_page_links_to_the_same_units_figure_on_the_other_map(
    login, son_la_official, sipas, son_la
):
    value = _year(son_la.id)
    successor = _year(son_la.successor_id)
    html = (
        login(son_la_official)
        .get(reverse("admin:indicators_indicatorvalue_change", args=[value.pk]))
        .content.decode()
    )
    assert "(63 tỉnh)" in html
    link = reverse("admin:indicators_indicatorvalue_change", args=[successor.pk])
    assert f'href="{link}"' in html and "(34 tỉnh, thành từ 1/7/2025)" in html


def test_agencies_are_ranked_in_their_province_and_among_their_kind(
    login, son_la_official, rollup, son_la_centre
):
    from indicators.engine.figures import figures_refresh_dirty
    from surveys.models import Agency

    justice = Agency.objects.get(code="14-stp")
    other_centres = Agency.objects.filter(code__in=["12-centre", "11-centre"])
    for agency, rate in [(son_la_centre, 78), (justice, 70)]:
        rollup.add_uniform(agency=agency, month=202206, rate=rate, answered=100)
    for agency in other_centres:
        rollup.add_uniform(agency=agency, month=202206, rate=90, answered=100)
    rollup.write()
    figures_refresh_dirty()
    client = login(son_la_official)
    html = client.get(reverse(BELOW), {"year": 2022, "level": 1}).content.decode()
    assert _overview_rows(html) == [justice.name_vi, son_la_centre.name_vi]
    centre = IndicatorValue.objects.get(
        level=Level.AGENCY, unit_id=son_la_centre.id, period_kind=3, period_key=2022
    )
    page = client.get(
        reverse("admin:indicators_indicatorvalue_change", args=[centre.pk])
    ).content.decode()
    # First of Sơn La's two agencies; third of the three provincial centres.
    assert 'class="agency-rank-province">1/2<' in page
    assert 'class="agency-rank-kind">3/3<' in page


def test_the_review_list_ranks_agencies_in_their_province_and_among_their_kind(
    login, son_la_official, rollup, son_la_centre
):
    from indicators.engine.figures import figures_refresh_dirty
    from surveys.models import Agency

    justice = Agency.objects.get(code="14-stp")
    for agency, rate in [(son_la_centre, 78), (justice, 70)]:
        rollup.add_uniform(agency=agency, month=202206, rate=rate, answered=100)
    for agency in Agency.objects.filter(code__in=["12-centre", "11-centre"]):
        rollup.add_uniform(agency=agency, month=202206, rate=90, answered=100)
    rollup.write()
    figures_refresh_dirty()
    html = (
        login(son_la_official)
        .get(reverse(LIST), {"level": 1, "period": 2022})
        .content.decode()
    )
    rows = rows_of(html)
    centre = rows[son_la_centre.name_vi]
    # Third of the three provincial centres; first of Sơn La's two agencies.
    assert re.sub(r"<[^>]+>", "", centre["national_rank"]).strip() == (
        "3/3 (cơ quan cùng loại)"
    )
    assert re.sub(r"<[^>]+>", "", centre["region_rank"]).strip() == "1/2 (trong tỉnh)"
    assert "2/2" in rows[justice.name_vi]["region_rank"]
