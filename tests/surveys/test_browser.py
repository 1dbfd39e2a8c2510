"""The survey in a real browser, by keyboard alone, on a 360 px wide screen."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from surveys.models import Response, Source
from tests.browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium

CRITERIA = 23


@pytest.fixture
def page(live_server, reference_data, settings):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    # A phone set to Vietnamese; English is reached by the switch on the page.
    with browser_page(width=360, height=740, timeout_ms=10_000) as page:
        yield page
    cache.clear()


def active(page, expression: str = "id"):
    return page.evaluate(
        f"document.activeElement && document.activeElement.{expression}"
    )


def tab_until(page, predicate, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate():
            return
    raise AssertionError("focus never reached the expected element")


def choose(page, value: int) -> None:
    """With focus on the first radio of a group (value 1): select `value` with the
    arrow keys (1 to 5, then 0 "does not apply"), or Space for the first."""
    if value == 1:
        page.keyboard.press("Space")
        return
    for _ in range({2: 1, 3: 2, 4: 3, 5: 4, 0: 5}[value]):
        page.keyboard.press("ArrowDown")


def answer_survey(page, values: list[int | None]) -> None:
    """From the top of the page, answer each criterion in turn (None: skip it)."""
    tab_until(page, lambda: active(page) == "q-ACCESS_1-1")
    for index, value in enumerate(values):
        assert (active(page, "name") or "").startswith("q-"), index
        # The focused radio shows its focus ring.
        assert (
            page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            != "none"
        )
        if value is not None:
            choose(page, value)
        if index < len(values) - 1:
            page.keyboard.press("Tab")


def submit_by_keyboard(page) -> None:
    tab_until(page, lambda: active(page, "className") == "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_citizen_completes_the_survey_in_vietnamese_by_keyboard(page, live_server):
    page.goto(f"{live_server.url}/s/14-centre/?procedure=HT-KS&channel=in_person")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_text("Nơi ngồi chờ có đủ chỗ ngồi").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=str(ARTIFACTS / "survey-vi-360-screen.png"))
    values = [5, 4, 3, 2, 1, 0] + [4] * (CRITERIA - 6)
    answer_survey(page, values)
    # About you: skip the respondent type, choose "male" for gender.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert active(page, "name") == "gender"
    page.keyboard.press("ArrowDown")
    tab_until(page, lambda: active(page, "name") == "suggestion")
    page.keyboard.type("Cần thêm chỗ ngồi chờ")
    page.screenshot(path=str(ARTIFACTS / "survey-vi-360.png"), full_page=True)
    submit_by_keyboard(page)

    assert page.url.endswith("/s/14-centre/thanks/")
    assert (
        page.get_by_role("heading").first.inner_text() == "Cảm ơn!"
        or page.locator("h1").is_visible()
    )
    stored = Response.objects.get()
    assert stored.answers == "543210" + "4" * (CRITERIA - 6)
    assert stored.source == Source.WEB and stored.procedure.code == "HT-KS"
    assert (stored.gender, stored.respondent_type) == (2, None)
    assert stored.suggestion == "Cần thêm chỗ ngồi chờ"
    assert (stored.flags, stored.status) == (0, Response.Status.ACCEPTED)


def test_a_citizen_switches_to_english_and_completes_the_survey(page, live_server):
    page.goto(f"{live_server.url}/s/22-centre/")
    tab_until(page, lambda: active(page, "value") == "en")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("The waiting area has enough seats").is_visible()
    assert page.get_by_text("Very satisfied").first.is_visible()
    # The channel is asked when the link does not say it: "online" by arrow key.
    tab_until(page, lambda: active(page, "name") == "channel")
    page.keyboard.press("ArrowDown")
    answer_survey(page, [5] * CRITERIA)
    page.screenshot(path=str(ARTIFACTS / "survey-en-360.png"), full_page=True)
    submit_by_keyboard(page)
    assert page.url.endswith("/s/22-centre/thanks/")
    stored = Response.objects.get()
    assert stored.answers == "5" * CRITERIA
    assert stored.channel == 2
    assert stored.agency.code == "22-centre"


def test_a_missing_answer_is_shown_beside_it_and_the_rest_is_kept(page, live_server):
    page.goto(f"{live_server.url}/s/14-centre/?channel=post")
    values: list[int | None] = [3] * CRITERIA
    values[11] = None  # OFFICIAL_3
    answer_survey(page, values)
    submit_by_keyboard(page)

    error = page.locator("#criterion-OFFICIAL_3 #error-OFFICIAL_3")
    assert error.is_visible()
    page.screenshot(path=str(ARTIFACTS / "survey-error-360.png"), full_page=True)
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "survey-error-360-screen.png"))
    assert (
        page.locator("#criterion-OFFICIAL_3").get_attribute("aria-describedby")
        == "error-OFFICIAL_3"
    )
    assert page.locator(".field-error").count() == 1
    assert page.locator("#q-ACCESS_1-3").is_checked()
    assert page.locator("#q-FEEDBACK_4-3").is_checked()
    assert not Response.objects.exists()

    # Fix it by keyboard and send again.
    tab_until(page, lambda: active(page) == "q-OFFICIAL_3-1")
    choose(page, 4)
    submit_by_keyboard(page)
    assert page.url.endswith("/thanks/")
    stored = Response.objects.get()
    assert stored.answers == "3" * 11 + "4" + "3" * 11
    assert stored.channel == 3
