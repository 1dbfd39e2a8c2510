"""In the dossiers app rather than in surveys: it writes dossiers as well as
responses, and surveys knows nothing of dossiers."""

from __future__ import annotations

import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.demo import demo_dossiers_generate
from surveys.demo import demo_data_generate
from surveys.models import Response
from surveys.numbers import count_text

# The exit status of --if-empty when the demo data is already there.
ALREADY_LOADED = 3


class Command(BaseCommand):
    help = (
        "Create demo agencies and realistic responses across provinces, periods and "
        "channels (loads reference data first if needed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--responses", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=f"add nothing when responses exist (exit status {ALREADY_LOADED})",
        )

    def handle(
        self, *args, responses: int, seed: int, if_empty: bool, **options
    ) -> None:
        if if_empty and Response.objects.exists():
            self.stdout.write(
                _(
                    "The demo data is already loaded (%(count)s responses): "
                    "nothing added."
                )
                % {"count": count_text(Response.objects.count())}
            )
            sys.exit(ALREADY_LOADED)
        call_command("load_reference_data", verbosity=0)
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(done: int) -> None:
            if tty:
                rate = done / max(time.monotonic() - started, 1e-9)
                sys.stderr.write(
                    "\r"
                    + _("%(done)s responses written (%(rate)s a second)")
                    % {
                        "done": count_text(done),
                        "rate": count_text(round(rate)),
                    }
                )
                sys.stderr.flush()

        written = demo_data_generate(
            responses=responses, seed=seed, progress=progress, showcase=True
        )
        if tty:
            sys.stderr.write("\n")
        dossiers = demo_dossiers_generate(today=timezone.localdate(), seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Wrote %(count)s demo responses and %(dossiers)s dossiers in "
                    "%(seconds)s seconds."
                )
                % {
                    "count": count_text(written),
                    "dossiers": count_text(dossiers),
                    "seconds": count_text(round(time.monotonic() - started)),
                }
            )
        )
