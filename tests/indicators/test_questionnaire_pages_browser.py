"""The pages that choose a questionnaire, in a real browser at a phone's and a
desktop's width, in Vietnamese and English: the review list and the below-target
overview (SIPAS or another questionnaire), the poster, the paper import and the
invitations. axe-core finds no violation."""

from __future__ import annotations

import pytest

from indicators.engine.figures import figures_refresh_dirty
from surveys.models import Agency, Province
from surveys.services.questionnaires import questionnaire_publish
from tests.a11y import axe_violations, needs_axe
from tests.browser import ARTIFACTS, admin_sign_in, browser_page, needs_chromium
from tests.indicators.engine.builders import RollupBuilder, centre
from tests.surveys.authoring import draft_with

pytestmark = [*needs_chromium, needs_axe]


@pytest.fixture
def two_questionnaires(live_server, rollup):
    """SIPAS and a health questionnaire, 2022, for four northern provinces."""
    health = questionnaire_publish(
        questionnaire=draft_with({"A": ["A1", "A2"], "B": ["B1"]})
    )
    provinces = Province.objects.filter(map=2008, code__in=["14", "12", "11", "04"])
    other = RollupBuilder(health)
    for number, province in enumerate(provinces.order_by("code")):
        rollup.add_uniform(
            agency=centre(province), month=202206, rate=70 + 5 * number, answered=200
        )
        other.add_uniform(
            agency=centre(province), month=202206, rate=60 + 10 * number, answered=200
        )
    rollup.write()
    other.write()
    figures_refresh_dirty()
    return health


@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_questionnaire_choices_read_well_and_pass_axe(
    live_server, two_questionnaires, national_admin, width, language
):
    agency = Agency.objects.get(code="14-centre")
    pages = {
        "review": "/admin/indicators/indicatorvalue/?questionnaire=health",
        "review-all": "/admin/indicators/indicatorvalue/?questionnaire=all",
        "below": "/admin/indicators/indicatorvalue/below-target/?year=2022"
        "&questionnaire=health",
        "poster": f"/admin/surveys/agency/{agency.pk}/poster/?questionnaire=health",
        "import": "/admin/surveys/response/import/?questionnaire=health",
        "invitations": f"/admin/surveys/agency/{agency.pk}/invitations/"
        "?questionnaire=health",
    }
    locale = "vi-VN" if language == "vi" else "en-GB"
    with browser_page(
        width=width, height=900, timeout_ms=15_000, locale=locale
    ) as page:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        admin_sign_in(page, live_server.url, national_admin.username)
        found = {}
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, name
            page.screenshot(
                path=str(ARTIFACTS / f"questionnaire-{name}-{width}-{language}.png"),
                full_page=True,
            )
            found[name] = axe_violations(page)
        assert found == dict.fromkeys(pages, [])
        # The review list of the health questionnaire: its four provinces only.
        page.goto(live_server.url + pages["review"])
        assert page.locator("#result_list tbody tr").count() == 4
