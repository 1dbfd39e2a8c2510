"""The public results in Chromium, on a 360 px phone and a desktop, in Vietnamese
and English: screenshots, no WCAG 2.1 A or AA violation found by axe-core, the map
usable from the keyboard."""

from __future__ import annotations

import json

import pytest

from tests.a11y import axe_violations, needs_axe
from tests.browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium

SIZES = [(360, 740), (1366, 768)]
PAGES = ["/results/2022/", "/results/2022/14/", "/results/data/"]


@needs_axe
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_public_pages_fit_the_screen_and_pass_axe(
    published, live_server, language, width, height
):
    with browser_page(width=width, height=height, timeout_ms=20_000) as page:
        # The language a person picks with the switch is kept in this cookie.
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for url in PAGES:
            page.goto(f"{live_server.url}{url}")
            name = url.strip("/").replace("/", "-")
            page.screenshot(
                path=str(ARTIFACTS / f"{name}-{language}-{width}.png"),
                full_page=True,
            )
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, url
            assert page.evaluate("document.documentElement.lang") == language
            violations = axe_violations(page)
            assert not violations, json.dumps(violations, ensure_ascii=False)


def test_the_map_is_reached_and_followed_by_keyboard(published, live_server):
    with browser_page(width=360, height=740, timeout_ms=20_000) as page:
        page.goto(f"{live_server.url}/results/2022/")
        for _ in range(200):
            page.keyboard.press("Tab")
            label = page.evaluate(
                "document.activeElement.closest('svg') &&"
                " document.activeElement.getAttribute('aria-label')"
            )
            if label:
                break
        assert label and "%" in label
        page.keyboard.press("Enter")
        page.wait_for_url("**/results/2022/*/")
        assert page.locator("h1").count() == 1
