"""Roles in the admin: responses read-only and scoped, suggestions shown to the
responsible officials, roles assigned by national administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import Official
from tests.conftest import PASSWORD
from tests.factories import ResponseFactory


@pytest.fixture
def login(client):
    def as_user(user):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user


@pytest.fixture
def suggestion(questionnaire, son_la_centre):
    return ResponseFactory(
        questionnaire=questionnaire,
        agency=son_la_centre,
        answers="4" * 23,
        suggestion="Cần thêm chỗ ngồi chờ và bảng hướng dẫn",
    )


def test_the_responsible_official_reads_a_response_and_its_suggestion(
    login, son_la_official, agency_official, suggestion
):
    detail = reverse("admin:surveys_response_change", args=[suggestion.pk])
    for user in (son_la_official, agency_official):
        client = login(user)
        listing = client.get(
            reverse("admin:surveys_response_changelist"), {"suggestion": "yes"}
        ).content.decode()
        assert "Cần thêm chỗ ngồi chờ" in listing
        page = client.get(detail)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Cần thêm chỗ ngồi chờ và bảng hướng dẫn" in html
        assert 'name="_save"' not in html  # read-only


def test_another_provinces_official_gets_404_for_the_response(
    login, quang_ninh_official, suggestion
):
    client = login(quang_ninh_official)
    for name in ("change", "history", "delete"):
        url = reverse(f"admin:surveys_response_{name}", args=[suggestion.pk])
        assert client.get(url).status_code == 404, name
    listing = client.get(reverse("admin:surveys_response_changelist")).content.decode()
    assert "Cần thêm chỗ ngồi chờ" not in listing


def test_only_national_administrators_assign_roles(
    login, national_admin, son_la_official, son_la
):
    url = reverse("admin:surveys_official_changelist")
    assert login(son_la_official).get(url).status_code == 403
    client = login(national_admin)
    assert client.get(url).status_code == 200
    official = Official.objects.get(user=son_la_official)
    changed = client.post(
        reverse("admin:surveys_official_change", args=[official.pk]),
        {
            "user": son_la_official.pk,
            "role": Official.Role.PROVINCE,
            "province": son_la.pk,
            "agency": "",
        },
    )
    assert changed.status_code == 302
    official.refresh_from_db()
    assert official.province == son_la


def test_a_staff_member_without_a_role_sees_no_survey_data(
    client, django_user_model, suggestion
):
    django_user_model.objects.create_user(
        username="no-role", password=PASSWORD, is_staff=True
    )
    assert client.login(username="no-role", password=PASSWORD)
    assert client.get(reverse("admin:surveys_response_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:indicators_indicatorvalue_changelist")).status_code
        == 403
    )
