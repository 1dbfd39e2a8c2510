"""Dossier records by CSV file and by API: all or nothing, idempotent, scoped."""

from __future__ import annotations

import base64

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from dossiers.models import Dossier, DossierTouch
from dossiers.records import dossier_number_hash
from tests.conftest import PASSWORD
from tests.dossiers.helpers import dossier, write_dossiers

pytestmark = pytest.mark.django_db


def _records(count: int) -> list[dict[str, str]]:
    return [
        dossier(
            f"000.00.14.H47-240304-{index:04d}",
            channel="online" if index % 2 else "in_person",
        )
        for index in range(count)
    ]


def test_reimporting_the_same_file_adds_nothing(tmp_path, capsys):
    path = write_dossiers(tmp_path / "dossiers.csv", _records(12))
    call_command("import_dossiers", path)
    assert "12 records read, 12 new, 0 updated" in capsys.readouterr().out
    touched = DossierTouch.objects.count()

    call_command("import_dossiers", path)
    assert "12 records read, 0 new, 0 updated, 12 already present" in (
        capsys.readouterr().out
    )
    assert Dossier.objects.count() == 12
    assert DossierTouch.objects.count() == touched


def test_a_file_with_one_bad_row_stores_nothing_and_names_the_row(tmp_path, capsys):
    records = _records(12)
    records[6]["resolved_on"] = "2024-02-30"  # row 8 in a spreadsheet
    with pytest.raises(CommandError, match="12 records read, 1 errors"):
        call_command("import_dossiers", write_dossiers(tmp_path / "bad.csv", records))
    assert "row 8, column resolved_on: Write the date as YYYY-MM-DD." in (
        capsys.readouterr().err
    )
    assert not Dossier.objects.exists()
    assert not DossierTouch.objects.exists()


def test_every_rule_names_its_field(tmp_path, capsys):
    records = [
        dossier("X-1", status="resolved", resolved_on=""),
        dossier("X-2", status="in_progress"),
        dossier("X-3", due_on="2024-03-01"),
        dossier("X-4", paused_days="-2", channel="fax", agency="99-nowhere"),
        dossier("X-1"),
    ]
    with pytest.raises(CommandError):
        call_command("import_dossiers", write_dossiers(tmp_path / "bad.csv", records))
    err = capsys.readouterr().err
    assert "row 2, column resolved_on: A resolved dossier needs its resolution" in err
    assert "row 3, column status: Only a resolved dossier has a resolution date" in err
    assert "row 4, column due_on: The due date is before the date received." in err
    assert "row 5, column agency: Unknown agency." in err
    assert "row 5, column channel" in err and "row 5, column paused_days" in err
    assert "row 6, column number: The same dossier number is on row 2." in err


def test_the_dossier_number_is_stored_only_as_a_keyed_hash(tmp_path):
    number = "000.00.14.H47-240304-0001"
    call_command(
        "import_dossiers", write_dossiers(tmp_path / "one.csv", [dossier(number)])
    )
    stored = Dossier.objects.get()
    assert stored.number_hash == dossier_number_hash(number)
    assert number not in str(Dossier.objects.values().get())


def _basic(user) -> dict:
    credentials = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


def test_a_system_pushes_records_for_its_province_and_sending_again_is_harmless(
    client, son_la_official
):
    records = _records(5)
    first = client.post(
        "/api/v1/dossiers/",
        records,
        content_type="application/json",
        **_basic(son_la_official),
    )
    assert first.status_code == 200
    assert first.json() == {"received": 5, "created": 5, "updated": 0, "unchanged": 0}
    records[0].update(status="in_progress", resolved_on="")
    again = client.post(
        "/api/v1/dossiers/",
        records,
        content_type="application/json",
        **_basic(son_la_official),
    )
    assert again.json() == {"received": 5, "created": 0, "updated": 1, "unchanged": 4}
    assert Dossier.objects.filter(status="in_progress").count() == 1


def test_a_number_with_a_nul_is_refused_by_the_api_as_by_the_file(
    client, son_la_official
):
    records = _records(2)
    records[1]["number"] = "000.00.14.H47\x00-240304-0001"
    response = client.post(
        "/api/v1/dossiers/",
        records,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **_basic(son_la_official),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "field": "number",
            "message": "The dossier number contains control characters; remove them.",
        }
    ]
    assert not Dossier.objects.exists()


def test_a_token_signs_a_system_in(client, agency_official):
    token = Token.objects.create(user=agency_official)
    response = client.post(
        "/api/v1/dossiers/",
        _records(1),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200


def test_an_official_of_another_province_cannot_push_for_son_la(
    client, quang_ninh_official
):
    response = client.post(
        "/api/v1/dossiers/",
        _records(3),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **_basic(quang_ninh_official),
    )
    assert response.status_code == 400
    assert {"row": 1, "field": "agency", "message": "Unknown agency."} in (
        response.json()["errors"]
    )
    assert not Dossier.objects.exists()


def test_anonymous_callers_cannot_push(client):
    response = client.post(
        "/api/v1/dossiers/", _records(1), content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not Dossier.objects.exists()


def test_an_official_uploads_a_file_in_the_admin_and_sees_only_their_dossiers(
    client, tmp_path, son_la_official, quang_ninh_official
):
    path = write_dossiers(tmp_path / "d.csv", _records(4))
    client.login(username=son_la_official.username, password=PASSWORD)
    with open(path, "rb") as handle:
        page = client.post("/admin/dossiers/dossier/import/", {"file": handle})
    # The admin speaks Vietnamese unless the official asks otherwise.
    assert "Đã đọc 4 bản ghi: 4 mới" in page.content.decode()
    listing = client.get("/admin/dossiers/dossier/")
    assert listing.status_code == 200
    assert "Sơn La" in listing.content.decode()
    assert Dossier.objects.count() == 4
    stored = Dossier.objects.first()
    assert client.get(f"/admin/dossiers/dossier/{stored.pk}/change/").status_code == 200

    client.logout()
    client.login(username=quang_ninh_official.username, password=PASSWORD)
    with open(path, "rb") as handle:
        refused = client.post("/admin/dossiers/dossier/import/", {"file": handle})
    # The admin speaks Vietnamese unless the official asks otherwise.
    assert "dòng 2, cột agency: Không có cơ quan này." in refused.content.decode()
    other = client.get("/admin/dossiers/dossier/")
    assert other.status_code == 200
    assert "Sơn La" not in other.content.decode()
    assert client.get(f"/admin/dossiers/dossier/{stored.pk}/change/").status_code == 404
