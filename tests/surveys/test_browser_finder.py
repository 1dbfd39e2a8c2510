"""The home page finder in a real browser, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium


def visible_agencies(page) -> list[str]:
    return page.eval_on_selector_all(
        ".agency-list a",
        "links => links.filter(a => a.checkVisibility()).map(a => a.textContent)",
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_citizen_finds_an_agency_of_son_la_typing_without_accents(
    live_server, reference_data, javascript
):
    with browser_page(
        width=360, height=740, timeout_ms=10_000, javascript=javascript
    ) as page:
        page.goto(live_server.url + "/")
        assert page.locator("details.province").count() == 35
        page.fill("#finder-q", "son la")
        if javascript:
            # A locator waits without evaluating a string in the page, which
            # the Content-Security-Policy (no 'unsafe-eval') would refuse.
            expect(page.locator("#finder-count")).to_contain_text("7")
        else:
            with page.expect_navigation():
                page.press("#finder-q", "Enter")
            assert "q=son+la" in page.url
        names = visible_agencies(page)
        assert len(names) == 7 and all(name.endswith("Sơn La") for name in names)
        page.screenshot(
            path=str(ARTIFACTS / f"finder-{'js' if javascript else 'no-js'}.png")
        )
        with page.expect_navigation():
            page.click("text=Trung tâm Phục vụ hành chính công Sơn La")
        assert page.url.endswith("/s/14-centre/")
        assert page.locator("fieldset.criterion").count() == 23


def test_every_agency_is_one_tap_on_a_province_away(live_server, reference_data):
    with browser_page(width=360, height=740, timeout_ms=10_000) as page:
        page.goto(live_server.url + "/")
        assert visible_agencies(page) == []
        page.click("summary:has-text('Sơn La')")
        assert len(visible_agencies(page)) == 7
