"""Criterion, element and overall figures against hand-computed examples."""

from __future__ import annotations

import pytest

from indicators.engine import figures
from indicators.engine.figures import figures_rebuild, figures_refresh_dirty
from indicators.engine.scoring import wilson_interval
from indicators.models import IndicatorValue, Level, PeriodKind
from indicators.selectors import figure_criteria
from indicators.services import scoring_definition_create
from surveys.models import Agency


def _year_value(*, level, unit_id, year=2022, definition=None) -> IndicatorValue:
    rows = IndicatorValue.objects.filter(
        level=level, unit_id=unit_id, period_kind=PeriodKind.YEAR, period_key=year
    )
    if definition is not None:
        rows = rows.filter(definition=definition)
    return rows.get()


@pytest.fixture
def hand_example(rollup, son_la_centre, questionnaire):
    """40 people about Sơn La's centre in March 2022. ACCESS_1: 10 say "does not
    apply", 30 answer (n1..n5 = 2, 3, 5, 12, 8: 20 of 30 satisfied, 66.67%). Every
    other ACCESS criterion: 40 answers, 30 satisfied (75%). Every other criterion:
    40 answers, 36 satisfied (90%), 20 of them at 5."""
    criteria = {}
    for criterion in questionnaire.criteria.select_related("element"):
        if criterion.code == "ACCESS_1":
            criteria[criterion.code] = [10, 2, 3, 5, 12, 8]
        elif criterion.element.code == "ACCESS":
            criteria[criterion.code] = [0, 2, 3, 5, 15, 15]
        else:
            criteria[criterion.code] = [0, 1, 1, 2, 16, 20]
    rollup.add(agency=son_la_centre, month=202203, respondents=40, criteria=criteria)
    rollup.write()
    return son_la_centre


def test_figures_leave_does_not_apply_out_of_every_denominator(hand_example):
    figures_refresh_dirty()
    value = _year_value(level=Level.AGENCY, unit_id=hand_example.id)

    access_1 = figure_criteria(value=value)["ACCESS_1"]
    assert access_1["n"] == 30
    assert access_1["counts"] == [10, 2, 3, 5, 12, 8]
    assert access_1["value"] == pytest.approx(200 / 3)
    access = value.elements["ACCESS"]
    assert access["value"] == pytest.approx((200 / 3 + 75 * 3) / 4)
    assert access["n"] == 40
    assert value.elements["PROCEDURE"]["value"] == pytest.approx(90)
    overall = ((200 / 3 + 75 * 3) / 4 + 90 * 4) / 5
    assert value.value == pytest.approx(overall)
    assert value.respondents == 40
    low, high = wilson_interval(p=overall / 100, n=40)
    assert (value.ci_low, value.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert value.ci_low < value.value < value.ci_high


def test_the_same_answers_give_the_same_figures_at_every_level(hand_example):
    figures_refresh_dirty()
    agency = _year_value(level=Level.AGENCY, unit_id=hand_example.id)
    province = _year_value(level=Level.PROVINCE, unit_id=hand_example.province_id)
    nation = _year_value(level=Level.NATION, unit_id=0)
    quarter = IndicatorValue.objects.get(
        level=Level.AGENCY, unit_id=hand_example.id, period_key=20221
    )
    month = IndicatorValue.objects.get(
        level=Level.PROVINCE, unit_id=hand_example.province_id, period_key=202203
    )
    assert agency.value == province.value == nation.value == quarter.value
    assert month.value == agency.value
    assert not IndicatorValue.objects.filter(
        level=Level.AGENCY, period_kind=PeriodKind.MONTH
    ).exists()
    assert province.province_id == hand_example.province_id
    assert agency.province_id == hand_example.province_id
    assert agency.agency_id == hand_example.id
    assert nation.name_en == "Nation (pooled rate)"


def test_a_definition_counting_only_very_satisfied_gives_new_figures_and_keeps_old(
    hand_example, questionnaire, definition
):
    figures_refresh_dirty()
    old = _year_value(level=Level.AGENCY, unit_id=hand_example.id)

    strict = scoring_definition_create(
        code="sipas-strict", questionnaire=questionnaire, satisfied_levels=[5]
    )
    figures_rebuild(definition=strict)

    kept_before = old
    new = _year_value(level=Level.AGENCY, unit_id=hand_example.id, definition=strict)
    assert figure_criteria(value=new)["ACCESS_1"]["value"] == pytest.approx(800 / 30)
    assert figure_criteria(value=kept_before)["ACCESS_1"]["value"] == pytest.approx(
        200 / 3
    )
    assert new.elements["ACCESS"]["value"] == pytest.approx((800 / 30 + 37.5 * 3) / 4)
    assert new.value == pytest.approx(((800 / 30 + 37.5 * 3) / 4 + 50 * 4) / 5)
    kept = _year_value(
        level=Level.AGENCY, unit_id=hand_example.id, definition=definition
    )
    assert kept.value == old.value
    assert kept.computed_at == old.computed_at


def test_weights_change_the_mean_of_elements(hand_example, questionnaire):
    weighted = scoring_definition_create(
        code="sipas-weighted",
        questionnaire=questionnaire,
        element_weights={"ACCESS": 3, "PROCEDURE": 1},
    )
    figures_rebuild(definition=weighted)
    value = _year_value(
        level=Level.AGENCY, unit_id=hand_example.id, definition=weighted
    )
    access = (200 / 3 + 75 * 3) / 4
    assert value.value == pytest.approx((3 * access + 90) / 4)


@pytest.mark.parametrize("compute", ["refresh", "refresh of most keys", "rebuild"])
def test_criterion_and_element_weights_give_the_same_figures_on_every_path(
    hand_example, questionnaire, compute, monkeypatch
):
    """Weights listed for some criteria and elements; those not listed weigh 0.
    A refresh reads criteria one way, a refresh of most of the rollup and a
    rebuild another: all three give the hand-computed figures."""
    procedure = questionnaire.criteria.filter(element__code="PROCEDURE")
    weighted = scoring_definition_create(
        code="sipas-criteria-weighted",
        questionnaire=questionnaire,
        criterion_weights={
            "ACCESS_1": 3,
            "ACCESS_2": 1,
            **{criterion.code: 2 for criterion in procedure},
        },
        element_weights={"ACCESS": 1, "PROCEDURE": 3, "RESULT": 5},
    )
    if compute == "rebuild":
        figures_rebuild(definition=weighted)
    else:
        if compute == "refresh of most keys":
            monkeypatch.setattr(figures, "_large_share_of_the_rollup", lambda *_: True)
        figures_refresh_dirty()

    value = _year_value(
        level=Level.AGENCY, unit_id=hand_example.id, definition=weighted
    )
    access = (3 * 200 / 3 + 1 * 75) / 4
    assert value.elements["ACCESS"]["value"] == pytest.approx(access)
    assert value.elements["PROCEDURE"]["value"] == pytest.approx(90)
    # No criterion of RESULT has a weight: it has no figure, and weighs nothing.
    assert value.elements["RESULT"]["value"] is None
    assert value.value == pytest.approx((access + 3 * 90) / 4)


def test_an_agency_without_answers_to_a_criterion_has_no_rate_for_it(
    rollup, questionnaire
):
    agency = Agency.objects.get(code="22-stp")
    rollup.add(
        agency=agency,
        month=202205,
        respondents=35,
        criteria={"ACCESS_1": [35, 0, 0, 0, 0, 0], "ACCESS_2": [0, 0, 0, 5, 20, 10]},
    )
    rollup.write()
    figures_refresh_dirty()
    value = _year_value(level=Level.AGENCY, unit_id=agency.id)
    criteria = figure_criteria(value=value)
    assert criteria["ACCESS_1"] == {
        "value": None,
        "n": 0,
        "counts": [35, 0, 0, 0, 0, 0],
    }
    assert criteria["ACCESS_2"]["value"] == pytest.approx(100 * 30 / 35)
    assert value.value == pytest.approx(100 * 30 / 35)


def test_criteria_are_read_from_the_rollup_in_questionnaire_order(
    hand_example, questionnaire, rollup
):
    """A satisfaction figure stores no criteria; they are the unit-period's counts
    as of now, so a count not yet refreshed into the figure shows already."""
    figures_refresh_dirty()
    value = _year_value(level=Level.AGENCY, unit_id=hand_example.id)
    assert value.criteria == {}
    codes = list(
        questionnaire.criteria.order_by("position").values_list("code", flat=True)
    )
    criteria = figure_criteria(value=value)
    assert list(criteria) == codes
    assert criteria["PROCEDURE_1"] == {
        "value": pytest.approx(90),
        "n": 40,
        "counts": [0, 1, 1, 2, 16, 20],
    }

    # Ten more "very satisfied", folded but not yet refreshed into the figure.
    rollup.add(
        agency=hand_example,
        month=202203,
        respondents=10,
        criteria={"PROCEDURE_1": [0, 0, 0, 0, 0, 10]},
    )
    rollup.write()
    value.refresh_from_db()
    assert value.respondents == 40
    assert figure_criteria(value=value)["PROCEDURE_1"] == {
        "value": pytest.approx(100 * 46 / 50),
        "n": 50,
        "counts": [0, 1, 1, 2, 16, 30],
    }
