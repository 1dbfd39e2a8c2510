"""A national administrator authors a questionnaire in a real browser: three
elements with a criterion each, a preview of the citizen page, publishing; a
citizen answers it at its link, and it has its own figure after a refresh."""

from __future__ import annotations

import pytest

from indicators.engine.pipeline import rollup_refresh
from indicators.models import IndicatorValue, Level, PeriodKind
from surveys.models import Questionnaire
from tests.browser import ARTIFACTS, admin_sign_in, browser_page, needs_chromium

pytestmark = needs_chromium

ELEMENTS = [
    ("ACCESS", "Tiếp cận dịch vụ", "Bác sĩ khám đúng giờ hẹn"),
    ("CARE", "Chăm sóc người bệnh", "Điều dưỡng hướng dẫn tận tình"),
    ("COST", "Chi phí", "Chi phí được công khai rõ ràng"),
]


@pytest.fixture
def page(live_server):
    with browser_page(width=1366, height=768, timeout_ms=15_000) as page:
        yield page


def save_and_continue(page) -> None:
    with page.expect_navigation():
        page.click("input[name=_continue]")


def test_an_administrator_creates_previews_and_publishes_a_questionnaire(
    page, live_server, national_admin, son_la_centre, settings
):
    settings.SURVEY_MIN_FILL_SECONDS = 0
    admin_sign_in(page, live_server.url, national_admin.username)

    page.goto(f"{live_server.url}/admin/surveys/questionnaire/add/")
    page.fill("#id_code", "health")
    page.fill("#id_title_vi", "Khảo sát sự hài lòng về dịch vụ y tế")
    page.fill("#id_title_en", "Satisfaction with health services")
    for index, (code, name, _text) in enumerate(ELEMENTS):
        page.click("#elements-group .add-row a")
        page.fill(f"#id_elements-{index}-position", str(index + 1))
        page.fill(f"#id_elements-{index}-code", code)
        page.fill(f"#id_elements-{index}-name_vi", name)
    save_and_continue(page)
    assert page.locator(".field-problems li").count() == 3  # no criteria yet

    for index, (code, _name, text) in enumerate(ELEMENTS):
        page.click("#criteria-group .add-row a")
        page.fill(f"#id_criteria-{index}-position", str(index + 1))
        page.select_option(f"#id_criteria-{index}-element", index=index + 1)
        page.fill(f"#id_criteria-{index}-code", f"{code}_1")
        page.fill(f"#id_criteria-{index}-text_vi", text)
    save_and_continue(page)
    assert page.locator(".field-problems li").count() == 0
    page.screenshot(path=str(ARTIFACTS / "authoring-draft.png"))

    with page.expect_navigation():
        page.click(".field-preview_link a")
    assert page.locator("h1").inner_text() == "Khảo sát sự hài lòng về dịch vụ y tế"
    assert page.locator("fieldset.criterion").count() == 3
    page.screenshot(path=str(ARTIFACTS / "authoring-preview.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/surveys/questionnaire/")
    draft = Questionnaire.objects.get(code="health")
    page.check(f"input[name=_selected_action][value='{draft.pk}']")
    page.select_option("select[name=action]", "publish")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert page.locator(".messagelist .success").count() == 1
    draft.refresh_from_db()
    assert draft.is_current and draft.status == Questionnaire.Status.PUBLISHED

    served = page.request.get(f"{live_server.url}/api/v1/questionnaires/health/")
    assert [e["code"] for e in served.json()["elements"]] == [
        code for code, _name, _text in ELEMENTS
    ]

    page.goto(f"{live_server.url}/s/{son_la_centre.code}/q/health/")
    for code, _name, _text in ELEMENTS:
        page.click(f"label[for='q-{code}_1-5']")
    with page.expect_navigation():
        page.click("button.submit")
    assert page.url.endswith(f"/s/{son_la_centre.code}/thanks/")

    rollup_refresh()
    figure = IndicatorValue.objects.get(
        definition__questionnaire=draft,
        level=Level.AGENCY,
        unit_id=son_la_centre.id,
        period_kind=PeriodKind.YEAR,
    )
    assert (figure.respondents, figure.value) == (1, 100.0)
