"""Fixtures of the indicator tests: the default scoring definition and targets, as
the reference loader seeds them, and a rollup builder."""

from __future__ import annotations

import pytest

from indicators.models import ScoringDefinition
from indicators.services import scoring_defaults_load, targets_defaults_load
from tests.indicators.rollup_builders import RollupBuilder


@pytest.fixture(autouse=True)
def indicator_defaults(db) -> None:
    scoring_defaults_load()
    targets_defaults_load()


@pytest.fixture
def definition(questionnaire) -> ScoringDefinition:
    return ScoringDefinition.objects.get(questionnaire=questionnaire, is_current=True)


@pytest.fixture
def rollup(questionnaire) -> RollupBuilder:
    return RollupBuilder(questionnaire)
