"""The survey on a phone: one row of answers per criterion, touch targets of
44 px, the page at most 6,000 px tall at 360 px, at most 30 taps to complete.
The figures measured are written to test-artifacts/survey-figures.txt (and
reported in docs/survey.md)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from surveys.models import Response
from tests.browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium

QR = "/s/14-centre/?procedure=HT-KS&channel=in_person"
MAX_HEIGHT = 6000
MAX_TAPS = 30
TOUCH = 44


@pytest.fixture
def quick(reference_data, settings):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


def record(line: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "survey-figures.txt", "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


ROWS = """() => [...document.querySelectorAll('fieldset.criterion')].map(set => {
  const boxes = [...set.querySelectorAll('label.level')].map(label => {
    const r = label.getBoundingClientRect();
    return [Math.round(r.top), Math.round(r.width), Math.round(r.height)];
  });
  return {id: set.id, boxes};
})"""


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("width,height", [(360, 740), (1280, 800)])
def test_each_criterion_is_one_row_of_large_targets(
    live_server, quick, language, width, height
):
    with browser_page(width=width, height=height, timeout_ms=10_000) as page:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(live_server.url + QR)
        rows = page.evaluate(ROWS)
        assert len(rows) == 23
        for row in rows:
            tops = {top for top, _w, _h in row["boxes"]}
            assert len(row["boxes"]) == 6 and len(tops) == 1, row
            assert all(w >= TOUCH and h >= TOUCH for _t, w, h in row["boxes"]), row
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        progress = page.locator(".progress").all_inner_texts()
        label = "Phần" if language == "vi" else "Part"
        assert progress == [f"{label} {n}/5" for n in range(1, 6)]
        tall = page.evaluate("document.documentElement.scrollHeight")
        record(f"height {language} {width}x{height}: {tall} px")
        if width == 360:
            assert tall <= MAX_HEIGHT
        page.screenshot(
            path=str(ARTIFACTS / f"survey-{language}-{width}.png"), full_page=True
        )


def test_a_scripted_completion_takes_at_most_30_taps(live_server, quick):
    with browser_page(width=360, height=740, timeout_ms=10_000) as page:
        page.goto(live_server.url + QR)
        taps = 0
        codes = page.eval_on_selector_all(
            "fieldset.criterion", "sets => sets.map(s => s.id.slice(10))"
        )
        for code in codes:
            page.click(f"label[for='q-{code}-5']")
            taps += 1
        with page.expect_navigation():
            page.click(".submit")
        taps += 1
        assert page.url.endswith("/s/14-centre/thanks/")
        record(f"taps to complete (QR link, every criterion answered): {taps}")
        page.screenshot(path=str(ARTIFACTS / "thanks-vi-360.png"))
    assert taps <= MAX_TAPS
    assert Response.objects.get().answers == "5" * 23
