"""The benchmark scripts run, on a very small data set. No timing is asserted:
timings belong in the benchmarks (docs/performance.md), never in tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from surveys.demo import demo_data_generate

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def _server_url() -> str:
    """The test database's server, as the bench names servers (no database)."""
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}"
        f":{settings['PORT'] or 5432}"
    )


def _run(script: str, *args: str, out: Path) -> list[dict]:
    url = f"{_server_url()}/{connection.settings_dict['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings")
    done = subprocess.run(
        [
            sys.executable,
            f"bench/{script}",
            "--data",
            "smoke",
            "--json",
            str(out),
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| bench |" in done.stdout
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_bench_scripts_run_on_a_small_data_set(tmp_path):
    demo_data_generate(responses=1500, districts_per_province=1, communes_per_unit=1)
    connection.close()  # the scripts' processes must see committed rows only
    out = tmp_path / "rows.jsonl"
    rows = _run(
        "refresh.py", "--new", "300", "--repeat", "1", "--statements", "0", out=out
    )
    assert any(r["figure"].startswith("fold + figures") for r in rows)
    # Each statement is timed within its step: the agencies' counts are added
    # by MERGE (PostgreSQL 15 and later), the figures written by one upsert.
    statements = {r["figure"] for r in rows if ": " in r["figure"]}
    merge = "agency fold: MERGE INTO indicators_criterioncount"
    assert merge in statements or connection.pg_version < 150000
    assert "agency figures: INSERT INTO indicators_indicatorvalue" in statements
    rows = _run("rebuild.py", "--repeat", "1", "--verify", "--workers", "", out=out)
    differing = [r for r in rows if r["figure"].startswith("rows differing")]
    # The hand-written baseline computes exactly the rollup's counts.
    assert differing and differing[0]["value"] == 0
    rows = _run("read.py", "--repeat", "2", "--url", "/api/v1/indicators/", out=out)
    assert any(r["figure"] == "/api/v1/indicators/ queries" for r in rows)

    from surveys.models import Response

    stored = Response.objects.count()
    connection.close()
    rows = _run("submit_cpu.py", "--rounds", "2", "--requests", "5", out=out)
    cpu = {r["figure"]: r for r in rows if r["bench"] == "1 submit"}
    own = cpu["web process CPU per request (in-process)"]
    assert own["value"] > 0 and own["baseline"] > 0
    assert "PostgreSQL backend CPU per submission" in cpu
    # What the bench submitted is taken out again.
    assert Response.objects.count() == stored


def test_a_run_names_the_server_settings_it_ran_with(monkeypatch):
    from bench.common import server_settings

    monkeypatch.setenv("BENCH_PG", _server_url())
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum')")
        autovacuum = cursor.fetchone()[0]
        cursor.execute("SELECT current_setting('shared_buffers')")
        shared_buffers = cursor.fetchone()[0]
    named = server_settings()
    assert f"autovacuum {autovacuum}" in named
    assert f"shared_buffers {shared_buffers}" in named
