"""The incremental fold against counts worked out by hand."""

from __future__ import annotations

import pytest

from indicators.engine.fold import rollup_fold, rollup_fold_agencies
from indicators.engine.pipeline import rollup_rebuild, rollup_refresh
from indicators.engine.reconcile import rollup_reconcile
from indicators.models import (
    AgencyBacklog,
    CriterionCount,
    DirtyUnitPeriod,
    Level,
    PeriodKind,
    RespondentCount,
    RollupState,
)
from surveys.models import Agency, Province, Region

from .helpers import (
    MOSTLY_FIVES,
    RESTORED,
    SUSPICIOUS,
    counts,
    respond,
    respondents,
    review,
    rollup_rows,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_answers_are_counted_by_level_and_flagged_responses_nowhere(
    son_la_centre, questionnaire, criteria
):
    respond(son_la_centre, "2022-03-15", MOSTLY_FIVES)
    respond(son_la_centre, "2022-03-20", "4" * 23)
    respond(son_la_centre, "2022-03-21", "1" * 23, flags=2)

    result = rollup_refresh()

    assert result.folded and result.changes == 2
    # Agencies are counted by quarter and year: a month of one agency is too few
    # answers for a figure.
    agency = (Level.AGENCY, son_la_centre.id, PeriodKind.QUARTER, 20221)
    assert counts(*agency, criteria[0]) == (0, 0, 0, 0, 1, 1)
    # "Does not apply" is kept in n0; the left-out answer counts nowhere.
    assert counts(*agency, criteria[20]) == (1, 0, 0, 0, 1, 0)
    assert counts(*agency, criteria[21]) == (0, 0, 0, 0, 1, 0)
    assert counts(*agency, criteria[22]) == (0, 0, 0, 1, 1, 0)
    assert respondents(*agency, questionnaire) == 2
    # The same counts in the year, and for the nation, by month too.
    assert counts(
        Level.AGENCY, son_la_centre.id, PeriodKind.YEAR, 2022, criteria[0]
    ) == (0, 0, 0, 0, 1, 1)
    assert not CriterionCount.objects.filter(
        level=Level.AGENCY, period_kind=PeriodKind.MONTH
    ).exists()
    assert counts(Level.NATION, 0, PeriodKind.MONTH, 202203, criteria[0]) == (
        0,
        0,
        0,
        0,
        1,
        1,
    )
    assert respondents(Level.NATION, 0, PeriodKind.YEAR, 2022, questionnaire) == 2
    assert counts(Level.NATION, 0, PeriodKind.YEAR, 2022, criteria[0]) == (
        0,
        0,
        0,
        0,
        1,
        1,
    )
    # Nothing anywhere has a 1: the flagged response counts for no unit.
    assert not CriterionCount.objects.filter(n1__gt=0).exists()


def test_reviews_move_counts_after_the_next_refresh(
    son_la_centre, questionnaire, criteria
):
    accepted = respond(son_la_centre, "2022-03-15", "4" * 23)
    respond(son_la_centre, "2022-03-16", "5" * 23)
    flagged = respond(son_la_centre, "2022-03-17", "1" * 23, flags=1)
    rollup_refresh()
    month = (Level.AGENCY, son_la_centre.id, PeriodKind.QUARTER, 20221)
    assert counts(*month, criteria[0]) == (0, 0, 0, 0, 1, 1)

    review(accepted, SUSPICIOUS)
    assert counts(*month, criteria[0]) == (0, 0, 0, 0, 1, 1), "not before a refresh"
    rollup_refresh()
    assert counts(*month, criteria[0]) == (0, 0, 0, 0, 0, 1)
    assert respondents(*month, questionnaire) == 1

    review(flagged, RESTORED)
    rollup_refresh()
    assert counts(*month, criteria[0]) == (0, 1, 0, 0, 0, 1)
    assert respondents(*month, questionnaire) == 2
    assert rollup_reconcile().matched


def test_a_review_that_empties_a_unit_leaves_no_row_behind(son_la_centre):
    only = respond(son_la_centre, "2022-05-02", "3" * 23)
    rollup_refresh()
    review(only, SUSPICIOUS)
    rollup_refresh()
    assert not CriterionCount.objects.filter(unit_id=son_la_centre.id).exists()
    assert not RespondentCount.objects.filter(unit_id=son_la_centre.id).exists()


def test_a_2022_response_about_bac_kan_counts_for_bac_kan_and_thai_nguyen_2025(
    bac_kan_centre, questionnaire
):
    bac_kan = bac_kan_centre.province
    thai_nguyen = Province.objects.get(map=Province.Map.MAP_2025, code="19")
    assert bac_kan.successor == thai_nguyen
    respond(bac_kan_centre, "2022-06-30", "5" * 23)
    rollup_refresh()

    for unit in (bac_kan, thai_nguyen):
        assert (
            respondents(
                Level.PROVINCE, unit.id, PeriodKind.QUARTER, 20222, questionnaire
            )
            == 1
        )
    # The region is the region of the province in force, counted once.
    assert (
        respondents(
            Level.REGION, bac_kan.region_id, PeriodKind.MONTH, 202206, questionnaire
        )
        == 1
    )
    assert RespondentCount.objects.filter(level=Level.REGION).count() == 3
    assert respondents(Level.NATION, 0, PeriodKind.MONTH, 202206, questionnaire) == 1


def test_a_response_from_august_2025_counts_only_for_the_2025_unit(
    bac_kan_centre, questionnaire
):
    bac_kan = bac_kan_centre.province
    thai_nguyen = bac_kan.successor
    respond(bac_kan_centre, "2025-08-04", "5" * 23)
    rollup_refresh()

    provinces = RespondentCount.objects.filter(level=Level.PROVINCE)
    assert set(provinces.values_list("unit_id", flat=True)) == {thai_nguyen.id}
    assert (
        respondents(
            Level.PROVINCE, thai_nguyen.id, PeriodKind.YEAR, 2025, questionnaire
        )
        == 1
    )
    assert (
        respondents(
            Level.REGION,
            thai_nguyen.region_id,
            PeriodKind.QUARTER,
            20253,
            questionnaire,
        )
        == 1
    )


def test_an_agency_of_a_2025_unit_counts_for_that_unit_whatever_the_date(
    questionnaire,
):
    hue = Province.objects.get(map=Province.Map.MAP_2025, code="46")
    commune = Agency.objects.create(
        code="46-commune-x", kind=Agency.Kind.COMMUNE, name_vi="Xã X", province=hue
    )
    respond(commune, "2025-03-01", "4" * 23)
    rollup_refresh()
    provinces = RespondentCount.objects.filter(level=Level.PROVINCE)
    assert set(provinces.values_list("unit_id", flat=True)) == {hue.id}


def test_a_ministry_counts_for_itself_and_the_nation_only(questionnaire):
    ministry = Agency.objects.get(code="btp")
    respond(ministry, "2023-11-11", "4" * 23)
    rollup_refresh()
    levels = set(RespondentCount.objects.values_list("level", "unit_id"))
    assert levels == {(Level.AGENCY, ministry.id), (Level.NATION, 0)}


def test_a_refresh_marks_what_it_touched_dirty_and_moves_the_marks(
    son_la_centre, questionnaire
):
    # The fold's steps alone: the figures would consume the marks right after.
    respond(son_la_centre, "2024-01-09", "4" * 23)
    rollup_fold()
    rollup_fold_agencies()
    dirty = set(
        DirtyUnitPeriod.objects.values_list(
            "level", "unit_id", "period_kind", "period_key"
        )
    )
    son_la = son_la_centre.province
    assert (Level.AGENCY, son_la_centre.id, PeriodKind.QUARTER, 20241) in dirty
    assert (Level.AGENCY, son_la_centre.id, PeriodKind.MONTH, 202401) not in dirty
    assert (Level.PROVINCE, son_la.id, PeriodKind.QUARTER, 20241) in dirty
    assert (Level.PROVINCE, son_la.successor_id, PeriodKind.YEAR, 2024) in dirty
    assert (Level.REGION, son_la.region_id, PeriodKind.YEAR, 2024) in dirty
    assert (Level.NATION, 0, PeriodKind.MONTH, 202401) in dirty
    assert len(dirty) == 5 * 3 - 1  # five units by three periods, no agency month
    state = RollupState.objects.get(pk=1)
    assert state.response_mark > 0 and state.refreshed_at is not None
    assert Region.objects.filter(pk=son_la.region_id).exists()

    again = rollup_fold()
    assert again.changes == 0


def test_a_fold_counts_the_provinces_at_once_and_the_agency_after_its_backlog(
    son_la_centre, questionnaire
):
    son_la = son_la_centre.province
    criterion = questionnaire.criteria.get(position=1)
    respond(son_la_centre, "2024-01-09", "4" * 23)
    rollup_refresh()
    response = respond(son_la_centre, "2024-02-02", "5" * 23)

    assert rollup_fold().changes == 1
    quarter = (PeriodKind.QUARTER, 20241, criterion)
    assert counts(Level.PROVINCE, son_la.id, *quarter) == (0, 0, 0, 0, 1, 1)
    assert counts(Level.NATION, 0, *quarter) == (0, 0, 0, 0, 1, 1)
    # The agency still shows the first response only, and the second waits.
    assert counts(Level.AGENCY, son_la_centre.id, *quarter) == (0, 0, 0, 0, 1, 0)
    assert AgencyBacklog.objects.count() == 1
    assert rollup_reconcile().matched  # the backlog is not a difference

    review(response, SUSPICIOUS)
    assert rollup_fold().changes == 1
    assert counts(Level.PROVINCE, son_la.id, *quarter) == (0, 0, 0, 0, 1, 0)
    assert rollup_reconcile().matched

    # The response and its review cancel out for the agency.
    assert rollup_fold_agencies().changes == 2
    assert counts(Level.AGENCY, son_la_centre.id, *quarter) == (0, 0, 0, 0, 1, 0)
    assert not AgencyBacklog.objects.exists()
    assert rollup_fold_agencies().changes == 0
    incremental = rollup_rows()
    rollup_rebuild()
    assert rollup_rows() == incremental


def test_the_count_tables_leave_room_for_a_fold_to_update_rows_in_place():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN"
            " ('indicators_criterioncount', 'indicators_respondentcount')"
        )
        options = dict(cursor.fetchall())
    assert options == {
        "indicators_criterioncount": ["fillfactor=70"],
        "indicators_respondentcount": ["fillfactor=70"],
    }


def _most_pages_of_a_unit_period(level: int) -> int:
    """The most heap pages the count rows of one unit-period of `level` span."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MAX(pages) FROM (SELECT COUNT(DISTINCT (ctid::text::point)[0])"
            " AS pages FROM indicators_criterioncount WHERE level = %s"
            " GROUP BY unit_id, period_kind, period_key) s",
            [level],
        )
        return cursor.fetchone()[0]


def test_the_count_rows_of_a_unit_period_are_written_side_by_side():
    """The fold and the rebuild write count rows in key order: a later fold
    updates, and the figures read, the 23 rows of a unit-period in a page or two
    rather than in 23 pages."""
    agencies = Agency.objects.filter(active=True, province__isnull=False)
    agencies = list(agencies.order_by("code")[:80])
    for n, agency in enumerate(agencies):
        for month in (2, 5, 8, 11):
            respond(agency, f"2024-{month:02d}-{1 + n % 27:02d}", str(1 + n % 5) * 23)
    rollup_refresh()
    assert CriterionCount.objects.filter(level=Level.AGENCY).count() == 80 * 5 * 23
    assert _most_pages_of_a_unit_period(Level.AGENCY) <= 2

    CriterionCount.objects.all().delete()
    RespondentCount.objects.all().delete()
    rollup_rebuild()

    assert _most_pages_of_a_unit_period(Level.AGENCY) <= 2
    assert _most_pages_of_a_unit_period(Level.PROVINCE) <= 2
