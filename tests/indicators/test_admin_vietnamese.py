"""Every visible string of the officials' pages is Vietnamese in the Vietnamese
interface: a text that reads the same in the English interface and is made of
English words is a string left untranslated. Each page's title says what it is."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue, Level
from tests.factories import ResponseFactory

# Words that read the same in both languages: formats, codes, the product.
SAME_IN_BOTH = {"csv", "excel", "xlsx", "sipas", "api", "qr", "png", "svg", "id"}


class _Text(HTMLParser):
    """Visible text (not scripts, styles or the hidden SVG symbols), and the
    page's title."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skip = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "svg", "template"}:
            self.skip += 1
        self._in_title = tag == "title"
        for name, value in attrs:
            if name in {"title", "aria-label", "placeholder", "alt"} and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "svg", "template"} and self.skip:
            self.skip -= 1
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if not self.skip and data.strip():
            self.texts.append(data.strip())


def _read(client, url: str, language: str) -> _Text:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Text()
    parser.feed(response.content.decode())
    return parser


def _english(text: str) -> bool:
    """Whether a text is made of English words: codes (ACCESS_1, sipas-default
    v1, a response's id) are not."""
    words = [
        w
        for w in text.split()
        if re.fullmatch(r"[A-Za-z]{2,}[.,:;!?…)]*", w) and w.lower() not in SAME_IN_BOTH
    ]
    return bool(words) and not re.fullmatch(r"[\w\-.]*\d[\w\-. ]*", text)


def untranslated(client, url: str, names: set[str]) -> list[str]:
    vietnamese = _read(client, url, "vi")
    english = set(_read(client, url, "en").texts)
    return [
        text
        for text in vietnamese.texts
        if text in english
        and _english(text)
        and not any(name in text for name in names)
        and text.isascii()
    ]


@pytest.fixture
def journey(sipas, son_la, son_la_centre, questionnaire) -> list[str]:
    value = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=son_la.id, period_kind=3, period_key=2022
    )
    response = ResponseFactory(questionnaire=questionnaire, agency=son_la_centre)
    return [
        reverse("admin:index"),
        reverse("admin:indicators_indicatorvalue_changelist"),
        reverse("admin:indicators_indicatorvalue_change", args=[value.pk]),
        reverse("admin:indicators_indicatorvalue_below_target") + "?year=2022",
        reverse("admin:indicators_scorecard_changelist"),
        reverse("admin:surveys_response_changelist"),
        reverse("admin:surveys_response_change", args=[response.pk]),
        reverse("admin:surveys_agency_invitations", args=[son_la_centre.pk]),
    ]


def test_no_page_of_the_officials_journey_shows_an_untranslated_string(
    login, son_la_official, journey, son_la, son_la_centre
):
    client = login(son_la_official)
    names = {son_la.name_vi, son_la.name_en, son_la_centre.name_vi, "son-la"}
    found = {url: untranslated(client, url, names) for url in journey}
    left = {url: texts for url, texts in found.items() if texts}
    assert left == {}


def test_the_national_administrators_index_is_vietnamese_too(login, national_admin):
    client = login(national_admin)
    found = untranslated(client, reverse("admin:index"), {"national"})
    assert found == []


def test_each_list_is_titled_by_what_it_shows(login, son_la_official, journey):
    client = login(son_la_official)
    for url in journey[1:2] + journey[4:6]:
        title = _read(client, url, "vi").title
        assert not title.startswith("Chọn "), title
