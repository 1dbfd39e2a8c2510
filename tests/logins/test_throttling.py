"""Sign-in throttling: five failed sign-ins for one username from one address
lock that pair out for fifteen minutes, on the admin login and on the API's HTTP
Basic alike; the lockout says so in Vietnamese, is logged, and a national
administrator can lift it."""

from __future__ import annotations

import base64
import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

LOGIN = reverse("admin:login")
API = reverse("indicator-list")
LOCKOUTS = reverse("admin:axes_accessattempt_changelist")
LOCKED_VI = "tạm khóa"


def admin_login(client: Client, username: str, password: str, **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        **headers,
    )


def basic(username: str, password: str) -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def fail_five_times(client: Client, username: str, **headers) -> None:
    for _ in range(4):
        assert admin_login(client, username, "wrong", **headers).status_code == 200
    assert admin_login(client, username, "wrong", **headers).status_code == 429


@pytest.mark.django_db
def test_the_right_password_after_five_failures_is_refused_with_a_vietnamese_page(
    client, son_la_official, caplog
):
    caplog.set_level(logging.WARNING)
    fail_five_times(client, son_la_official.username)
    response = admin_login(client, son_la_official.username, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    page = response.content.decode()
    assert "<html" in page and LOCKED_VI in page.lower()
    assert "15 phút" in page and "quản trị viên cấp quốc gia" in page
    assert "_auth_user_id" not in client.session
    assert any("Locking out" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_four_failures_then_the_right_password_signs_in(client, son_la_official):
    for _ in range(4):
        admin_login(client, son_la_official.username, "wrong")
    response = admin_login(client, son_la_official.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(son_la_official.pk)


@pytest.mark.django_db
def test_the_lockout_holds_whatever_user_agent_or_forwarded_for_the_client_sends(
    client, son_la_official, settings
):
    settings.SURVEY_TRUSTED_PROXIES = 0
    for i in range(5):
        admin_login(
            client,
            son_la_official.username,
            "wrong",
            HTTP_USER_AGENT=f"agent {i}",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}",
        )
    response = admin_login(
        client,
        son_la_official.username,
        PASSWORD,
        HTTP_USER_AGENT="another",
        HTTP_X_FORWARDED_FOR="10.1.1.1",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_address_is_the_one_the_proxy_saw(
    client, son_la_official, settings
):
    settings.SURVEY_TRUSTED_PROXIES = 1
    # The client's own X-Forwarded-For entries come first; the proxy appends
    # the address it saw, the only one counted.
    for i in range(5):
        admin_login(
            client,
            son_la_official.username,
            "wrong",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{i}, 203.0.113.7",
        )
    locked = admin_login(
        client,
        son_la_official.username,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.7",
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # Another address, the same username: not locked.
    other = Client()
    response = admin_login(
        other, son_la_official.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_another_username_from_the_same_address_is_not_locked(
    client, son_la_official, quang_ninh_official
):
    fail_five_times(client, son_la_official.username)
    response = admin_login(client, quang_ninh_official.username, PASSWORD)
    assert response.status_code == 302


@pytest.mark.django_db
def test_failures_older_than_fifteen_minutes_are_forgotten(client, son_la_official):
    for _ in range(4):
        admin_login(client, son_la_official.username, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert admin_login(client, son_la_official.username, "wrong").status_code == 200
    assert admin_login(client, son_la_official.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_api_refuses_http_basic_after_five_failures_with_a_json_message(
    client, national_admin
):
    for _ in range(4):
        response = client.get(API, **basic(national_admin.username, "wrong"))
        # 403: DRF's answer when the first authentication class is the session's.
        assert response.status_code in (401, 403)
    response = client.get(API, **basic(national_admin.username, "wrong"))
    assert response.status_code == 429
    response = client.get(API, **basic(national_admin.username, PASSWORD))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert LOCKED_VI in response.json()["detail"].lower()
    # The admin login of the same username from the same address is locked too.
    assert admin_login(client, national_admin.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_national_administrator_lifts_a_lockout_in_the_admin(
    client, son_la_official, national_admin
):
    fail_five_times(Client(), son_la_official.username)
    attempt = AccessAttempt.objects.get(username=son_la_official.username)
    client.force_login(national_admin)
    listing = client.get(LOCKOUTS)
    assert listing.status_code == 200
    assert son_la_official.username in listing.content.decode()
    response = client.post(
        LOCKOUTS,
        {"action": "lift", "_selected_action": [attempt.pk]},
        follow=True,
    )
    assert "Đã mở khóa 1" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert admin_login(Client(), son_la_official.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_provincial_official_sees_no_lockouts(
    client, son_la_official, quang_ninh_official
):
    fail_five_times(Client(), quang_ninh_official.username)
    client.force_login(son_la_official)
    assert client.get(LOCKOUTS).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert LOCKOUTS not in index
    assert AccessAttempt.objects.exists()
