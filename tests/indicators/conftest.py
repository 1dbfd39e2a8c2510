"""Fixtures of the indicator tests."""

from __future__ import annotations

import pytest

from indicators.models import ScoringDefinition
from surveys.models import Agency
from tests.indicators.rollup_builders import RollupBuilder


@pytest.fixture
def definition(questionnaire) -> ScoringDefinition:
    return ScoringDefinition.objects.get(questionnaire=questionnaire, is_current=True)


@pytest.fixture
def rollup(questionnaire) -> RollupBuilder:
    return RollupBuilder(questionnaire)


@pytest.fixture
def bac_kan_centre(db) -> Agency:
    return Agency.objects.get(code="06-centre")


@pytest.fixture
def criteria(questionnaire) -> list:
    return list(questionnaire.criteria.order_by("position"))
