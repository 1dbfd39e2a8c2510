"""The embedded PostgreSQL server of a first run: it starts, takes the migrations,
keeps what was written across a stop and a start, and stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from config.embedded_database import embedded_database_stop, embedded_database_url

ROOT = Path(__file__).resolve().parent.parent


def connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1))


def test_the_embedded_server_keeps_its_data_across_a_stop_and_a_start(tmp_path):
    data_dir = tmp_path / "postgres"
    try:
        url = embedded_database_url(data_dir)
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert migrate.returncode == 0, migrate.stderr
        with connect(url) as connection:
            connection.execute(
                "INSERT INTO auth_group (name) VALUES (%s)", ["kept across restarts"]
            )

        assert embedded_database_stop(data_dir) is True
        assert embedded_database_stop(data_dir) is False

        assert embedded_database_url(data_dir) == url
        with connect(url) as connection:
            names = connection.execute("SELECT name FROM auth_group").fetchall()
        assert names == [("kept across restarts",)]
    finally:
        embedded_database_stop(data_dir)
