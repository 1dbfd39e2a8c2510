"""Settings are read from the environment: checked in fresh processes, since a
settings module is imported once per process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, "
    "s.LANGUAGE_CODE, s.TIME_ZONE)"
)


DATABASE = {"DATABASE_URL": "postgres://u:p@db.internal:5433/sipas"}
KEYS = {"SECRET_KEY": secrets.token_urlsafe(50), "HASH_KEY": secrets.token_urlsafe(50)}


def run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, *args] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_redis_it_runs_tasks_in_process_in_vietnamese_with_debug_off():
    result = run(PROBE, {**DATABASE, **KEYS})
    assert result.returncode == 0, result.stderr
    engine, eager, debug, language, zone = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "True"
    assert debug == "False"
    assert (language, zone) == ("vi", "Asia/Ho_Chi_Minh")


def test_it_refuses_a_database_url_that_is_not_postgresql():
    result = run(PROBE, {**KEYS, "DATABASE_URL": "mysql://u:p@db.internal/sipas"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_with_service_urls_it_uses_postgresql_and_redis():
    result = run(
        PROBE,
        {
            "DATABASE_URL": "postgres://u:p@db.internal:5433/sipas",
            "REDIS_URL": "redis://cache.internal:6379/0",
            **KEYS,
        },
    )
    assert result.returncode == 0, result.stderr
    engine, eager, *_ = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"


def test_production_refuses_to_start_without_a_secret_key():
    result = run(PROBE, {"PRODUCTION": "1"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run(PROBE, {"PRODUCTION": "1", "SECRET_KEY": "changeme"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    env = {
        "PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "HASH_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "sipas.example.gov.vn",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sipas"
        ),
    }
    result = run("", env, "manage.py", "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", ["SECRET_KEY", "HASH_KEY"])
@pytest.mark.parametrize(
    "value",
    [
        "",
        "short-but-random-Xq7",
        "change-me-to-fifty-random-characters-before-you-deploy",
        "# required when PRODUCTION=1: 50+ random characters, no spaces",
        "insecure-development-key-never-use-in-production",
        "a" * 60,
    ],
    ids=["empty", "short", "placeholder", "comment", "built-in", "repetitive"],
)
def test_with_debug_off_it_refuses_a_weak_key_in_one_line_that_names_it(name, value):
    result = run(PROBE, {**DATABASE, **KEYS, name: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(name)
    assert "secrets.token_urlsafe" in lines[0]


def test_with_debug_on_it_starts_on_the_development_keys():
    result = run(PROBE, {**DATABASE, "DEBUG": "1"})
    assert result.returncode == 0, result.stderr
