"""An official's review in a real browser: log in, filter to the provinces below
target in a year, open one, see its chart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

from indicators.values import values_refresh_dirty
from surveys.models import Province
from tests.conftest import PASSWORD
from tests.indicators.test_rankings import _centre

# Playwright's sync API runs an event loop in this thread; the ORM calls the test
# makes between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"Chromium not found at {CHROMIUM} (install it or set CHROMIUM)",
    ),
]


@pytest.fixture
def figures(live_server, rollup):
    """Eight northern provinces in 2021 and 2022; three below the 80% target."""
    codes = ["14", "12", "11", "04", "06", "08", "10", "15"]
    provinces = list(Province.objects.filter(map=2008, code__in=codes))
    for year, shift in ((2021, 0), (2022, 2)):
        for number, province in enumerate(sorted(provinces, key=lambda p: p.code)):
            rate = 72 + 3 * number + shift
            rollup.add_uniform(
                agency=_centre(province), month=year * 100 + 6, rate=rate, answered=2000
            )
        rollup.write()
        values_refresh_dirty()


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="vi-VN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
        # The test's queries ran in Playwright's greenlet, which has its own
        # database connection: close it, or the test database cannot be dropped.
        connections.close_all()


def test_an_official_filters_to_flagged_provinces_opens_one_and_sees_its_chart(
    page, live_server, figures, national_admin
):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", national_admin.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
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
