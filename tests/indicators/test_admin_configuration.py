"""Targets and scoring definitions: every official reads them, national
administrators change them, and the admin history says who changed which field."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from indicators.models import ScoringDefinition, Target
from tests.conftest import PASSWORD


@pytest.fixture
def login(client):
    def as_user(user):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user


def _target_form(target: Target, **changes) -> dict:
    data = {
        "indicator": target.indicator,
        "year": target.year,
        "threshold": target.threshold,
        "level": target.level or "",
        "note": target.note,
    }
    data.update(changes)
    return data


def test_a_national_administrator_changes_a_target_and_the_history_names_the_field(
    login, national_admin
):
    target = Target.objects.get(indicator="satisfaction", year=2025, level=None)
    url = reverse("admin:indicators_target_change", args=[target.pk])
    client = login(national_admin)
    saved = client.post(url, _target_form(target, threshold=92.5))
    assert saved.status_code == 302
    target.refresh_from_db()
    assert target.threshold == 92.5
    entry = LogEntry.objects.get(object_id=str(target.pk))
    assert entry.user == national_admin
    assert "threshold" in entry.get_change_message().lower() or "mục tiêu" in (
        entry.get_change_message().lower()
    )
    history = client.get(
        reverse("admin:indicators_target_history", args=[target.pk])
    ).content.decode()
    assert national_admin.username in history


def test_a_provincial_official_reads_targets_but_cannot_change_them(
    login, son_la_official
):
    target = Target.objects.get(indicator="satisfaction", year=2025, level=None)
    client = login(son_la_official)
    assert client.get(reverse("admin:indicators_target_changelist")).status_code == 200
    url = reverse("admin:indicators_target_change", args=[target.pk])
    refused = client.post(url, _target_form(target, threshold=10))
    assert refused.status_code == 403
    target.refresh_from_db()
    assert target.threshold == 95.0
    assert client.get(reverse("admin:indicators_target_add")).status_code == 403
    definition = ScoringDefinition.objects.get(is_current=True)
    assert (
        client.get(
            reverse("admin:indicators_scoringdefinition_change", args=[definition.pk])
        ).status_code
        == 200
    )
    assert not LogEntry.objects.exists()


def test_a_new_scoring_definition_gets_the_next_version_and_becomes_current(
    login, national_admin, questionnaire
):
    old = ScoringDefinition.objects.get(questionnaire=questionnaire, is_current=True)
    client = login(national_admin)
    added = client.post(
        reverse("admin:indicators_scoringdefinition_add"),
        {
            "code": old.code,
            "questionnaire": questionnaire.pk,
            "satisfied_levels": "[5]",
            "element_weights": "{}",
            "criterion_weights": "{}",
            "decimals": 2,
            "is_current": "on",
        },
    )
    assert added.status_code == 302, added.context["adminform"].form.errors
    new = ScoringDefinition.objects.get(questionnaire=questionnaire, is_current=True)
    assert (new.code, new.version, new.satisfied_levels) == (
        old.code,
        old.version + 1,
        [5],
    )
    assert LogEntry.objects.filter(object_id=str(new.pk), user=national_admin).exists()


def test_an_unknown_or_out_of_scope_object_url_answers_404_not_a_redirect(
    login, son_la_official
):
    client = login(son_la_official)
    assert (
        client.get(reverse("admin:indicators_target_change", args=[999999])).status_code
        == 404
    )
