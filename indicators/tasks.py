"""Celery tasks of the indicators engine: thin wrappers that take plain values
and call `indicators.engine` (the pipeline, or one step of a rebuild). Each can
run twice without counting anything twice."""

from __future__ import annotations

import logging

from celery import chord, shared_task

from indicators.engine import pipeline
from indicators.engine import rebuild as rebuilding
from indicators.engine.reconcile import rollup_reconcile

logger = logging.getLogger(__name__)


# acks_late + reject_on_worker_lost: a fold is one transaction, so a worker lost
# mid-way leaves nothing behind and the redelivered fold does the whole work once.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_incremental(pause_seconds: float = 0) -> dict:
    result = pipeline.rollup_refresh(pause_seconds=pause_seconds)
    return {"folded": result.folded, "changes": result.changes, "dirty": result.dirty}


# The two halves of refresh_incremental on their own schedules: the ranked
# units (provinces, regions, the nation) every 30 s, the agencies every 5 minutes.
# Each is one transaction, safe to redeliver, and does nothing when nothing is new.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_ranked() -> dict:
    result = pipeline.ranked_refresh()
    return {"folded": result.folded, "changes": result.changes, "dirty": result.dirty}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_agencies() -> dict:
    return {"counted": pipeline.agencies_refresh()}


# A part replaces its own scratch rows in one transaction: safe to redeliver.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_province(cutoff: str, province_id: int | None) -> bool:
    return rebuilding.rollup_rebuild_part(cutoff=cutoff, province_id=province_id)


# The swap is one transaction that only the first run for a cutoff performs.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_finish(_parts: list | None = None, *, cutoff: str) -> bool:
    return pipeline.rebuild_finish(cutoff=cutoff)


# A part that failed means the rebuild can never swap in: its claim is given up
# at once rather than when its lease runs out.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_abandon(_failed_task_id: str | None = None, *, cutoff: str) -> bool:
    return rebuilding.rollup_rebuild_abandon(cutoff=cutoff)


# Run again after a lost worker, it starts a new rebuild that supersedes the first.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def rebuild(self) -> str:
    """Start a rebuild: one task per province (and one for agencies without one),
    then the swap once all have finished. The parts go to the queue this task came
    from, so a worker dedicated to a queue runs the whole rebuild. If a part
    fails, the rebuild gives up its claim on the rollup."""
    cutoff = rebuilding.rollup_rebuild_begin()
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    options = {"queue": queue} if queue else {}
    parts = [
        rebuild_province.si(cutoff, province_id).set(**options)
        for province_id in rebuilding.rollup_rebuild_parts()
    ]
    finish = rebuild_finish.s(cutoff=cutoff).set(**options)
    finish.on_error(rebuild_abandon.si(cutoff=cutoff).set(**options))
    chord(parts)(finish)
    return cutoff


# A recount in one read-only transaction, then one record: running it twice
# records twice, counts nothing.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def reconcile() -> dict:
    record = rollup_reconcile()
    return {"matched": record.matched, "differing_rows": record.differing_rows}
