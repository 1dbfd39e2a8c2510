"""The officials' journey in a real browser: a provincial official signs in,
opens the below-target overview, a unit's page, the scorecard and the review
list, and exports; screenshots of each page go to test-artifacts/, at an office
screen and a phone's width. axe-core, injected into each page, finds no WCAG 2.1
A or AA violation on them, and at 1366 px the scorecard's fourteen columns fit,
in Vietnamese and in English."""

from __future__ import annotations

import pytest

from indicators.engine.figures import figures_refresh_dirty
from surveys.models import Agency
from tests.a11y import axe_violations, needs_axe
from tests.browser import ARTIFACTS, admin_sign_in, browser_page, needs_chromium

pytestmark = [*needs_chromium, needs_axe]


@pytest.fixture
def figures(live_server, rollup, son_la_centre):
    """Sơn La under the 80% target in 2021 and 2022, one of its agencies too."""
    justice = Agency.objects.get(code="14-stp")
    for year, rate in ((2021, 74), (2022, 77)):
        rollup.add_uniform(
            agency=son_la_centre, month=year * 100 + 6, rate=rate, answered=400
        )
        rollup.add_uniform(agency=justice, month=year * 100 + 6, rate=70, answered=60)
        rollup.write()
        figures_refresh_dirty()


SCORECARD = "/admin/indicators/scorecard/?period_kind__exact=3"
# The scorecard's fourteen columns beside each other, measured in the page.
SCORECARD_WIDTHS = (
    "[document.documentElement.scrollWidth,"
    " document.querySelector('#result_list').scrollWidth,"
    " document.querySelector('#changelist .results').clientWidth]"
)


def _violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page, as "rule: nodes"."""
    return [f"{v['id']}: {v['nodes']}" for v in axe_violations(page)]


def _journey(page, base: str, username: str, name: str) -> dict[str, list[str]]:
    admin_sign_in(page, base, username)
    found = {}

    page.goto(f"{base}/admin/indicators/indicatorvalue/below-target/?year=2022")
    assert page.locator("#below-target .below-row").count() >= 1
    page.screenshot(
        path=str(ARTIFACTS / f"journey-overview-{name}.png"), full_page=True
    )
    found["overview"] = _violations(page)

    with page.expect_navigation():
        page.locator("#below-target .below-row th a").first.click()
    assert page.locator("#unit-page").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"journey-unit-{name}.png"), full_page=True)
    found["unit"] = _violations(page)

    page.goto(f"{base}/admin/indicators/indicatorvalue/")
    assert page.locator("#result_list .status-badge").count() >= 1
    page.screenshot(path=str(ARTIFACTS / f"journey-list-{name}.png"), full_page=True)
    found["list"] = _violations(page)

    page.goto(f"{base}{SCORECARD}")
    assert page.locator("#result_list td.field-satisfaction").count() >= 1
    page.screenshot(
        path=str(ARTIFACTS / f"journey-scorecard-{name}.png"), full_page=True
    )
    found["scorecard"] = _violations(page)

    page.goto(f"{base}/admin/indicators/indicatorvalue/")
    with page.expect_download() as download:
        page.locator("a.export-xlsx").click()
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("chi-so-hai-long_tinh_") and saved.stat().st_size
    return found


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (360, 740)])
def test_a_provincial_official_walks_the_review_and_no_page_breaks_wcag_21_aa(
    live_server,
    figures,
    son_la_official,
    width,
    height,  # noqa: F811
):
    with browser_page(width=width, height=height, timeout_ms=20_000) as page:
        found = _journey(page, live_server.url, son_la_official.username, str(width))
        if width == 1366:
            # Status, rank and change in view without scrolling sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.goto(live_server.url + SCORECARD)
            page_width, table, room = page.evaluate(SCORECARD_WIDTHS)
            assert page_width <= width and table <= room
    assert {page_name: v for page_name, v in found.items() if v} == {}


def test_the_scorecard_fits_an_office_screen_in_english(
    live_server, figures, son_la_official
):
    with browser_page(
        width=1366, height=768, timeout_ms=20_000, locale="en-GB"
    ) as page:
        page.context.add_cookies(
            [{"name": "django_language", "value": "en", "url": live_server.url}]
        )
        admin_sign_in(page, live_server.url, son_la_official.username)
        page.goto(live_server.url + SCORECARD)
        assert "Scorecard of units by period" in page.content()
        page.screenshot(path=str(ARTIFACTS / "scorecard-1366-en.png"), full_page=True)
        page_width, table, room = page.evaluate(SCORECARD_WIDTHS)
    assert page_width <= 1366 and table <= room
