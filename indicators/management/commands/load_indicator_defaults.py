from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.services import scoring_defaults_load, targets_defaults_load


class Command(BaseCommand):
    help = (
        "Load the default scoring definition of the SIPAS questionnaire and the "
        "government targets, after load_reference_data. Running it again changes "
        "nothing."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            definition = scoring_defaults_load()
            if definition is None:
                raise CommandError(
                    _(
                        "The SIPAS questionnaire is not loaded: run "
                        "load_reference_data first."
                    )
                )
            created = targets_defaults_load()
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Scoring definition %(code)s v%(version)s; %(n)s targets added.")
                    % {
                        "code": definition.code,
                        "version": definition.version,
                        "n": created,
                    }
                )
            )
