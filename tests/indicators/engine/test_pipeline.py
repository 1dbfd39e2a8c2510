"""Incremental refresh: only dirty unit-periods are recomputed, and the result is
what a full rebuild gives."""

from __future__ import annotations

import pytest
from django.db import connection

from indicators.engine.figures import figures_rebuild, figures_refresh_dirty
from indicators.engine.pipeline import REBUILT_TABLES, rollup_rebuild, rollup_refresh
from indicators.models import (
    CriterionCount,
    DirtyUnitPeriod,
    IndicatorValue,
    Level,
    PeriodKind,
    RespondentCount,
)
from surveys.models import Agency

from .helpers import SUSPICIOUS, respond, review

IGNORED = {"id", "computed_at"}


def _snapshot() -> dict:
    fields = [f.attname for f in IndicatorValue._meta.concrete_fields]
    return {
        (v.definition_id, v.level, v.unit_id, v.period_kind, v.period_key): {
            name: getattr(v, name) for name in fields if name not in IGNORED
        }
        for v in IndicatorValue.objects.all()
    }


def test_a_refresh_recomputes_only_dirty_unit_periods_and_matches_a_rebuild(
    rollup, son_la_centre, quang_ninh_centre
):
    rollup.add_uniform(agency=son_la_centre, month=202203, rate=82, answered=500)
    rollup.add_uniform(agency=quang_ninh_centre, month=202203, rate=90, answered=800)
    rollup.add_uniform(agency=son_la_centre, month=202303, rate=80, answered=400)
    rollup.add_uniform(agency=quang_ninh_centre, month=202303, rate=91, answered=600)
    rollup.write()
    assert figures_refresh_dirty() > 0
    assert not DirtyUnitPeriod.objects.exists()
    before = {v.pk: v.computed_at for v in IndicatorValue.objects.all()}

    # New answers about Sơn La in April 2023: its 2023 figures and Sơn La's
    # province, region and nation figures change, Quảng Ninh's agency does not.
    rollup.add_uniform(agency=son_la_centre, month=202304, rate=96, answered=300)
    rollup.write()
    dirty = DirtyUnitPeriod.objects.count()
    written = figures_refresh_dirty()
    assert written == dirty
    assert not DirtyUnitPeriod.objects.exists()

    after = {v.pk: v for v in IndicatorValue.objects.all()}
    untouched = after[
        IndicatorValue.objects.get(
            level=Level.AGENCY, unit_id=quang_ninh_centre.id, period_key=2023
        ).pk
    ]
    assert untouched.computed_at == before[untouched.pk]
    son_la_2022 = IndicatorValue.objects.get(
        level=Level.AGENCY, unit_id=son_la_centre.id, period_key=2022
    )
    assert son_la_2022.computed_at == before[son_la_2022.pk]
    son_la_2023 = IndicatorValue.objects.get(
        level=Level.AGENCY, unit_id=son_la_centre.id, period_key=2023
    )
    assert son_la_2023.computed_at > before[son_la_2023.pk]
    assert son_la_2023.value == pytest.approx((400 * 80 + 300 * 96) / 700)

    refreshed = _snapshot()
    figures_rebuild()
    assert _snapshot() == refreshed


def test_a_rebuild_deletes_figures_whose_answers_are_gone(rollup, son_la_centre):
    rollup.add_uniform(agency=son_la_centre, month=202203, rate=82, answered=500)
    rollup.write()
    figures_refresh_dirty()
    RespondentCount.objects.filter(period_key=202203).update(respondents=0)
    CriterionCount.objects.filter(period_key=202203).delete()
    figures_rebuild()
    assert not IndicatorValue.objects.filter(period_key=202203).exists()
    assert IndicatorValue.objects.filter(period_key=2022).exists()


def test_a_refresh_without_dirty_marks_writes_nothing(db):
    assert figures_refresh_dirty() == 0


def test_a_ministry_has_figures_without_a_map_or_province(rollup):
    other = Agency.objects.get(code="bnv")
    rollup.add_uniform(agency=other, month=202203, rate=70, answered=100)
    rollup.write()
    figures_refresh_dirty()
    ministry = IndicatorValue.objects.get(
        level=Level.AGENCY, unit_id=other.id, period_key=2022
    )
    assert ministry.province_id is None and ministry.map is None


@pytest.mark.django_db(transaction=True)
def test_a_review_that_takes_a_unit_periods_last_answer_away_removes_its_figure(
    son_la_centre,
):
    """The refresh deletes the figure of a unit-period left without respondents,
    and only that one: the quarter goes, the year and the other quarter stay."""
    respond(son_la_centre, "2022-03-15", "4" * 23)
    last = respond(son_la_centre, "2022-05-10", "5" * 23)
    rollup_refresh()
    agency = {"level": Level.AGENCY, "unit_id": son_la_centre.id}
    quarter = {**agency, "period_kind": PeriodKind.QUARTER}
    year = {**agency, "period_kind": PeriodKind.YEAR, "period_key": 2022}
    assert IndicatorValue.objects.filter(**quarter, period_key=20222).exists()
    assert IndicatorValue.objects.get(**year).respondents == 2

    review(last, SUSPICIOUS)
    rollup_refresh()

    assert not IndicatorValue.objects.filter(**quarter, period_key=20222).exists()
    assert IndicatorValue.objects.filter(**quarter, period_key=20221).exists()
    assert IndicatorValue.objects.get(**year).respondents == 1


def _tables_with_statistics() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_statistic s"
            " JOIN pg_class c ON c.oid = s.starelid WHERE c.relname = ANY(%s)",
            [list(REBUILT_TABLES)],
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_a_full_rebuild_leaves_the_tables_it_wrote_with_statistics(
    son_la_centre, bac_kan_centre
):
    for day in ("2024-01-09", "2024-02-10", "2025-06-30"):
        respond(son_la_centre, day, "4" * 23)
        respond(bac_kan_centre, day, "5" * 23)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("forgetting statistics takes a superuser")
        cursor.execute(
            "DELETE FROM pg_statistic WHERE starelid = ANY(%s::regclass[])",
            [list(REBUILT_TABLES)],
        )
    assert rollup_rebuild()
    # Without them, PostgreSQL plans reads of the new rows (the scorecard) on
    # the tables as they were before the rebuild. Empty tables get none.
    assert _tables_with_statistics() >= {
        "indicators_criterioncount",
        "indicators_respondentcount",
        "indicators_indicatorvalue",
    }
