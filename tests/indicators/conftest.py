"""Fixtures of the indicator tests."""

from __future__ import annotations

import pytest

from indicators.engine.figures import figures_refresh_dirty
from indicators.models import ScoringDefinition
from surveys.models import Agency
from tests.conftest import PASSWORD
from tests.indicators.engine.builders import RollupBuilder, centre, sipas_2022_figures
from tests.replay import replayed


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


@pytest.fixture
def login(client):
    def as_user(user):
        client.logout()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return as_user


@pytest.fixture
def sipas(rollup, son_la):
    """2021 and 2022 for the 63 provinces: in 2022 Sơn La is 17th of 63 and 5th of
    14 in its region at 82.18%; in 2021 it was last (70%), so it rose 46 places."""
    figures = sipas_2022_figures(son_la)

    def build() -> None:
        for province, hundredths in figures.items():
            rate_2021 = 70 if province == son_la else hundredths / 100
            rollup.add_uniform(
                agency=centre(province), month=202106, rate=rate_2021, answered=5000
            )
        rollup.write()
        figures_refresh_dirty()
        for province, hundredths in figures.items():
            rollup.add_uniform(
                agency=centre(province),
                month=202209,
                rate=hundredths / 100,
                answered=5000,
            )
        rollup.write()
        figures_refresh_dirty()

    replayed("sipas", build)
    return figures
