"""Schemathesis against the published OpenAPI schema, through the WSGI app: every
operation with generated valid and invalid input, with all of Schemathesis's
checks (no server error, only documented statuses, content types and headers,
bodies that match the schema, invalid data refused, valid data accepted). The
examples are always the same ones (derandomized); bin/test-long runs more."""

from __future__ import annotations

import base64

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application
from tests.conftest import PASSWORD
from tests.profiles import examples

EXAMPLES = examples(quick=15, long=100)
# Schema-valid data is not always acceptable data: an agency or questionnaire
# code must exist, which no schema can say. Every other check runs.
NOT_APPLICABLE = [checks.positive_data_acceptance]


# Generating the schema reads no database: it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


pytestmark = pytest.mark.property


@pytest.fixture(autouse=True)
def no_rate_limit(db, settings):
    # The rate limit is tested elsewhere; here it would answer 429 to everything
    # after the first twenty examples.
    settings.SURVEY_RATE_LIMIT = 1_000_000
    cache.clear()


@pytest.fixture(autouse=True)
def keep_the_test_transaction():
    """Called as a server calls it, the WSGI app closes the database connection
    after each request when it is inside a transaction, which is the test's: keep
    it open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error_or_breaks_its_schema(case):
    case.call_and_validate(excluded_checks=NOT_APPLICABLE)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_signed_in_staff_get_no_server_error_or_schema_break_either(
    case, national_admin
):
    token = base64.b64encode(f"{national_admin.username}:{PASSWORD}".encode())
    case.call_and_validate(
        headers={"Authorization": f"Basic {token.decode()}"},
        # The Basic header added here authenticates the requests these two
        # checks send without the session cookie or with broken credentials, so
        # they would flag every staff operation; the anonymous test runs them.
        excluded_checks=[
            *NOT_APPLICABLE,
            checks.ignored_auth,
            checks.negative_data_rejection,
        ],
    )
