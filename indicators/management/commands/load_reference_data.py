from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from indicators.services import scoring_defaults_load, targets_defaults_load
from surveys.reference import reference_data_load


class Command(BaseCommand):
    help = (
        "Load regions, provinces (2008 and 2025 maps), agencies, procedures, the "
        "default questionnaire, scoring definition and targets. Running it again "
        "changes nothing."
    )

    def handle(self, *args, **options) -> None:
        # The command lives in `indicators` because it seeds both apps, and
        # `surveys` must not depend on `indicators`.
        with transaction.atomic():
            report = reference_data_load()
            scoring_defaults_load()
            targets_defaults_load()
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(str(report)))
