"""bin/demo on a server of one's own: the database DATABASE_URL names is created
when it is missing, found when it is there, and an unreachable server is said in
one line."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from config.database_ensure import database_ensure

PROJECT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sipas")


@pytest.fixture
def missing_database():
    name = f"sipas_ensure_{secrets.token_hex(4)}"
    yield name, make_conninfo(SERVER, dbname=name)
    maintenance = make_conninfo(SERVER, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_missing_database_is_created_once(missing_database):
    name, url = missing_database
    assert database_ensure(url) is True
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT current_database()").fetchone() == (name,)
    assert database_ensure(url) is False


def test_an_unreachable_server_is_said_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "config.database_ensure"],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/sipas"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Không kết nối được cơ sở dữ liệu của DATABASE_URL")
