"""Answers that cannot be linked: an invitation's use is recorded by its day, a
response's receipt by its hour, and migration 0005 brought the rows stored before
to the same."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from surveys.models import Channel, Response, UsedInvitation
from surveys.services import invitation_batch_create
from tests.surveys.helpers import api_payload, stamp

BEFORE = [("surveys", "0004_dossiers")]
AFTER = [("surveys", "0005_intake_and_privacy")]


@pytest.mark.usefixtures("roomy_rate_limit")
def test_an_invitations_use_keeps_its_day_and_the_response_its_hour(
    client, questionnaire, son_la_centre, son_la_official
):
    _batch, tokens = invitation_batch_create(
        agency=son_la_centre,
        procedure=None,
        channel=Channel.POST,
        count=1,
        user=son_la_official,
    )
    url = f"/s/i/{tokens[0]}/"
    page = client.get(url).content.decode()
    uid = page.split('name="uid" value="')[1].split('"')[0]
    data = {"uid": uid, "started": stamp(), "website": "", "suggestion": ""}
    data.update({f"q-{c.code}": "4" for c in questionnaire.criteria.all()})
    assert client.post(url, data).status_code == 302
    used = UsedInvitation.objects.get()
    assert used.used_on == timezone.localdate()
    # No moment of use to join to the response's receipt: only its day.
    assert not any(
        isinstance(field, models.DateTimeField)
        for field in UsedInvitation._meta.get_fields()
    )
    received = Response.objects.get(uid=uid).received_at
    assert (received.minute, received.second, received.microsecond) == (0, 0, 0)
    assert timezone.now() - received < dt.timedelta(hours=1)


@pytest.mark.usefixtures("roomy_rate_limit")
def test_the_api_answers_with_the_hour_of_receipt(client, questionnaire, son_la_centre):
    payload = api_payload(questionnaire, son_la_centre)
    answer = client.post("/api/v1/responses/", payload, content_type="application/json")
    received = dt.datetime.fromisoformat(answer.json()["received_at"])
    assert (received.minute, received.second, received.microsecond) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_cuts_stored_times_and_masks_stored_suggestions(questionnaire):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    agency = old.get_model("surveys", "Agency").objects.get(code="14-centre")
    old_questionnaire = old.get_model("surveys", "Questionnaire").objects.get(
        pk=questionnaire.pk
    )
    moment = dt.datetime(2025, 3, 6, 16, 47, 12, 345678, tzinfo=dt.UTC)  # 23:47 local
    response = old.get_model("surveys", "Response").objects.create(
        uid=uuid.uuid4(),
        questionnaire=old_questionnaire,
        agency=agency,
        channel=Channel.IN_PERSON,
        source=1,
        responded_on=dt.date(2025, 3, 6),
        received_at=moment,
        answers="4" * 23,
        suggestion="Gọi tôi 0912 345 678\u202e, CCCD 001098012345",
    )
    used = old.get_model("surveys", "UsedInvitation").objects.create(
        token_hash="a" * 64, agency=agency
    )
    old.get_model("surveys", "UsedInvitation").objects.filter(pk=used.pk).update(
        used_at=moment
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    stored = Response.objects.get(pk=response.pk)
    assert stored.received_at == moment.replace(minute=0, second=0, microsecond=0)
    assert stored.suggestion == (
        "Gọi tôi [số điện thoại đã ẩn], CCCD [số giấy tờ đã ẩn]"
    )
    assert UsedInvitation.objects.get(pk=used.pk).used_on == dt.date(2025, 3, 6)
    # Back to the latest schema, which the tests after this one use.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
