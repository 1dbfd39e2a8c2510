"""A rebuild's claim on the rollup is a lease: a rebuild lost with its worker, or
one whose part failed, stops blocking the folds. Through a real Redis and real
Celery workers, killed by the tests."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from indicators import tasks
from indicators.engine.pipeline import rollup_refresh
from indicators.engine.rebuild import (
    rollup_rebuild_abandon,
    rollup_rebuild_begin,
    rollup_rebuild_part,
)
from indicators.models import Reconciliation, RollupState

from .test_tasks_worker import (
    assert_rollup_equals_a_rebuild,
    nation_respondents,
    queue,  # noqa: F401 (fixture)
    some_responses,
    wait_for_backend,
    workers,  # noqa: F401 (fixture)
)

pytestmark = [pytest.mark.django_db(transaction=True)]


def needs_worker(test):
    """The marks of a test that starts Celery workers."""
    marks = [
        pytest.mark.worker,
        pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL"),
        pytest.mark.skipif(
            connection.vendor != "postgresql", reason="the worker needs PostgreSQL"
        ),
    ]
    for mark in marks:
        test = mark(test)
    return test


def claim() -> str | None:
    return RollupState.objects.get(pk=1).rebuild_cutoff


def other_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
    )


@contextmanager
def responses_locked() -> Iterator[None]:
    """Holds the responses table from another connection: a rebuild part that
    reads it waits, as a long one would."""
    with other_connection() as other:
        other.execute("LOCK TABLE surveys_response IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def wait_for_part_waiting(timeout: float = 60) -> None:
    """Until a backend of the test database waits, inside a rebuild part, for
    the responses table."""
    wait_for_backend(
        "INSERT INTO indicators_rebuild%",
        waits_for_lock=True,
        what="rebuild part",
        timeout=timeout,
    )


def fold_through(on_queue: str, timeout: float) -> tuple[dict, float]:
    """Send folds until one folds; its result and the seconds it took."""
    started = time.monotonic()
    while True:
        result = tasks.refresh_incremental.apply_async(queue=on_queue).get(timeout=60)
        elapsed = time.monotonic() - started
        if result["folded"] or elapsed > timeout:
            return result, elapsed
        time.sleep(0.5)


def test_a_fold_waits_while_a_rebuilds_lease_runs(son_la_centre, settings):
    settings.ROLLUP_REBUILD_LEASE_SECONDS = 300
    some_responses(son_la_centre, 3)
    cutoff = rollup_rebuild_begin()
    assert not rollup_refresh().folded
    assert claim() == cutoff


def test_a_fold_takes_the_rollup_back_once_a_rebuilds_lease_has_passed(
    son_la_centre, settings
):
    settings.ROLLUP_REBUILD_LEASE_SECONDS = 0
    some_responses(son_la_centre, 3)
    cutoff = rollup_rebuild_begin()
    result = rollup_refresh()
    assert result.folded and result.changes == 3
    assert claim() is None
    # The lost rebuild's parts, delivered late, do nothing.
    assert not rollup_rebuild_part(cutoff=cutoff, province_id=son_la_centre.province_id)
    assert nation_respondents(2023) == 3
    assert_rollup_equals_a_rebuild()


def test_a_part_renews_the_lease_of_its_rebuild(son_la_centre, settings):
    settings.ROLLUP_REBUILD_LEASE_SECONDS = 60
    cutoff = rollup_rebuild_begin()
    RollupState.objects.filter(pk=1).update(rebuild_lease_until=None)
    assert rollup_rebuild_part(cutoff=cutoff, province_id=son_la_centre.province_id)
    assert RollupState.objects.get(pk=1).rebuild_lease_until is not None
    assert not rollup_refresh().folded


def test_an_abandoned_rebuild_gives_its_claim_up_and_only_its_own(son_la_centre):
    first = rollup_rebuild_begin()
    second = rollup_rebuild_begin()
    assert not rollup_rebuild_abandon(cutoff=first)
    assert claim() == second
    assert rollup_rebuild_abandon(cutoff=second)
    assert claim() is None
    assert rollup_refresh().folded


@needs_worker
def test_a_rebuild_whose_worker_is_killed_lets_the_folds_run_when_its_lease_ends(
    workers,  # noqa: F811
    queue,  # noqa: F811
    son_la_centre,
    bac_kan_centre,
    monkeypatch,
    settings,
):
    lease = 3
    # Short for the test; the workers read it from their environment.
    monkeypatch.setenv("ROLLUP_REBUILD_LEASE_SECONDS", str(lease))
    settings.ROLLUP_REBUILD_LEASE_SECONDS = lease
    some_responses(son_la_centre, 6)
    some_responses(bac_kan_centre, 6)
    first = workers()
    tasks.refresh_incremental.apply_async(queue=queue).get(timeout=60)
    some_responses(son_la_centre, 5)

    with responses_locked():
        tasks.rebuild.apply_async(queue=queue)
        wait_for_part_waiting()
        first.kill()
    # The killed part's message waits in Redis for its visibility timeout (an
    # hour); the claim is still held.
    assert claim() is not None

    workers()
    result, elapsed = fold_through(queue, timeout=120)
    assert result["folded"], result
    assert result["changes"] == 5
    # The new worker runs the parts left in the queue (each renews the lease),
    # then the lease runs out: seconds, where the fold waited six hours before.
    assert elapsed < 60
    assert claim() is None
    assert nation_respondents(2023) == 17
    assert_rollup_equals_a_rebuild()


@needs_worker
def test_a_rebuild_whose_part_fails_gives_its_claim_up_at_once(
    workers,  # noqa: F811
    queue,  # noqa: F811
    son_la_centre,
    settings,
):
    settings.ROLLUP_REBUILD_LEASE_SECONDS = 3600
    some_responses(son_la_centre, 4)
    workers()
    # Every part that counts a response fails on this constraint.
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE indicators_rebuildrespondentcount"
            " ADD CONSTRAINT test_part_fails CHECK (respondents < 0) NOT VALID"
        )
    try:
        tasks.rebuild.apply_async(queue=queue).get(timeout=60)
        deadline = time.monotonic() + 120
        while claim() is not None and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE indicators_rebuildrespondentcount"
                " DROP CONSTRAINT test_part_fails"
            )
    assert claim() is None
    result, _ = fold_through(queue, timeout=10)
    assert result["folded"] and result["changes"] == 4
    assert_rollup_equals_a_rebuild()


def wait_for_reconcile_waiting(timeout: float = 60) -> None:
    """Until a backend of the test database waits, inside a reconciliation, for
    the responses table."""
    wait_for_backend(
        "CREATE TEMP TABLE recon_base%",
        waits_for_lock=True,
        what="reconciliation",
        timeout=timeout,
    )


@needs_worker
def test_a_reconciliation_whose_pool_process_dies_runs_again_and_blocks_nothing(
    workers,  # noqa: F811
    queue,  # noqa: F811
    son_la_centre,
):
    some_responses(son_la_centre, 4)
    worker = workers()
    tasks.refresh_incremental.apply_async(queue=queue).get(timeout=60)
    with responses_locked():
        tasks.reconcile.apply_async(queue=queue)
        wait_for_reconcile_waiting()
        (child,) = worker.child_pids()
        os.kill(child, signal.SIGKILL)
    # The message goes back to the queue (acks_late, reject_on_worker_lost) and
    # the reconciliation runs again; folds were never held up by it.
    deadline = time.monotonic() + 90
    while not Reconciliation.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    record = Reconciliation.objects.get()
    assert record.matched, worker.output()[-3000:]
    assert "WorkerLostError" in worker.output()
    result, _ = fold_through(queue, timeout=10)
    assert result["folded"]
