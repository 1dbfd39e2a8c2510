"""The public pages: no login, the national table and its sorting, a province's
page, Vietnamese by default, only published units and no free text."""

from __future__ import annotations

import re

from django.test import Client

from results.models import PublishedFigure


def _page(client: Client, url: str, language: str = "vi") -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_results_open_the_latest_published_year_without_login(published, client):
    response = client.get("/results/")
    assert response.status_code == 302
    assert response["Location"] == "/results/2022/"


def test_results_say_so_when_nothing_is_published(db, client):
    assert "Chưa có kết quả" in _page(client, "/results/")


def test_the_national_table_shows_ranks_mean_target_and_status_in_vietnamese(
    published, client
):
    html = _page(client, "/results/2022/")
    son_la = r'<tr class="meets">\s*<th[^>]*><a href="/results/2022/14/">.*?</tr>'
    row = re.search(son_la, html, re.S)
    assert row is not None
    assert "Sơn La" in row.group(0)
    assert "17/63" in row.group(0)
    assert "82,18" in row.group(0)
    assert "5/14" in row.group(0)
    assert "+12,18" in row.group(0)
    assert "+2,10" in row.group(0)
    assert "80,08%" in html
    assert "Chỉ số hài lòng năm 2022" in html


def test_the_national_table_is_in_english_when_asked(published, client):
    html = _page(client, "/results/2022/", "en")
    assert "Satisfaction index 2022" in html
    assert "82.18" in html


def test_the_table_sorts_by_a_column_without_javascript(published, client):
    html = _page(client, "/results/2022/?sort=name")
    names = re.findall(r'<th scope="row"><a href="/results/2022/\d+/">([^<]+)<', html)
    assert len(names) == 63
    assert names[0] == "An Giang"
    by_rank = _page(client, "/results/2022/?sort=unknown")
    first = re.search(r'<th scope="row"><a href="/results/2022/(\d+)/">', by_rank)
    top = PublishedFigure.objects.get(
        publication=published, level="province", rank_national=1
    )
    assert first.group(1) == top.code


def test_a_province_page_has_its_ranks_trend_elements_and_method(published, client):
    html = _page(client, "/results/2022/14/")
    assert "Sơn La" in html
    assert "17/63" in html and "5/14" in html
    assert "<svg" in html and "2021" in html
    assert "82,18" in html
    assert "Cách tính chỉ số" in html


def test_unknown_years_and_provinces_are_not_found(published, client):
    assert client.get("/results/2019/").status_code == 404
    assert client.get("/results/2022/99/").status_code == 404


def test_units_under_the_minimum_are_not_shown(sipas, client, settings):
    from results.services import publication_create

    settings.INDICATOR_MIN_RESPONDENTS = 5001
    publication_create(year=2022)
    html = _page(client, "/results/2022/")
    assert "/results/2022/14/" not in html
    assert "Sơn La: không công bố" in html
    assert client.get("/results/2022/14/").status_code == 404


def test_the_home_page_leads_to_the_published_results(db, client):
    html = client.get("/").content.decode()
    assert 'href="/results/"' in html
    assert "Kết quả công bố" in html
