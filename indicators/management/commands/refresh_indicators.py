from __future__ import annotations

from django.core.management.base import BaseCommand

from indicators.rollup import rollup_rebuild, rollup_refresh


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
        if full:
            cutoff = rollup_rebuild()
            self.stdout.write(self.style.SUCCESS(f"Rollup rebuilt to {cutoff}."))
            return
        result = rollup_refresh()
        if not result.folded:
            self.stdout.write(self.style.WARNING("A rebuild is running: nothing done."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Folded {result.changes} changes; {result.dirty} units and periods "
                "marked dirty."
            )
        )
