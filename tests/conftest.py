"""Shared fixtures: the reference data, and the four people every data-showing test
considers (an official of one province, one of another, a national administrator
and an anonymous citizen)."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from surveys.models import Agency, Official, Province, Questionnaire
from surveys.reference import DEFAULT_QUESTIONNAIRE

PASSWORD = "correct horse battery staple"

# Set RECORD_SQL to a file path to append every statement each test runs there
# (the statement's text and the types of its parameters, savepoint names made
# alike): comparing two recordings shows whether a change altered the SQL.
RECORD_SQL = os.environ.get("RECORD_SQL", "")
_SAVEPOINT = re.compile(r'"?s\d+_x\d+"?')


def _sql_recorder(lines: list[str]):
    def record(execute, sql, params, many, context):
        kinds = (
            sorted({type(p).__name__ for p in (params or [])})
            if many
            else [
                type(p).__name__
                for p in (params.values() if isinstance(params, dict) else params or [])
            ]
        )
        text = _SAVEPOINT.sub("s_x", " ".join(str(sql).split()))
        lines.append(f"{text}  -- {','.join(kinds)}")
        return execute(sql, params, many, context)

    return record


@pytest.fixture(autouse=True)
def _record_sql(request):
    """With RECORD_SQL set, the statements of this test on the main thread's
    connection, appended to that file under the test's name."""
    if not RECORD_SQL:
        yield
        return
    from django.db import connection

    lines: list[str] = []
    with connection.execute_wrapper(_sql_recorder(lines)):
        yield
    with open(RECORD_SQL, "a", encoding="utf-8") as handle:
        handle.write(f"=== {request.node.name}\n")
        handle.writelines(f"{line}\n" for line in lines)


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """The production hasher costs a large fraction of a second on purpose, for
    every user created, every login and every request with a Basic header; the
    tests' passwords are hashed with a quick one (MD5), first in the list, so
    that hashes of the others still verify."""
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _quick_flush():
    """After each test that commits, Django empties every table with one
    TRUNCATE, which costs a third of a second even when the tables are nearly
    empty (PostgreSQL gives each table new files and syncs them at commit). The
    tests empty the small tables with DELETE instead, in one transaction whose
    foreign keys are checked at its end, and TRUNCATE only the tables past a few
    pages: deleted rows left in those would slow the next tests' scans and
    mislead the planner until autovacuum came."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self,
                style,
                tables,
                reset_sequences=reset_sequences,
                allow_cascade=allow_cascade,
            )
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relname = ANY(%s)"
                " AND relkind = 'r' AND relnamespace = current_schema()::regnamespace"
                " AND pg_relation_size(oid) > 65536",
                [list(tables)],
            )
            large = {row[0] for row in cursor.fetchall()}
        statements = ["SET CONSTRAINTS ALL DEFERRED"]
        if large:
            names = ", ".join(self.quote_name(table) for table in sorted(large))
            statements.append(f"TRUNCATE {names} CASCADE")
        statements += [
            f"DELETE FROM {self.quote_name(table)}"
            for table in tables
            if table not in large
        ]
        return statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once per test database."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        call_command("load_indicator_defaults", verbosity=0)


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Services and commands called directly speak English in tests, so messages
    can be asserted; requests still choose their language as users' do (Vietnamese
    unless they ask otherwise), and tests of Vietnamese text say so."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _forget_remembered_reference_data():
    """Each test builds its own agencies and questionnaires, under the same codes:
    what a previous test's process cache remembered is not in this database."""
    from surveys.selectors import reference_cache_clear

    reference_cache_clear()
    yield
    reference_cache_clear()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Tests that commit (threads, a live server, a worker process) run on a
    database that the previous such test flushed: bring the reference data back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        call_command("load_reference_data", verbosity=0)
        call_command("load_indicator_defaults", verbosity=0)


def _staff(username: str, **official) -> object:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    if official:
        Official.objects.create(user=user, **official)
    return user


@pytest.fixture
def questionnaire(db) -> Questionnaire:
    return Questionnaire.objects.get(code=DEFAULT_QUESTIONNAIRE, is_current=True)


@pytest.fixture
def son_la(db) -> Province:
    return Province.objects.get(map=Province.Map.MAP_2008, code="14")


@pytest.fixture
def quang_ninh(db) -> Province:
    return Province.objects.get(map=Province.Map.MAP_2008, code="22")


@pytest.fixture
def son_la_centre(db) -> Agency:
    return Agency.objects.get(code="14-centre")


@pytest.fixture
def quang_ninh_centre(db) -> Agency:
    return Agency.objects.get(code="22-centre")


@pytest.fixture
def son_la_official(db, son_la):
    """A provincial official of Sơn La (assigned in the 2025 map)."""
    return _staff("son-la", role=Official.Role.PROVINCE, province=son_la.successor)


@pytest.fixture
def quang_ninh_official(db, quang_ninh):
    """An official of another province, who must see nothing of Sơn La."""
    return _staff(
        "quang-ninh", role=Official.Role.PROVINCE, province=quang_ninh.successor
    )


@pytest.fixture
def agency_official(db, son_la_centre):
    return _staff("son-la-centre", role=Official.Role.AGENCY, agency=son_la_centre)


@pytest.fixture
def national_admin(db):
    return _staff("national", role=Official.Role.NATIONAL)
