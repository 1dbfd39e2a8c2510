from __future__ import annotations

from django.core.management.base import BaseCommand

from surveys.reference import reference_data_load


class Command(BaseCommand):
    help = (
        "Load regions, provinces (2008 and 2025 maps), agencies, procedures and the "
        "default questionnaire. Running it again changes nothing; "
        "load_indicator_defaults then adds the scoring definition and targets."
    )

    def handle(self, *args, **options) -> None:
        report = reference_data_load()
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(str(report)))
