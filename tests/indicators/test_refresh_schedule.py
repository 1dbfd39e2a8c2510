"""Fresh figures: the ranked units' fold runs every 30 s and the agencies' every
five minutes, each doing nothing when nothing is new, and the refresh line says
how old each level's figures are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.celery import app
from indicators import tasks
from indicators.models import AgencyBacklog, IndicatorValue, Level, RollupState

from .engine.helpers import respond

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_ranked_units_fold_every_30_seconds_and_the_agencies_every_5_minutes():
    schedule = {
        entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()
    }
    assert schedule["indicators.tasks.refresh_ranked"] == 30.0
    assert schedule["indicators.tasks.refresh_agencies"] == 300.0
    assert "indicators.tasks.refresh_incremental" not in schedule


def test_a_submission_reaches_its_province_first_and_its_agency_later(
    son_la_centre, login, son_la_official
):
    respond(son_la_centre, "2024-03-05", "4" * 23)
    assert tasks.refresh_ranked()["folded"]
    province = IndicatorValue.objects.filter(
        level=Level.PROVINCE, unit_id=son_la_centre.province_id, period_key=2024
    )
    agency = IndicatorValue.objects.filter(
        level=Level.AGENCY, unit_id=son_la_centre.id, period_key=2024
    )
    assert province.exists() and not agency.exists()
    assert AgencyBacklog.objects.count() == 1
    line = login(son_la_official).get(
        reverse("admin:indicators_indicatorvalue_changelist")
    )
    assert "1 phiếu" in line.content.decode()  # still to be counted for its agency

    assert tasks.refresh_agencies() == {"counted": 1}
    assert agency.exists() and not AgencyBacklog.objects.exists()
    assert RollupState.objects.get(pk=1).agencies_refreshed_at is not None
    # Nothing new: skipped.
    assert tasks.refresh_agencies() == {"counted": 0}
    html = (
        login(son_la_official)
        .get(reverse("admin:indicators_indicatorvalue_changelist"))
        .content.decode()
    )
    assert "Tỉnh, vùng và cả nước: số liệu lúc" in html
    assert "cơ quan: số liệu lúc" in html
