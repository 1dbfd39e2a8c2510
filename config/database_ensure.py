"""Create the database DATABASE_URL names when its server is reachable but the
database is not there yet: `bin/demo` with a server of one's own then starts as
it does on the embedded one, instead of with a traceback.

    python -m config.database_ensure     # exit 0: the database is there
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def database_ensure(url: str) -> bool:
    """Create the database of `url` unless it exists; True when it was created.
    Raises psycopg.OperationalError when the server cannot be reached."""
    name = conninfo_to_dict(url).get("dbname") or "postgres"
    try:
        maintenance = psycopg.connect(
            make_conninfo(url, dbname="postgres"), autocommit=True
        )
    except psycopg.OperationalError:
        # No maintenance database to ask (or no right to it): the database
        # itself must answer.
        psycopg.connect(url).close()
        return False
    with maintenance:
        if maintenance.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            return False
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return 0
    try:
        if database_ensure(url):
            print(f"Đã tạo cơ sở dữ liệu {conninfo_to_dict(url).get('dbname')}.")
    except psycopg.Error as error:
        print(
            "Không kết nối được cơ sở dữ liệu của DATABASE_URL"
            f" (cannot reach the database of DATABASE_URL): {error}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
