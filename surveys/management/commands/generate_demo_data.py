from __future__ import annotations

import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from surveys.demo import demo_data_generate


class Command(BaseCommand):
    help = (
        "Create demo agencies and realistic responses across provinces, periods and "
        "channels (loads reference data first if needed)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--responses", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args, responses: int, seed: int, **options) -> None:
        call_command("load_reference_data", verbosity=0)
        started = time.monotonic()
        tty = sys.stderr.isatty()

        def progress(done: int) -> None:
            if tty:
                rate = done / max(time.monotonic() - started, 1e-9)
                sys.stderr.write(
                    f"\r{done:>10,} / {responses:,} responses  ({rate:,.0f}/s)"
                )
                sys.stderr.flush()

        written = demo_data_generate(responses=responses, seed=seed, progress=progress)
        if tty:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"{written:,} responses written in {elapsed:.1f} s.")
        )
