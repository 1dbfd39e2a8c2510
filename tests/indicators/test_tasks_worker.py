"""The rollup tasks through a real Redis and a real Celery worker process, started
and killed by the tests, against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from indicators import tasks
from indicators.engine.pipeline import rollup_rebuild
from indicators.engine.reconcile import rollup_reconcile
from indicators.models import AgencyBacklog, Level, PeriodKind, RespondentCount

from .engine.helpers import SUSPICIOUS, respond, review, rollup_rows

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL"),
]

PROJECT = Path(__file__).resolve().parents[2]


class Worker:
    """A Celery worker process of our own, consuming one queue of our own."""

    def __init__(self, queue: str) -> None:
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
        env = {
            **os.environ,
            # The test database, which the worker would not find on its own.
            "DATABASE_URL": f"postgres://{auth}@{host}/{s['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "DB_CONN_MAX_AGE": "0",
        }
        # Kept open for the worker's lifetime; read back when a test fails.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            "w+", prefix="worker-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--loglevel",
                "INFO",
            ],
            cwd=PROJECT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # Its own process group: killing it kills its pool child too, and
            # nothing else.
            start_new_session=True,
        )

    def child_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()


@pytest.fixture
def queue() -> str:
    return f"rollup-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def workers(queue):
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(queue)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def nation_respondents(year: int) -> int:
    row = RespondentCount.objects.filter(
        level=Level.NATION, unit_id=0, period_kind=PeriodKind.YEAR, period_key=year
    ).first()
    return row.respondents if row else 0


def wait_for_backend(
    query_like: str, *, waits_for_lock: bool, what: str, timeout: float
) -> None:
    """Until a backend of the test database runs a statement starting as
    `query_like` (LIKE pattern), waiting for a lock or, otherwise, active; fails
    saying `what` never started."""
    condition = "wait_event_type = 'Lock'" if waits_for_lock else "state = 'active'"
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                f" WHERE datname = current_database() AND {condition}"
                " AND query LIKE %s",
                [query_like],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError(f"no {what} started")


def wait_for_fold_in_progress(timeout: float = 30) -> None:
    """Until a backend of the test database sleeps inside a fold."""
    wait_for_backend(
        "SELECT pg_sleep%", waits_for_lock=False, what="fold", timeout=timeout
    )


def some_responses(agency, count: int) -> None:
    for i in range(count):
        respond(agency, f"2023-{1 + i % 12:02d}-15", "45" * 11 + str(i % 6))


def assert_rollup_equals_a_rebuild() -> None:
    assert rollup_reconcile().matched
    live = rollup_rows()
    rollup_rebuild()
    assert rollup_rows() == live


def test_a_refresh_sent_through_redis_runs_on_a_worker_and_lands_in_postgresql(
    workers, queue, son_la_centre
):
    some_responses(son_la_centre, 12)
    workers()
    result = tasks.refresh_incremental.apply_async(queue=queue)
    # Five units (agency, Sơn La, its 2025 unit, region, nation) in 12 months, 4
    # quarters and a year; the agency by quarter and year only.
    expected = {"folded": True, "changes": 12, "dirty": 5 * (12 + 4 + 1) - 12}
    assert result.get(timeout=60) == expected
    assert nation_respondents(2023) == 12
    assert_rollup_equals_a_rebuild()


def test_a_worker_killed_in_the_middle_of_a_fold_leaves_nothing_counted_twice(
    workers, queue, son_la_centre
):
    some_responses(son_la_centre, 30)
    first = workers()
    tasks.refresh_incremental.apply_async(kwargs={"pause_seconds": 4}, queue=queue)
    wait_for_fold_in_progress()
    first.kill()
    # The killed fold never committed.
    assert nation_respondents(2023) == 0

    workers()
    result = tasks.refresh_incremental.apply_async(queue=queue)
    # It waits for the dead fold's transaction to end, then folds everything once.
    assert result.get(timeout=60)["changes"] == 30
    assert nation_respondents(2023) == 30
    again = tasks.refresh_incremental.apply_async(queue=queue).get(timeout=60)
    assert again["changes"] == 0
    assert_rollup_equals_a_rebuild()


def test_a_fold_whose_pool_process_dies_is_redelivered_and_counts_once(
    workers, queue, son_la_centre
):
    some_responses(son_la_centre, 20)
    worker = workers()
    result = tasks.refresh_incremental.apply_async(
        kwargs={"pause_seconds": 3}, queue=queue
    )
    wait_for_fold_in_progress()
    (child,) = worker.child_pids()
    os.kill(child, signal.SIGKILL)
    # reject_on_worker_lost puts the message back; the worker runs it again (the
    # state of the first attempt can be reported as lost meanwhile). Its second
    # transaction, the agencies' share, commits after the nation's count.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and (
        nation_respondents(2023) == 0 or AgencyBacklog.objects.exists()
    ):
        time.sleep(0.5)
    assert nation_respondents(2023) == 20, worker.output()[-3000:]
    assert not AgencyBacklog.objects.exists()
    assert "WorkerLostError" in worker.output()
    assert result.id
    assert_rollup_equals_a_rebuild()


def test_a_rebuild_through_celery_gives_the_counts_of_the_incremental_folds(
    workers, queue, son_la_centre, bac_kan_centre
):
    some_responses(son_la_centre, 6)
    some_responses(bac_kan_centre, 6)
    for_review = respond(bac_kan_centre, "2025-08-01", "5" * 23)
    workers()
    tasks.refresh_incremental.apply_async(queue=queue).get(timeout=60)
    review(for_review, SUSPICIOUS)
    tasks.refresh_incremental.apply_async(queue=queue).get(timeout=60)
    incremental = rollup_rows()

    cutoff = tasks.rebuild.apply_async(queue=queue).get(timeout=60)
    deadline = time.monotonic() + 120
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT rebuild_cutoff, rebuilt_at FROM indicators_rollupstate"
            )
            running, rebuilt = cursor.fetchone()
            if running is None and rebuilt is not None:
                break
            time.sleep(0.5)
    assert cutoff and rebuilt is not None
    assert rollup_rows() == incremental
    reconciled = tasks.reconcile.apply_async(queue=queue).get(timeout=60)
    assert reconciled == {"matched": True, "differing_rows": 0}
