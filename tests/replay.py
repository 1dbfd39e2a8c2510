"""Fixtures that write many rows through the real code, built once per test process
and replayed after that.

A fixture such as `sipas` (two years of figures for the 63 provinces) costs a
second through the rollup and the figures' SQL; dozens of tests read its result.
`replayed` runs the build the first time, notes the full contents of every table
it changed, and gives later tests those contents again (DELETE, then COPY) when
the database they start from holds the same data. Any difference in that data
(other agencies, another questionnaire, rows left by the test itself) builds
again, so a replay only ever gives a test what the build would have.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import connection

# Rows a test makes for itself before the fixture (the officials it signs in as,
# their sessions, login attempts) and that no figure reads: they do not decide
# whether a replay fits. A build that writes any of them is never replayed.
PEOPLE_TABLES = frozenset(
    {
        "auth_user",
        "auth_user_groups",
        "auth_user_user_permissions",
        "surveys_official",
        "django_session",
        "django_admin_log",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
    }
)

_built: dict[tuple[str, str], dict[str, bytes] | None] = {}


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def table_contents(cursor) -> dict[str, bytes]:
    """Each table's rows in COPY's text format, sorted (the order rows happen to
    be stored in says nothing of the data)."""
    contents = {}
    for table in _tables(cursor):
        with cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
            rows = b"".join(bytes(chunk) for chunk in copy).splitlines(keepends=True)
        contents[table] = b"".join(sorted(rows))
    return contents


def _digest(contents: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for table, rows in contents.items():
        if table not in PEOPLE_TABLES:
            digest.update(table.encode() + b"\0" + rows + b"\0")
    return digest.hexdigest()


def replayed(name: str, build: Callable[[], None]) -> None:
    """Run `build`, or give the tables the contents its earlier run in this
    process left, when that run started from the same data."""
    with connection.cursor() as cursor:
        before = table_contents(cursor)
        key = (name, _digest(before))
        if key not in _built:
            build()
            after = table_contents(cursor)
            changed = {t: rows for t, rows in after.items() if rows != before[t]}
            _built[key] = None if PEOPLE_TABLES & changed.keys() else changed
            return
        written = _built[key]
        if written is None:
            build()
            return
        for table, rows in written.items():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"DELETE FROM {quoted}")
            with cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
                copy.write(rows)
