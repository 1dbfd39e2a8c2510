"""The incremental fold against a full recount, whatever happens in between:
responses committed late, folds run at once, any sequence of batches and reviews."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import psycopg
import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.engine.fold import rollup_fold
from indicators.engine.pipeline import rollup_rebuild, rollup_refresh
from indicators.engine.reconcile import rollup_reconcile
from indicators.models import Level, PeriodKind, RespondentCount
from surveys.models import Agency, Province, Questionnaire, Response
from tests.profiles import examples

from .helpers import ACCEPTED, RESTORED, SUSPICIOUS, respond, review, rollup_rows

pytestmark = pytest.mark.django_db(transaction=True)


def nation_respondents(year: int) -> int:
    row = RespondentCount.objects.filter(
        level=Level.NATION, unit_id=0, period_kind=PeriodKind.YEAR, period_key=year
    ).first()
    return row.respondents if row else 0


def assert_rollup_equals_a_rebuild() -> None:
    assert rollup_reconcile().matched
    incremental = rollup_rows()
    rollup_rebuild()
    assert rollup_rows() == incremental


def second_connection() -> psycopg.Connection:
    """A connection of its own to the test database, outside Django."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
    )


def test_a_response_committed_after_a_fold_of_a_newer_one_is_counted_once(
    son_la_centre, questionnaire
):
    late = second_connection()
    try:
        with late.cursor() as cursor:
            # The insert takes its id (and transaction id) now, commits later.
            cursor.execute(
                "INSERT INTO surveys_response (uid, questionnaire_id, agency_id,"
                " channel, source, responded_on, received_at, answers, suggestion,"
                " flags, status) VALUES (%s, %s, %s, 1, 1, '2023-04-02', now(),"
                " %s, '', 0, 1) RETURNING id",
                [uuid.uuid4(), questionnaire.id, son_la_centre.id, "4" * 23],
            )
            late_id = cursor.fetchone()[0]
        newer = respond(son_la_centre, "2023-04-03", "5" * 23)
        assert newer.id > late_id

        assert rollup_refresh().changes == 1
        assert nation_respondents(2023) == 1

        late.commit()
    finally:
        late.close()
    assert rollup_refresh().changes == 1
    assert nation_respondents(2023) == 2
    assert rollup_refresh().changes == 0
    assert nation_respondents(2023) == 2
    assert_rollup_equals_a_rebuild()


def test_two_folds_at_once_count_like_one(son_la_centre, bac_kan_centre):
    for day in range(1, 21):
        respond(son_la_centre, dt.date(2024, 2, day), "4" * 22 + "5")
        respond(bac_kan_centre, dt.date(2025, 7, day), "3" * 23)
    results = []

    def fold(pause: float) -> None:
        try:
            results.append(rollup_refresh(pause_seconds=pause))
        finally:
            connections.close_all()

    # The first holds its transaction open: the second must wait for it.
    threads = [threading.Thread(target=fold, args=(p,)) for p in (0.5, 0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.changes for r in results) == [0, 40]
    assert nation_respondents(2024) == 20 and nation_respondents(2025) == 20
    assert_rollup_equals_a_rebuild()


def test_a_rebuild_keeps_reviews_committed_after_its_cutoff_for_the_next_fold(
    son_la_centre,
):
    response = respond(son_la_centre, "2022-09-09", "2" * 23)
    rollup_refresh()
    review(response, SUSPICIOUS)
    # A rebuild counts as of its cutoff; the review after it is the next fold's.
    rollup_rebuild()
    assert nation_respondents(2022) == 0
    assert rollup_refresh().changes == 0
    assert_rollup_equals_a_rebuild()


# --- any sequence of batches, reviews and folds ----------------------------------

DATES = [
    dt.date(2022, 1, 31),
    dt.date(2022, 4, 1),
    dt.date(2024, 12, 31),
    dt.date(2025, 6, 30),
    dt.date(2025, 7, 1),
    dt.date(2026, 2, 14),
]
ANSWERS = st.text(alphabet="012345-", min_size=23, max_size=23)
NEW_RESPONSE = st.tuples(
    st.integers(0, 3), st.sampled_from(DATES), ANSWERS, st.sampled_from([0, 0, 0, 2])
)
STEP = st.one_of(
    st.tuples(st.just("batch"), st.lists(NEW_RESPONSE, min_size=1, max_size=4)),
    st.tuples(
        st.just("review"),
        st.integers(0, 50),
        st.sampled_from([ACCEPTED, SUSPICIOUS, RESTORED]),
    ),
    st.tuples(st.just("refresh")),
    # The units above the agency only: the agencies' share waits in the backlog.
    st.tuples(st.just("fold")),
    st.tuples(st.just("rebuild")),
)


def _clean() -> None:
    with connection.cursor() as cursor:
        for table in (
            "indicators_criterioncount",
            "indicators_respondentcount",
            "indicators_dirtyunitperiod",
            "indicators_agencybacklog",
            "indicators_rollupstate",
            "indicators_reconciliation",
            "surveys_responsereview",
            "surveys_response",
        ):
            cursor.execute(f"DELETE FROM {table}")


@pytest.mark.property
@settings(
    max_examples=examples(quick=60, long=300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_after_any_batches_reviews_and_folds_the_rollup_equals_a_rebuild(steps):
    _clean()
    hue = Province.objects.get(map=Province.Map.MAP_2025, code="46")
    agencies = [
        Agency.objects.get(code="14-centre"),
        Agency.objects.get(code="06-centre"),
        Agency.objects.get(code="btp"),
        Agency.objects.get_or_create(
            code="46-commune-y",
            defaults={"kind": Agency.Kind.COMMUNE, "name_vi": "Xã Y", "province": hue},
        )[0],
    ]
    Questionnaire.objects.get(is_current=True)
    responses: list[Response] = []
    for step in steps:
        if step[0] == "batch":
            for agency, on, answers, flags in step[1]:
                responses.append(respond(agencies[agency], on, answers, flags=flags))
        elif step[0] == "review" and responses:
            target = responses[step[1] % len(responses)]
            if target.status != step[2]:
                review(target, step[2])
        elif step[0] == "refresh":
            rollup_refresh()
            assert rollup_reconcile().matched
        elif step[0] == "fold":
            rollup_fold()
            assert rollup_reconcile().matched
        elif step[0] == "rebuild":
            rollup_rebuild()
    rollup_refresh()
    assert_rollup_equals_a_rebuild()
    counted = sum(1 for r in responses if r.status != SUSPICIOUS)
    assert sum(nation_respondents(y) for y in (2022, 2024, 2025, 2026)) == counted
