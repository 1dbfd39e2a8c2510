"""The pages of the citizens' and the officials' journeys in Chromium, under the
Content-Security-Policy: none reports a violation (no inline script or style, no
resource from elsewhere), and the pages still work (the admin's scripts, the API
docs' Swagger UI)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import IndicatorValue, Level
from surveys.models import Agency, Province
from tests.browser import ARTIFACTS, browser_page, needs_chromium
from tests.conftest import PASSWORD
from tests.indicators.engine.builders import RollupBuilder

pytestmark = needs_chromium

# Recorded before any script of the page runs.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`
  );
});
"""


class Watched:
    """A browser page that gathers CSP violations and the console's CSP errors."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self.console.append(text)

    def visit(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(self.base + path)
        assert response.status == status, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(path)

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [], (where, violations)
        assert self.console == [], (where, self.console)


@pytest.fixture
def figures(live_server, questionnaire):
    """Two years of figures for the provinces of the North-West."""
    rollup = RollupBuilder(questionnaire)
    codes = ["14", "12", "11", "04"]
    provinces = list(Province.objects.filter(map=2008, code__in=codes))
    for year, shift in ((2021, 0), (2022, 2)):
        for number, province in enumerate(sorted(provinces, key=lambda p: p.code)):
            agency = Agency.objects.get(code=f"{province.code}-centre")
            rollup.add_uniform(
                agency=agency,
                month=year * 100 + 6,
                rate=74 + 3 * number + shift,
                answered=2000,
            )
        rollup.write()
        figures_refresh_dirty()


@pytest.fixture
def watched(live_server, settings):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    with browser_page(width=1280, height=900, timeout_ms=20_000) as page:
        yield Watched(page, live_server.url)
    cache.clear()


def test_the_citizens_journey_reports_no_policy_violation(watched):
    page = watched.page
    watched.visit("/")
    watched.visit("/s/14-centre/?procedure=HT-KS&channel=in_person")
    # Sent empty: the page again, with its error summary.
    with page.expect_navigation():
        page.click("button.submit")
    assert page.locator("#error-summary").is_visible()
    watched.assert_clean("survey errors")
    for radio in page.locator("input[type=radio][name^='q-'][value='4']").all():
        radio.check()
    with page.expect_navigation():
        page.click("button.submit")
    assert page.url.endswith("/s/14-centre/thanks/")
    watched.assert_clean("thank-you page")
    watched.visit("/s/no-such-agency/", status=404)
    watched.visit("/s/i/not-a-real-token/", status=404)


def test_the_officials_journey_reports_no_policy_violation(
    watched, figures, national_admin
):
    page = watched.page
    watched.visit("/admin/login/")
    page.fill("#id_username", national_admin.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    watched.assert_clean("login")
    son_la = IndicatorValue.objects.filter(
        level=Level.PROVINCE, period_key=2022
    ).first()
    for path in (
        "/admin/",
        "/admin/indicators/indicatorvalue/",
        f"/admin/indicators/indicatorvalue/{son_la.pk}/change/",
        "/admin/indicators/indicatorvalue/below-target/?year=2022",
        "/admin/indicators/scorecard/",
        "/admin/surveys/response/",
        "/admin/surveys/response/import/",
    ):
        watched.visit(path)
    # The admin's own scripts run: the sidebar filter is a script of its own.
    watched.visit("/admin/surveys/agency/")
    page.fill("#nav-filter", "resp")
    watched.assert_clean("admin sidebar filter")
    # The API docs: Swagger UI draws the operations from the schema.
    watched.visit("/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() > 3
    watched.assert_clean("API docs")
    page.screenshot(path=str(ARTIFACTS / "csp-api-docs.png"))
