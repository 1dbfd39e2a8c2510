"""One single-use survey invitation per resolved dossier."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from dossiers.models import Dossier
from surveys.models import Channel, InvitationBatch, Response, UsedInvitation
from tests.conftest import PASSWORD
from tests.dossiers.helpers import dossier, write_dossiers
from tests.surveys.test_views import form_data

NUMBER = "000.00.14.H47-240304-0042"


@pytest.fixture(autouse=True)
def quick_and_unlimited(settings):
    settings.SURVEY_MIN_FILL_SECONDS = 5
    settings.SURVEY_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resolved(tmp_path, son_la_centre) -> Dossier:
    records = [
        dossier(NUMBER, channel="online"),
        dossier("000.00.14.H47-240304-0043", status="in_progress", resolved_on=""),
    ]
    call_command("import_dossiers", write_dossiers(tmp_path / "d.csv", records))
    return Dossier.objects.get(status="resolved")


def _auth(user) -> dict:
    credentials = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


def _invite(client, user, number=NUMBER):
    return client.post(
        "/api/v1/dossiers/invitation/",
        {"number": number},
        content_type="application/json",
        **_auth(user),
    )


def test_an_invitation_answered_once_counts_and_a_second_use_is_refused(
    client, resolved, son_la_official, son_la_centre, questionnaire
):
    issued = _invite(client, son_la_official)
    assert issued.status_code == 200
    body = issued.json()
    assert body["qr_svg"].lstrip().startswith("<")
    path = re.sub(r"^https?://[^/]+", "", body["url"])
    # Asking again (a reprinted receipt) is the same single use, counted once.
    again = re.sub(
        r"^https?://[^/]+", "", _invite(client, son_la_official).json()["url"]
    )
    batch = InvitationBatch.objects.get(issued_on__isnull=False)
    assert batch.count == 1 and batch.agency == son_la_centre

    page = client.get(path)
    assert page.status_code == 200
    data = form_data(page.content.decode(), questionnaire)
    assert client.post(path, data).status_code == 302
    stored = Response.objects.get()
    # Inherited from the dossier, whatever the form said.
    assert stored.agency == son_la_centre
    assert stored.channel == Channel.ONLINE
    assert stored.procedure.code == "HT-KS"
    assert UsedInvitation.objects.filter(batch=batch).count() == 1

    assert client.get(again).status_code == 409
    second = form_data(page.content.decode(), questionnaire)
    second["uid"] = "5b0c3c43-3c54-4f0e-9c1a-000000000002"
    assert client.post(again, second).status_code == 409
    assert Response.objects.count() == 1

    # Nothing stored with the response names the dossier.
    row = Response.objects.values().get()
    assert NUMBER not in str(row)
    assert resolved.number_hash not in str(row)
    assert not any("dossier" in name for name in row)


def test_an_unresolved_dossier_gets_no_invitation(client, resolved, son_la_official):
    response = _invite(client, son_la_official, "000.00.14.H47-240304-0043")
    assert response.status_code == 409
    assert not InvitationBatch.objects.exists()


def test_an_official_of_another_province_cannot_invite_for_a_son_la_dossier(
    client, resolved, quang_ninh_official
):
    assert _invite(client, quang_ninh_official).status_code == 404
    assert not InvitationBatch.objects.exists()
