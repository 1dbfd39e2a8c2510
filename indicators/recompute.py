"""Asking for the figures to be computed again, from the review admin.

Apart from `indicators.services` because the tasks call those services: a
service that queued the tasks would make the two modules import each other."""

from __future__ import annotations

from django.db import transaction

from indicators import tasks


def recompute_queue(*, rebuild: bool = False) -> None:
    """Queue a refresh of the figures (or a full rebuild) once the current
    transaction commits, so that the task sees what the request wrote (reviews of
    responses, a changed target). Without a broker the task runs in process."""
    task = tasks.rebuild if rebuild else tasks.refresh_incremental
    transaction.on_commit(task.delay)
