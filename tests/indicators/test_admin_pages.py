"""A unit's page with its chart, the below-target overview, exports of what the
list shows, the recompute button and the refresh line, for each role."""

from __future__ import annotations

import csv
import io
import re

from django.db.models import Q
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
    from indicators.values import values_refresh_dirty

    values_refresh_dirty()
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


def test_the_below_target_overview_groups_flagged_provinces_by_region(
    login, national_admin, sipas
):
    html = login(national_admin).get(reverse(BELOW), {"year": 2022}).content.decode()
    below = IndicatorValue.objects.filter(
        period_key=2022, period_kind=3, status="below"
    ).filter(Q(level=Level.PROVINCE, map=2008) | Q(level=Level.AGENCY))
    assert below.filter(level=Level.PROVINCE).count() == 30
    assert html.count('class="status-badge status-below"') == below.count()
    assert html.count('<section class="region-group">') == len(
        {v.region_id for v in below}
    )
    # The print styles, from a file: the policy forbids inline style.
    assert "indicators/print.css" in html


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
        pk=1, defaults={"refreshed_at": timezone.now()}
    )
    Reconciliation.objects.create(
        response_mark=1, review_mark=1, matched=False, differing_rows=3
    )
    client = login(son_la_official)
    page = client.get(reverse(LIST)).content.decode()
    assert "refresh-status" in page and "(3 " in page
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
