"""In a real browser, with and without JavaScript: answers survive a language
switch and an error; Back after the thank-you page, a second sending and a
double click store one response."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from surveys.models import Response
from tests.browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium

URL = "/s/14-centre/?procedure=HT-KS&channel=in_person"


@pytest.fixture
def quick(reference_data, settings):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


def answer_all(page, value: int = 4, skip: tuple[str, ...] = ()) -> int:
    """Tap one level for every criterion but those skipped; the number of taps."""
    taps = 0
    for code in page.eval_on_selector_all(
        "fieldset.criterion", "sets => sets.map(s => s.id.slice(10))"
    ):
        if code not in skip:
            page.click(f"label[for='q-{code}-{value}']")
            taps += 1
    return taps


def uid(page) -> str:
    return page.input_value("input[name=uid]")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_after_the_thank_you_page_then_submit_stores_nothing_new(
    live_server, quick, javascript
):
    with browser_page(
        width=360, height=740, timeout_ms=10_000, javascript=javascript
    ) as page:
        page.goto(live_server.url + URL)
        first_uid = uid(page)
        answer_all(page)
        with page.expect_navigation():
            page.click(".submit")
        assert page.url.endswith("/s/14-centre/thanks/")
        page.go_back()
        page.wait_for_selector(".submit")
        # The same page, with the same uid, comes back from the browser's cache.
        assert uid(page) == first_uid
        if not page.is_checked("#q-ACCESS_1-4"):
            answer_all(page)
        with page.expect_navigation():
            page.click(".submit")
        assert "again=1" in page.url
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Câu trả lời của ông/bà đã được ghi nhận trước đó"
        )
        page.screenshot(path=str(ARTIFACTS / f"back-submit-{page_js(javascript)}.png"))
    assert Response.objects.count() == 1


def page_js(javascript: bool) -> str:
    return "js" if javascript else "no-js"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_double_click_on_send_stores_one_response(live_server, quick, javascript):
    with browser_page(
        width=360, height=740, timeout_ms=10_000, javascript=javascript
    ) as page:
        page.goto(live_server.url + URL)
        answer_all(page)
        page.dblclick(".submit")
        # Without JavaScript the second click aborts the first click's
        # navigation: wait for where the page ends, not for one navigation.
        page.wait_for_url("**/thanks/**")
        page.wait_for_load_state()
        assert "/s/14-centre/thanks/" in page.url
    assert Response.objects.count() == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_answers_survive_an_error_and_a_language_switch(live_server, quick, javascript):
    with browser_page(
        width=360, height=740, timeout_ms=10_000, javascript=javascript
    ) as page:
        page.goto(live_server.url + URL)
        first_uid = uid(page)
        skipped = ("ACCESS_2", "OFFICIAL_3")
        answer_all(page, value=3, skip=skipped)
        page.click("label[for=id_gender_1]")
        page.fill("#id_suggestion", "Cần thêm ghế")
        with page.expect_navigation():
            page.click(".submit")
        assert page.title().startswith("Lỗi: ")
        summary = page.locator("#error-summary")
        assert summary.locator("h2").inner_text() == "Có 2 câu hỏi chưa được trả lời"
        assert summary.locator("a").count() == 2
        # Focus is on the summary (by autofocus without JavaScript).
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert page.get_attribute("#q-OFFICIAL_3-1", "aria-invalid") == "true"
        page.screenshot(path=str(ARTIFACTS / f"errors-{page_js(javascript)}-360.png"))
        for language, title in (("en", "Satisfaction"), ("vi", "Khảo sát")):
            with page.expect_navigation():
                page.click(f"button[value={language}]")
            assert page.locator("html").get_attribute("lang") == language
            # Not a submission: the answers are shown again, not judged.
            assert page.title().startswith(title)
            assert page.locator("input[type=radio][name^=q-]:checked").count() == 21
            assert page.is_checked("#q-FEEDBACK_4-3")
            assert page.is_checked("#id_gender_1")
            assert page.input_value("#id_suggestion") == "Cần thêm ghế"
            assert uid(page) == first_uid
        # The error summary's link leads to the unanswered question.
        page.click("label[for='q-ACCESS_2-5']")
        page.click("label[for='q-OFFICIAL_3-5']")
        with page.expect_navigation():
            page.click(".submit")
        assert page.url.endswith("/thanks/")
    stored = Response.objects.get()
    assert stored.answers == "35333333333533333333333"
    assert str(stored.uid) == first_uid
    assert stored.gender == 2 and stored.suggestion == "Cần thêm ghế"


def test_a_link_of_the_error_summary_moves_to_its_question(live_server, quick):
    with browser_page(width=360, height=740, timeout_ms=10_000) as page:
        page.goto(live_server.url + URL)
        answer_all(page, skip=("RESULT_2",))
        with page.expect_navigation():
            page.click(".submit")
        page.click("#error-summary a")
        assert page.evaluate("document.activeElement.id") == "q-RESULT_2-1"
        box = page.locator("#criterion-RESULT_2").bounding_box()
        assert box and 0 <= box["y"] < 740
