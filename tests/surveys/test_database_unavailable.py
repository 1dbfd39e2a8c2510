"""Only a lost or refused database connection answers 503 "unavailable": an SQL
error of the request itself stays a server error, never reported as an outage."""

from __future__ import annotations

import psycopg
import pytest
from django.db import OperationalError, connection, transaction

from surveys.middleware import is_outage


def _django_error(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.django_db
def test_a_statement_cancelled_by_its_timeout_is_not_an_outage():
    with (
        pytest.raises(OperationalError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    assert caught.value.__cause__.sqlstate == "57014"
    assert not is_outage(caught.value)


def test_a_statement_too_complex_is_not_an_outage():
    # "stack depth limit exceeded", as a scorecard export with one UNION branch
    # per row once met.
    assert not is_outage(_django_error(psycopg.errors.StatementTooComplex()))


def test_a_refused_connection_is_an_outage():
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect("host=127.0.0.1 port=1 connect_timeout=2")
    assert is_outage(_django_error(caught.value))


def test_a_server_shutting_down_is_an_outage():
    assert is_outage(_django_error(psycopg.errors.AdminShutdown()))
