"""axe-core finds no WCAG 2.1 A or AA violation on the citizen pages, in both
languages, at 360×740 and 1280×800; the focus ring and the skip link work."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from surveys.models import Channel, UsedInvitation
from surveys.services import invitation_batch_create, invitation_read
from tests.a11y import axe_violations, needs_axe
from tests.browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = [*needs_chromium, needs_axe]

SIZES = {"phone": (360, 740), "desktop": (1280, 800)}


@pytest.fixture
def used_invitation(reference_data, son_la_official) -> str:
    from surveys.models import Agency

    batch, tokens = invitation_batch_create(
        agency=Agency.objects.get(code="14-centre"),
        procedure=None,
        channel=Channel.POST,
        count=1,
        user=son_la_official,
    )
    invite = invitation_read(tokens[0])
    UsedInvitation.objects.create(
        token_hash=invite.token_hash, agency_id=invite.agency_id, batch_id=batch.id
    )
    return f"/s/i/{tokens[0]}/"


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        parts = colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]
        channels = []
        for part in parts:
            value = int(part) / 255
            channels.append(
                value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
            )
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_axe_finds_no_violation_on_the_citizen_pages(
    live_server, reference_data, used_invitation, settings, language, size
):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    width, height = SIZES[size]
    pages = {
        "survey": "/s/14-centre/",
        "thanks": "/s/14-centre/thanks/",
        "thanks-again": "/s/14-centre/thanks/?again=1",
        "invitation-used": used_invitation,
        "unknown-agency": "/s/nowhere/",
        "home": "/",
        "home-search": "/?q=son+la",
    }
    found = {}
    with browser_page(width=width, height=height, timeout_ms=15_000) as page:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for name, path in pages.items():
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == language
            found[name] = axe_violations(page)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{language}-{width}.png"))
        # The survey with errors: sent empty.
        page.goto(f"{live_server.url}/s/14-centre/?channel=online")
        with page.expect_navigation():
            page.click(".submit")
        assert page.title().startswith("Lỗi: " if language == "vi" else "Error: ")
        found["survey-errors"] = axe_violations(page)
        page.screenshot(path=str(ARTIFACTS / f"survey-errors-{language}-{width}.png"))
    cache.clear()
    assert {name: v for name, v in found.items() if v} == {}


def test_the_focus_ring_is_visible_and_the_skip_link_leads_to_the_content(
    live_server, reference_data
):
    with browser_page(width=360, height=740, timeout_ms=10_000) as page:
        page.goto(f"{live_server.url}/s/14-centre/")
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        box = skip.bounding_box()
        assert box and box["y"] >= 0 and box["height"] >= 24
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert contrast(ring, "rgb(255, 255, 255)") >= 3
        page.screenshot(path=str(ARTIFACTS / "skip-link-360.png"))
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # A radio of the scale: its ring against the page's white.
        page.focus("#q-ACCESS_1-1")
        page.keyboard.press("ArrowRight")
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()"
        )
        assert style[0] != "none" and float(style[1].rstrip("px")) >= 2
        assert contrast(style[2], "rgb(255, 255, 255)") >= 3
        # The language buttons, on the blue header.
        page.focus("button[value=en]")
        header = page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert contrast(ring, header) >= 3
