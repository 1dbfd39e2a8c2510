"""An official's review in a real browser: log in, filter to the provinces below
target in a year, open one, see its chart."""

from __future__ import annotations

import pytest

from indicators.engine.figures import figures_refresh_dirty
from surveys.models import Province
from tests.browser import ARTIFACTS, admin_sign_in, browser_page, needs_chromium
from tests.indicators.engine.builders import centre

pytestmark = needs_chromium


@pytest.fixture
def figures(live_server, rollup):
    """Eight northern provinces in 2021 and 2022; three below the 80% target."""
    codes = ["14", "12", "11", "04", "06", "08", "10", "15"]
    provinces = list(Province.objects.filter(map=2008, code__in=codes))
    for year, shift in ((2021, 0), (2022, 2)):
        for number, province in enumerate(sorted(provinces, key=lambda p: p.code)):
            rate = 72 + 3 * number + shift
            rollup.add_uniform(
                agency=centre(province), month=year * 100 + 6, rate=rate, answered=2000
            )
        rollup.write()
        figures_refresh_dirty()


@pytest.fixture
def page(live_server):
    with browser_page(width=1280, height=900, timeout_ms=15_000) as page:
        yield page


def test_an_official_filters_to_flagged_provinces_opens_one_and_sees_its_chart(
    page, live_server, figures, national_admin
):
    admin_sign_in(page, live_server.url, national_admin.username)
    page.goto(f"{live_server.url}/admin/indicators/indicatorvalue/")
    assert page.locator(".refresh-status").is_visible()
    assert page.locator("#result_list tbody tr").count() == 8

    page.locator('#changelist-filter a[href*="period=2022"]').first.click()
    page.wait_for_load_state()
    page.locator('#changelist-filter a[href*="status__exact=below"]').first.click()
    page.wait_for_load_state()
    assert "status__exact=below" in page.url and "period=2022" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert page.locator("#result_list .status-below").count() == 2

    with page.expect_navigation():
        rows.first.locator("th a").click()
    chart = page.locator("svg.trend-chart")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    assert chart.locator("polyline").count() == 4
    page.screenshot(path=str(ARTIFACTS / "admin-unit-chart.png"), full_page=True)
