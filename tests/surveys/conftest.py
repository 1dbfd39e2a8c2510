from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.surveys.helpers import api_payload


@pytest.fixture
def reference_data(transactional_db):
    """Tests that commit (threads, a live server) run on a flushed database: the
    reference data has to come back first."""
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roomy_rate_limit(settings):
    """A rate limit no test of a module that sends many submissions reaches, and
    counters that start empty."""
    settings.SURVEY_RATE_LIMIT = 10_000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def valid(questionnaire, son_la_centre) -> dict:
    """A submission the API accepts."""
    return api_payload(questionnaire, son_la_centre)
