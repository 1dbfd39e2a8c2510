from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command


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
