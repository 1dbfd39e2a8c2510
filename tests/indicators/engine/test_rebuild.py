"""The full rebuild against the incremental folds and a damaged rollup."""

from __future__ import annotations

import pytest

from indicators.engine.fold import rollup_fold, rollup_fold_agencies
from indicators.engine.pipeline import rollup_rebuild, rollup_refresh
from indicators.engine.rebuild import rollup_rebuild_counts
from indicators.engine.reconcile import rollup_reconcile
from indicators.models import (
    AgencyBacklog,
    CriterionCount,
    DirtyUnitPeriod,
    Level,
    PeriodKind,
    RespondentCount,
)

from .helpers import MOSTLY_FIVES, SUSPICIOUS, counts, respond, review, rollup_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rebuild_counts_the_backlog_for_the_agencies_and_empties_it(
    son_la_centre, questionnaire
):
    respond(son_la_centre, "2024-01-09", "4" * 23)
    rollup_fold()
    assert AgencyBacklog.objects.count() == 1

    rollup_rebuild()

    assert not AgencyBacklog.objects.exists()
    criterion = questionnaire.criteria.get(position=1)
    year = (PeriodKind.YEAR, 2024, criterion)
    assert counts(Level.AGENCY, son_la_centre.id, *year) == (0, 0, 0, 0, 1, 0)
    assert rollup_fold_agencies().changes == 0  # not counted a second time
    assert counts(Level.AGENCY, son_la_centre.id, *year) == (0, 0, 0, 0, 1, 0)


def test_a_full_rebuild_gives_the_counts_of_the_incremental_refreshes(
    son_la_centre, bac_kan_centre
):
    first = respond(son_la_centre, "2022-03-15", MOSTLY_FIVES)
    respond(bac_kan_centre, "2025-06-30", "3" * 23)
    respond(bac_kan_centre, "2025-07-01", "2" * 23, flags=4)
    rollup_refresh()
    review(first, SUSPICIOUS)
    respond(son_la_centre, "2024-12-31", "0" * 23)
    rollup_refresh()
    incremental = rollup_rows()

    rollup_rebuild()

    assert rollup_rows() == incremental
    assert rollup_refresh().changes == 0
    assert rollup_rows() == incremental


def test_a_rebuild_repairs_changed_missing_and_stray_rows_and_marks_them_dirty(
    son_la_centre, bac_kan_centre
):
    respond(son_la_centre, "2022-03-15", MOSTLY_FIVES)
    respond(bac_kan_centre, "2025-06-30", "3" * 23)
    rollup_refresh()
    counted = rollup_rows()
    changed = CriterionCount.objects.filter(level=Level.NATION).first()
    changed.n4 += 2
    changed.save()
    CriterionCount.objects.filter(level=Level.REGION).first().delete()
    RespondentCount.objects.filter(level=Level.AGENCY).first().delete()
    stray = RespondentCount.objects.filter(level=Level.PROVINCE).first()
    stray.pk, stray.period_key = None, 2019
    stray.save()
    DirtyUnitPeriod.objects.all().delete()

    rollup_rebuild_counts()  # the counts alone: the figures would consume the marks

    assert rollup_rows() == counted
    assert rollup_reconcile().matched
    # Every unit-period is to be recomputed: those counted, and the stray one,
    # whose figures must go.
    key = ("level", "unit_id", "period_kind", "period_key", "questionnaire_id")
    dirty = set(DirtyUnitPeriod.objects.values_list(*key))
    live = set(RespondentCount.objects.values_list(*key))
    stray_key = tuple(getattr(stray, k) for k in key)
    assert stray_key not in live
    assert dirty == live | {stray_key}
