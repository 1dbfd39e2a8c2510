"""The accessibility check itself: on a page built to break WCAG 2.1 AA, axe
reports each broken rule, so that an empty list from the other browser tests
means something."""

from __future__ import annotations

from tests.a11y import axe_violations, needs_axe
from tests.browser import browser_page, needs_chromium

pytestmark = [*needs_chromium, needs_axe]

BROKEN = """<!doctype html>
<html><head><title>Khảo sát</title></head>
<body><main>
  <h1>Khảo sát mức độ hài lòng</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <p style="color:#bbb;background:#fff">Chữ nhạt trên nền trắng</p>
  <input type="text" name="agency">
</main></body></html>"""


def test_axe_reports_each_rule_a_page_breaks():
    with browser_page(width=360, height=740, timeout_ms=15_000) as page:
        page.set_content(BROKEN)
        found = {violation["id"] for violation in axe_violations(page)}
    assert {"html-has-lang", "image-alt", "color-contrast", "label"} <= found
