"""The Celery application and its beat schedule."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("sipas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Provinces, regions and the nation reflect a submission within a minute (a
    # fold of half a minute's submissions is short: docs/performance.md); the
    # agencies' many count rows follow every five minutes.
    "indicators-refresh-ranked": {
        "task": "indicators.tasks.refresh_ranked",
        "schedule": 30.0,
    },
    "indicators-refresh-agencies": {
        "task": "indicators.tasks.refresh_agencies",
        "schedule": 300.0,
    },
    "indicators-reconcile": {
        "task": "indicators.tasks.reconcile",
        "schedule": crontab(hour=2, minute=15),
    },
}
