"""Nothing lost, nothing counted twice: language switches, validation errors,
double clicks and Back after the thank-you page."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from surveys.models import Response
from tests.surveys.test_views import form_data, hidden


@pytest.fixture(autouse=True)
def unlimited(settings):
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


def checked(html: str, name: str, value: str) -> bool:
    return bool(re.search(rf'id="{name}-{value}" value="{value}" checked', html))


def test_vietnamese_is_shown_whatever_the_browser_asks_for(client, son_la_centre):
    page = client.get(f"/s/{son_la_centre.code}/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    html = page.content.decode()
    assert '<html lang="vi">' in html
    assert "Nơi ngồi chờ có đủ chỗ ngồi" in html
    assert page["Content-Language"] == "vi"


def test_english_is_shown_when_chosen_and_remembered_in_a_cookie(
    client, questionnaire, son_la_centre
):
    page = client.get(f"/s/{son_la_centre.code}/").content.decode()
    data = form_data(page, questionnaire, language="en")
    switched = client.post(f"/s/{son_la_centre.code}/", data)
    assert switched.status_code == 200
    cookie = switched.cookies["django_language"]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 30 * 24 * 3600
    later = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en">' in later
    assert "How satisfied are you" in later


def test_switching_language_keeps_every_answer_and_the_uid(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    page = client.get(url).content.decode()
    data = form_data(page, questionnaire, value=2, gender="1", suggestion="Nhanh")
    del data["q-OFFICIAL_3"]
    data["language"] = "en"
    html = client.post(url, data).content.decode()
    assert '<html lang="en">' in html
    assert "The waiting area has enough seats" in html
    assert checked(html, "q-ACCESS_1", "2") and checked(html, "q-FEEDBACK_4", "2")
    assert re.search(r'name="gender" value="1"[^>]*checked', html)
    assert "Nhanh" in html
    assert hidden(html, "uid") == data["uid"]
    # Not a submission: nothing is judged missing, nothing stored.
    assert "has-error" not in html and "error-summary" not in html
    assert not Response.objects.exists()


def test_answers_survive_an_error_then_a_switch_there_and_back(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    page = client.get(url).content.decode()
    data = form_data(page, questionnaire, value=3)
    for code in ("ACCESS_2", "OFFICIAL_3", "RESULT_1"):
        del data[f"q-{code}"]
    error = client.post(url, data).content.decode()
    assert "Có 3 câu hỏi chưa được trả lời" in error
    for language in ("en", "vi"):
        html = client.post(url, {**data, "language": language}).content.decode()
        assert f'<html lang="{language}">' in html
        answered = re.findall(r'name="q-[^"]+" id="[^"]+" value="\d" checked', html)
        assert len(answered) == 20
    fixed = {f"q-{code}": "4" for code in ("ACCESS_2", "OFFICIAL_3", "RESULT_1")}
    assert client.post(url, {**data, **fixed}).status_code == 302
    expected = ["3"] * 23
    for position in (2, 12, 16):
        expected[position - 1] = "4"
    assert Response.objects.get().answers == "".join(expected)


def test_a_page_sent_twice_is_stored_once_and_the_second_time_says_so(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    data = form_data(client.get(url).content.decode(), questionnaire)
    first = client.post(url, data)
    second = client.post(url, data)
    assert first["Location"] == f"/s/{son_la_centre.code}/thanks/"
    assert second["Location"] == f"/s/{son_la_centre.code}/thanks/?again=1"
    assert Response.objects.count() == 1
    again = client.get(second["Location"]).content.decode()
    assert "đã được ghi nhận trước đó" in again
    assert "chỉ được tính một lần" in again


def test_back_then_submit_with_other_answers_stores_nothing_new(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    data = form_data(client.get(url).content.decode(), questionnaire)
    client.post(url, data)
    changed = client.post(url, {**data, "q-ACCESS_1": "1"})
    assert changed.status_code == 409
    assert "đã được ghi nhận trước đó" in changed.content.decode()
    assert Response.objects.count() == 1


def test_the_empty_page_is_kept_for_back_and_a_page_with_answers_never(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    shown = client.get(url)
    assert "no-cache" in shown["Cache-Control"]
    assert "private" in shown["Cache-Control"]
    assert "no-store" not in shown["Cache-Control"]
    data = form_data(shown.content.decode(), questionnaire)
    del data["q-ACCESS_1"]
    assert "no-store" in client.post(url, data)["Cache-Control"]
    assert "no-store" in client.post(url, {**data, "language": "en"})["Cache-Control"]


def test_the_error_summary_links_each_unanswered_question(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    data = form_data(client.get(url).content.decode(), questionnaire)
    del data["q-OFFICIAL_3"]
    html = client.post(url, data).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Lỗi: ")
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert "Có 1 câu hỏi chưa được trả lời" in summary
    assert re.findall(r'href="([^"]+)"', summary) == ["#q-OFFICIAL_3-1"]
    assert "Công chức trả lời và giải thích đầy đủ các ý kiến" in summary
    radios = re.findall(r'<input type="radio" name="q-OFFICIAL_3"[^>]*>', html)
    assert len(radios) == 6 and all('aria-invalid="true"' in r for r in radios)
    assert html.count('aria-invalid="true"') == 6
    assert "Xin vui lòng" not in html


def test_an_over_long_suggestion_is_tied_to_its_message(
    client, questionnaire, son_la_centre, settings
):
    url = f"/s/{son_la_centre.code}/"
    data = form_data(client.get(url).content.decode(), questionnaire)
    data["suggestion"] = "x" * (settings.SURVEY_SUGGESTION_MAX_LENGTH + 5)
    html = client.post(url, data).content.decode()
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="suggestion-hint error-suggestion"' in textarea
    assert 'id="error-suggestion"' in html
    assert 'href="#id_suggestion"' in html


def test_options_read_in_sentence_case(client, son_la_centre):
    html = client.get(f"/s/{son_la_centre.code}/").content.decode()
    for label in ("Trực tiếp", "Nữ", "Nam", "Khác"):
        assert f"<span>{label}</span>" in html, label
    assert "<span>trực tiếp</span>" not in html and "<span>nữ</span>" not in html
    assert "Phần 2/5" in html and "Phần 5/5" in html
    assert "Các câu hỏi sau phần khảo sát" not in html


def test_a_damaged_hidden_field_is_said_at_the_top(
    client, questionnaire, son_la_centre
):
    url = f"/s/{son_la_centre.code}/"
    data = form_data(client.get(url).content.decode(), questionnaire, uid="x")
    result = client.post(url, data)
    assert result.status_code == 400
    assert 'id="error-summary"' in result.content.decode()
    assert not Response.objects.exists()
