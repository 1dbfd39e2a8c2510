from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from surveys.models import InvitationBatch, Response
from tests.conftest import PASSWORD
from tests.factories import ResponseFactory
from tests.surveys.test_imports import _text, paper_rows


@pytest.fixture
def login(client):
    def as_user(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user


def urls_for(agency) -> list[str]:
    return [
        reverse("admin:surveys_agency_qr", args=[agency.pk, "png"]),
        reverse("admin:surveys_agency_qr", args=[agency.pk, "svg"]),
        reverse("admin:surveys_agency_poster", args=[agency.pk]),
        reverse("admin:surveys_agency_invitations", args=[agency.pk]),
    ]


def test_an_official_downloads_the_qr_codes_of_an_agency_in_scope(
    login, son_la_official, son_la_centre, settings
):
    settings.SITE_URL = "https://khaosat.example.gov.vn"
    client = login(son_la_official)
    png, svg, poster, invitations = (client.get(url) for url in urls_for(son_la_centre))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert "https://khaosat.example.gov.vn/s/14-centre/" in poster.content.decode()
    assert invitations.status_code == 200


def test_another_provinces_official_gets_404_for_every_agency_page(
    login, quang_ninh_official, son_la_centre, quang_ninh_centre
):
    client = login(quang_ninh_official)
    assert [client.get(url).status_code for url in urls_for(son_la_centre)] == [404] * 4
    created = client.post(
        urls_for(son_la_centre)[3], {"channel": 1, "count": 3, "output": "csv"}
    )
    assert created.status_code == 404
    assert not InvitationBatch.objects.exists()
    assert client.get(urls_for(quang_ninh_centre)[0]).status_code == 200
    listing = client.get(reverse("admin:surveys_agency_changelist") + "?q=centre")
    assert "22-centre" in listing.content.decode()
    assert "14-centre" not in listing.content.decode()


def test_invitation_links_come_as_a_csv_and_each_opens_the_survey(
    login, son_la_official, son_la_centre, questionnaire
):
    client = login(son_la_official)
    result = client.post(
        urls_for(son_la_centre)[3],
        {"channel": 3, "count": 5, "output": "csv", "procedure": ""},
    )
    assert result.status_code == 200
    rows = list(csv.DictReader(io.StringIO(result.content.decode())))
    assert len(rows) == 5 and len({row["đường dẫn"] for row in rows}) == 5
    batch = InvitationBatch.objects.get()
    assert (batch.count, batch.agency, batch.created_by) == (
        5,
        son_la_centre,
        son_la_official,
    )
    client.logout()
    path = rows[0]["đường dẫn"].split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200

    printable = login(son_la_official).post(
        urls_for(son_la_centre)[3], {"channel": 1, "count": 2, "output": "html"}
    )
    assert printable.content.decode().count("<svg") == 2


def test_responses_are_listed_within_scope_and_reviewed(
    login, son_la_official, quang_ninh_official, son_la_centre, questionnaire
):
    response = ResponseFactory(questionnaire=questionnaire, agency=son_la_centre)
    changelist = reverse("admin:surveys_response_changelist")
    other = login(quang_ninh_official)
    assert str(response.uid) not in other.get(changelist).content.decode()
    other.post(
        changelist,
        {"action": "mark_suspicious", "_selected_action": [response.pk]},
    )
    response.refresh_from_db()
    assert response.status == Response.Status.ACCEPTED
    other.logout()

    mine = login(son_la_official)
    assert str(response.uid) in mine.get(changelist).content.decode()
    mine.post(
        changelist, {"action": "mark_suspicious", "_selected_action": [response.pk]}
    )
    response.refresh_from_db()
    assert response.status == Response.Status.SUSPICIOUS
    assert response.reviews.get().reviewed_by == son_la_official


def test_paper_import_in_the_admin_keeps_to_the_officials_agencies(
    login, son_la_official, national_admin, questionnaire
):
    rows = paper_rows(questionnaire, 4)  # alternate Quảng Ninh and Sơn La
    upload = io.BytesIO(_text(questionnaire, rows).getvalue().encode())
    upload.name = "paper.csv"
    url = reverse("admin:surveys_response_import")
    refused = login(son_la_official).post(url, {"file": upload})
    page = refused.content.decode()
    # The admin speaks Vietnamese unless the official asks otherwise.
    assert "dòng 2, cột agency" in page and "dòng 4, cột agency" in page
    assert not Response.objects.exists()

    upload.seek(0)
    accepted = login(national_admin).post(url, {"file": upload})
    assert "Đã đọc 4 dòng, nhập mới 4" in accepted.content.decode()
    assert Response.objects.count() == 4


def test_a_response_reads_as_criteria_and_answers_in_words_with_flags_named(
    login, son_la_official, son_la_centre, questionnaire
):
    criteria = questionnaire.criteria.count()
    flagged = ResponseFactory(
        questionnaire=questionnaire,
        agency=son_la_centre,
        answers="5" + "0" + "4" * (criteria - 2),
        flags=Response.Flag.TOO_FAST | Response.Flag.BURST,
        status=Response.Status.SUSPICIOUS,
    )
    clean = ResponseFactory(questionnaire=questionnaire, agency=son_la_centre)
    client = login(son_la_official)
    detail = client.get(
        reverse("admin:surveys_response_change", args=[flagged.pk])
    ).content.decode()
    first = questionnaire.criteria.order_by("position").first()
    assert first.text_vi in detail and "Rất hài lòng" in detail
    assert "4" * (criteria - 2) not in detail
    assert (
        detail.count("Dấu hiệu khi tiếp nhận") + detail.count("dấu hiệu khi tiếp nhận")
        == 1
    )
    changelist = reverse("admin:surveys_response_changelist")
    listing = client.get(changelist).content.decode()
    for flag in Response.Flag:
        assert f"?flag={flag.value}" in listing
    fast = client.get(changelist, {"flag": Response.Flag.TOO_FAST}).content.decode()
    assert str(flagged.uid) in fast and str(clean.uid) not in fast
    honeypot = client.get(changelist, {"flag": Response.Flag.HONEYPOT})
    assert str(flagged.uid) not in honeypot.content.decode()
    none = client.get(changelist, {"flag": "none"}).content.decode()
    assert str(clean.uid) in none and str(flagged.uid) not in none


def test_the_import_page_offers_templates_and_the_csv_template_imports_as_is(
    login, son_la_official, son_la_centre, questionnaire
):
    client = login(son_la_official)
    page = client.get(reverse("admin:surveys_response_import")).content.decode()
    assert "import/template.xlsx" in page and "import/template.csv" in page
    assert "<code>gender</code>" in page  # the columns in a table, not one line
    template = client.get(
        reverse("admin:surveys_response_import_template", args=["csv"])
    )
    assert "mau-nhap-phieu-giay_" in template["Content-Disposition"]
    body = template.content.decode("utf-8-sig")
    assert son_la_centre.code in body
    upload = io.BytesIO(body.encode())
    upload.name = "mau.csv"
    done = client.post(reverse("admin:surveys_response_import"), {"file": upload})
    assert done.status_code == 200
    assert Response.objects.filter(agency=son_la_centre).count() == 1
    workbook = client.get(
        reverse("admin:surveys_response_import_template", args=["xlsx"])
    )
    from openpyxl import load_workbook

    sheets = load_workbook(io.BytesIO(workbook.content))
    codes = [row[0] for row in sheets.worksheets[1].iter_rows(values_only=True)]
    assert "channel" in codes and "gender" in codes and "ACCESS_1" in codes
