from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from surveys.dossiers import dossiers_import_file
from surveys.imports import file_unreadable


class Command(BaseCommand):
    help = (
        "Import dossier records from a one-stop system's CSV file (format: "
        "docs/dossier-import.md). The whole file is checked first: any error "
        "stores nothing. A later record of a dossier updates it; importing the "
        "same file again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8")

    def handle(self, *args, **options) -> None:
        progress = None
        if sys.stderr.isatty():

            def progress(stage: str, rows: int) -> None:
                sys.stderr.write(f"\r{stage} {rows:>10,} rows")
                sys.stderr.flush()

        try:
            report = dossiers_import_file(options["file"], progress=progress)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(file_unreadable(options["file"], error)) from error
        if progress:
            sys.stderr.write("\n")
        for error in report.errors:
            self.stderr.write(str(error))
        if report.error_count > len(report.errors):
            self.stderr.write(
                f"... and {report.error_count - len(report.errors)} more errors"
            )
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
