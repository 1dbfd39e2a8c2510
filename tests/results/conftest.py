"""Fixtures of the published-results tests: the 2021 and 2022 figures of the 63
provinces that the indicator tests use (Sơn La 82.18%, 17th of 63, 5th of 14)."""

from __future__ import annotations

import pytest

from results.models import Publication
from results.services import publication_create
from tests.indicators.conftest import (  # noqa: F401 (fixtures)
    definition,
    login,
    rollup,
    sipas,
)


@pytest.fixture
def published(sipas) -> Publication:  # noqa: F811 (the imported fixture)
    """2021 then 2022 published, so that 2022 carries changes since 2021."""
    publication_create(year=2021)
    return publication_create(year=2022)
