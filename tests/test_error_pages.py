"""With DEBUG off, citizens who meet an error read a page in their language that
leads back home, not Django's technical one."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def no_inline_code(html: str) -> bool:
    """Nothing a Content-Security-Policy without 'unsafe-inline' would block."""
    return not re.search(r"<script(?![^>]*\ssrc=)|<style|\sstyle=", html, re.I)


@pytest.mark.django_db
def test_an_unknown_address_answers_the_friendly_page_in_vietnamese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert '<a href="/">Về trang chủ</a>' in html
    assert no_inline_code(html)


@pytest.mark.django_db
def test_the_friendly_404_page_follows_the_chosen_language(client):
    client.cookies["django_language"] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html
    assert "Back to the home page" in html


def test_a_server_error_answers_the_friendly_page_in_both_languages():
    for language, title in [("vi", "Đã xảy ra sự cố"), ("en", "Something went wrong")]:
        with translation.override(language):
            response = server_error(RequestFactory().get("/s/14-centre/"))
        html = response.content.decode()
        assert response.status_code == 500
        assert title in html
        assert '<a href="/">' in html
        assert no_inline_code(html)
