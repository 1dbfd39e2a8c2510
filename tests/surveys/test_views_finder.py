"""The home page finder and the friendly page of an unknown or closed survey."""

from __future__ import annotations

import re
from pathlib import Path

from surveys.models import Agency
from surveys.selectors import reference_cache_clear


def test_the_home_page_reaches_every_active_agency(client, questionnaire):
    html = client.get("/").content.decode()
    links = set(re.findall(r'href="/s/([^/"]+)/"', html))
    active = set(Agency.objects.filter(active=True).values_list("code", flat=True))
    assert links == active and len(active) == 449
    # Grouped by the 34 units of the current map, and the central agencies.
    assert html.count('<details class="province"') == 34 + 1


def test_the_search_ignores_diacritics_and_case(client, questionnaire):
    html = client.get("/", {"q": "son la"}).content.decode()
    names = re.findall(r'<a href="/s/[^"]+/">([^<]+)</a>', html)
    assert names and all("Sơn La" in name for name in names)
    assert "Trung tâm Phục vụ hành chính công Sơn La" in names
    assert "Tìm thấy" in html
    html = client.get("/", {"q": "TU PHAP son la"}).content.decode()
    assert re.findall(r'<a href="/s/([^"]+)/">', html) == ["14-stp"]


def test_a_merged_province_lists_the_agencies_of_its_former_units(
    client, questionnaire
):
    # Hà Giang joined Tuyên Quang in the 2025 map: found under both names.
    html = client.get("/", {"q": "ha giang"}).content.decode()
    units = re.findall(r"<summary>([^<]+) <span", html)
    assert "Tuyên Quang" in units
    assert "Sở Tư pháp Hà Giang" in html


def test_a_search_that_finds_nothing_says_so(client, questionnaire):
    html = client.get("/", {"q": "zzzz"}).content.decode()
    assert "Không có cơ quan nào phù hợp" in html


def test_an_unknown_agency_gets_a_friendly_page_leading_to_the_finder(
    client, questionnaire
):
    page = client.get("/s/nowhere/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 404
    assert '<html lang="vi">' in html
    assert "Không tìm thấy phiếu khảo sát" in html
    assert 'href="/"' in html and "Tìm phiếu khảo sát của cơ quan" in html
    assert "Traceback" not in html and "Page not found" not in html


def test_a_closed_survey_gets_the_same_page(client, questionnaire, son_la_centre):
    Agency.objects.filter(pk=son_la_centre.pk).update(active=False)
    reference_cache_clear()
    for url in (f"/s/{son_la_centre.code}/", f"/s/{son_la_centre.code}/thanks/"):
        page = client.get(url)
        assert page.status_code == 404
        assert "Không tìm thấy phiếu khảo sát" in page.content.decode()


def test_a_qr_link_still_opens_its_survey_directly(client, questionnaire):
    page = client.get("/s/14-centre/?procedure=HT-KS&channel=in_person")
    assert page.status_code == 200
    assert "Nơi ngồi chờ có đủ chỗ ngồi" in page.content.decode()


def test_no_template_carries_inline_script_or_style():
    root = Path(__file__).resolve().parents[2]
    templates = [
        *root.glob("templates/*.html"),
        *root.glob("surveys/templates/**/*.html"),
    ]
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), template
