from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from indicators.engine.pipeline import rollup_rebuild, rollup_refresh
from indicators.models import Level
from indicators.refresh_status import indicator_units_counted
from surveys.models import Response
from surveys.numbers import count_text


class Command(BaseCommand):
    help = (
        "Fold new responses and reviews into the rollup, in this process (no Celery "
        "needed); --full recounts everything from the responses."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="rebuild the rollup from scratch"
        )

    def handle(self, *args, full: bool = False, **options) -> None:
        started = time.monotonic()
        if full:
            rollup_rebuild()
            units = indicator_units_counted()
            message = _(
                "Recomputed the indicators of %(provinces)s provinces, %(regions)s "
                "regions, the nation and %(agencies)s agencies from %(responses)s "
                "responses in %(seconds)s seconds."
            ) % {
                "provinces": count_text(units.get(Level.PROVINCE, 0)),
                "regions": count_text(units.get(Level.REGION, 0)),
                "agencies": count_text(units.get(Level.AGENCY, 0)),
                "responses": count_text(Response.objects.count()),
                "seconds": count_text(round(time.monotonic() - started)),
            }
            self.stdout.write(self.style.SUCCESS(message))
            return
        result = rollup_refresh()
        if not result.folded:
            self.stdout.write(
                self.style.WARNING(_("A full recount is running: nothing was done."))
            )
            return
        message = _(
            "Folded %(changes)s new responses and reviews; recomputed the figures "
            "of %(dirty)s units and periods in %(seconds)s seconds."
        ) % {
            "changes": count_text(result.changes),
            "dirty": count_text(result.dirty),
            "seconds": count_text(round(time.monotonic() - started)),
        }
        self.stdout.write(self.style.SUCCESS(message))
