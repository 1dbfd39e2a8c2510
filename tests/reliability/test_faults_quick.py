"""The quick variant of `bench/faults.py`: the real stack (private PostgreSQL and
Redis, gunicorn, a Celery worker) under 1,500 submissions from 10 clients while
Redis stops, the worker is killed mid-fold and PostgreSQL restarts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def test_under_faults_every_acknowledged_response_is_stored_once_and_figures_match(
    tmp_path,
):
    out = tmp_path / "faults.json"
    process = subprocess.Popen(
        [sys.executable, "bench/faults.py", "--quick", "--json", str(out)],
        cwd=PROJECT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        # SIGTERM lets the script stop its services and remove its cluster.
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        pytest.fail("the fault run did not finish:\n" + output[-4000:])
    assert process.returncode == 0, output[-4000:]
    report = json.loads(out.read_text())
    assert report["acknowledged"] == report["stored"] == 1500
    assert report["duplicates"] == 0
    assert report["lost"] == 0
    assert report["server_errors"] == 0
    # The PostgreSQL restart was seen by clients as 503 with Retry-After.
    restart = next(f for f in report["faults"] if f["fault"] == "postgresql restarted")
    assert restart["503_during"] > 0
    assert report["missing_retry_after"] == 0
    assert {"fault": "worker killed", "mid_fold": True} in report["faults"]
    assert report["rollup_matches_rebuild"] and report["values_match_rebuild"]
