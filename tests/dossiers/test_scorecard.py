"""The scorecard in the admin: three indicators per unit, scoped."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from indicators.engine.figures import figures_refresh_dirty
from indicators.engine.pipeline import dossiers_refresh
from indicators.models import Level
from surveys.models import Channel, InvitationBatch, UsedInvitation
from tests.conftest import PASSWORD
from tests.dossiers.helpers import dossier, write_dossiers
from tests.indicators.engine.builders import RollupBuilder

URL = "/admin/indicators/scorecard/"


@pytest.fixture
def son_la_figures(tmp_path, questionnaire, son_la_centre):
    """March 2024 at Sơn La's centre: 40 respondents, every criterion 90%
    satisfied; 10 dossiers, 9 on time, 4 online; 20 invitations issued, 8
    answered (40%)."""
    builder = RollupBuilder(questionnaire)
    builder.add_uniform(agency=son_la_centre, month=202403, rate=90, answered=40)
    builder.write()
    figures_refresh_dirty()
    records = [
        dossier(f"S-{i}", channel="online" if i < 4 else "in_person") for i in range(10)
    ]
    records[0]["resolved_on"] = "2024-03-20"  # late
    call_command("import_dossiers", write_dossiers(tmp_path / "d.csv", records))
    dossiers_refresh()
    batch = InvitationBatch.objects.create(
        agency=son_la_centre, channel=Channel.IN_PERSON, count=20
    )
    InvitationBatch.objects.filter(pk=batch.pk).update(created_at="2024-03-05T09:00Z")
    for i in range(8):
        used = UsedInvitation.objects.create(
            token_hash=f"{i:064d}", agency=son_la_centre, batch=batch
        )
        UsedInvitation.objects.filter(pk=used.pk).update(used_on="2024-03-06")
    return son_la_centre


def test_an_official_sees_the_three_indicators_of_their_province_side_by_side(
    client, son_la_figures, son_la_official
):
    client.login(username=son_la_official.username, password=PASSWORD)
    page = client.get(URL, {"period_kind__exact": 1, "q": "Sơn La"})
    assert page.status_code == 200
    text = page.content.decode()
    assert son_la_figures.name_vi in text
    # Figures in Vietnamese, with a decimal comma as on the review list; the
    # export keeps the point that spreadsheets and scripts read.
    assert "90,00%" in text  # on time: 9 of 10, to the definition's decimals
    assert "40,00%" in text  # online: 4 of 10
    assert "40,0% (8/20)" in text and "90.0" not in text  # response rate

    export = client.get(URL + "export/", {"period_kind__exact": 1})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200
    line = next(r for r in body.splitlines() if r.startswith(son_la_figures.name_vi))
    assert "90.0%" in line and "40.0%" in line and "(8/20)" in line
    # The year: 90% of 40 against 85% meets it, the interval reaching under it.
    year = client.get(URL + "export/", {"period_kind__exact": 3})
    body = b"".join(year.streaming_content).decode("utf-8-sig")
    line = next(r for r in body.splitlines() if r.startswith(son_la_figures.name_vi))
    assert '90.0%,85%,"đạt chỉ tiêu, trong biên sai số"' in line
    page = client.get(URL, {"period_kind__exact": 3, "q": "Sơn La"}).content.decode()
    assert "đạt chỉ tiêu, trong biên sai số" in page


def test_an_official_of_another_province_sees_none_of_it(
    client, son_la_figures, quang_ninh_official
):
    client.login(username=quang_ninh_official.username, password=PASSWORD)
    page = client.get(URL)
    assert page.status_code == 200
    assert son_la_figures.name_vi not in page.content.decode()
    assert "Sơn La" not in page.content.decode()
    export = client.get(URL + "export/")
    assert "Sơn La" not in b"".join(export.streaming_content).decode("utf-8-sig")
    unit = client.get(f"{URL}unit/{Level.AGENCY}/{son_la_figures.id}/")
    assert unit.status_code == 404
    province = client.get(f"{URL}unit/{Level.PROVINCE}/{son_la_figures.province_id}/")
    assert province.status_code == 404


def test_the_unit_page_opens_for_an_official_of_the_province(
    client, son_la_figures, son_la_official
):
    client.login(username=son_la_official.username, password=PASSWORD)
    unit = client.get(f"{URL}unit/{Level.AGENCY}/{son_la_figures.id}/", follow=True)
    assert unit.status_code == 200
    assert son_la_figures.name_vi in unit.content.decode()


def test_another_questionnaires_invitations_leave_the_sipas_response_rate_alone(
    client, son_la_figures, son_la_official
):
    batch = InvitationBatch.objects.create(
        agency=son_la_figures,
        channel=Channel.IN_PERSON,
        count=30,
        questionnaire_code="health",
    )
    InvitationBatch.objects.filter(pk=batch.pk).update(created_at="2024-03-05T10:00Z")
    for i in range(5):
        used = UsedInvitation.objects.create(
            token_hash=f"h{i:063d}", agency=son_la_figures, batch=batch
        )
        UsedInvitation.objects.filter(pk=used.pk).update(used_on="2024-03-07")
    client.login(username=son_la_official.username, password=PASSWORD)
    text = client.get(URL, {"period_kind__exact": 1, "q": "Sơn La"}).content.decode()
    assert "(8/20)" in text and "(13/50)" not in text
    export = client.get(URL + "export/", {"period_kind__exact": 1, "q": "Sơn La"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "(8/20)" in body and "(13/50)" not in body


@pytest.mark.django_db
def test_response_rates_of_thousands_of_units_are_counted_in_one_statement():
    from types import SimpleNamespace

    from indicators.scorecard import response_rates

    # As many keys as an export of every unit and period holds.
    rows = [
        SimpleNamespace(level=Level.AGENCY, unit_id=unit, period_kind=1, period_key=key)
        for unit in range(1, 301)
        for key in range(202401, 202413)
    ]
    rates = response_rates(rows)
    assert len(rates) == 3600
    assert set(rates.values()) == {(0, 0)}
