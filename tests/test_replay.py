"""The fixture replay: the second time, the tables hold what the build wrote,
without building; from other data, it builds again."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from indicators.engine.figures import figures_refresh_dirty
from surveys.models import Agency, Province
from tests.indicators.engine.builders import RollupBuilder, centre
from tests.replay import replayed, table_contents


def _snapshot() -> dict[str, bytes]:
    with connection.cursor() as cursor:
        return table_contents(cursor)


@pytest.fixture
def build(questionnaire):
    calls = []

    def figures_of_two_provinces() -> None:
        calls.append(1)
        rollup = RollupBuilder(questionnaire)
        for rate, code in ((80, "14"), (90, "22")):
            province = Province.objects.get(map=Province.Map.MAP_2008, code=code)
            rollup.add_uniform(
                agency=centre(province), month=202206, rate=rate, answered=100
            )
        rollup.write()
        figures_refresh_dirty()

    figures_of_two_provinces.calls = calls
    return figures_of_two_provinces


def _run_and_undo(name, build) -> dict[str, bytes]:
    """What the tables hold after `replayed`, then rolled back, as between tests."""
    with transaction.atomic():
        replayed(name, build)
        after = _snapshot()
        transaction.set_rollback(True)
    return after


def test_a_replay_leaves_the_tables_as_the_build_did_without_building(db, build):
    built = _run_and_undo("two-provinces", build)
    assert len(build.calls) == 1
    replay = _run_and_undo("two-provinces", build)
    assert len(build.calls) == 1
    assert replay == built
    assert built["indicators_indicatorvalue"]  # the build wrote figures


def test_other_data_builds_again(db, build):
    _run_and_undo("two-provinces-other", build)
    Agency.objects.filter(code="14-centre").update(name_vi="Trung tâm khác")
    _run_and_undo("two-provinces-other", build)
    assert len(build.calls) == 2
