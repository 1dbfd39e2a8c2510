"""Settings are read from the environment: checked in fresh processes, since a
settings module is imported once per process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, "
    "s.LANGUAGE_CODE, s.TIME_ZONE)"
)


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


def test_with_no_environment_it_runs_on_sqlite_with_tasks_in_process(tmp_path):
    result = run(PROBE, {"SQLITE_PATH": str(tmp_path / "first-look.sqlite3")})
    assert result.returncode == 0, result.stderr
    engine, eager, debug, language, zone = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"
    assert debug == "False"
    assert (language, zone) == ("vi", "Asia/Ho_Chi_Minh")


def test_with_service_urls_it_uses_postgresql_and_redis():
    result = run(
        PROBE,
        {
            "DATABASE_URL": "postgres://u:p@db.internal:5433/sipas",
            "REDIS_URL": "redis://cache.internal:6379/0",
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
        "ALLOWED_HOSTS": "sipas.example.gov.vn",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sipas"
        ),
    }
    result = run("", env, "manage.py", "check", "--deploy", "--fail-level", "DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
