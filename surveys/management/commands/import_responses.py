from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from surveys.imports import file_unreadable, responses_import_file
from surveys.reference import DEFAULT_QUESTIONNAIRE
from surveys.selectors import questionnaire_current


class Command(BaseCommand):
    help = (
        "Import paper surveys from a CSV file (format: docs/paper-import.md). The "
        "whole file is checked first: any error stores nothing. Importing the same "
        "file again adds nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8")
        parser.add_argument(
            "--questionnaire",
            default=DEFAULT_QUESTIONNAIRE,
            help="questionnaire code; its current version is used",
        )

    def handle(self, *args, **options) -> None:
        questionnaire = questionnaire_current(options["questionnaire"])
        if questionnaire is None:
            raise CommandError(f"Unknown questionnaire {options['questionnaire']!r}")
        progress = None
        if sys.stderr.isatty():

            def progress(stage: str, rows: int) -> None:
                sys.stderr.write(f"\r{stage} {rows:>10,} rows")
                sys.stderr.flush()

        try:
            report = responses_import_file(
                options["file"], questionnaire=questionnaire, progress=progress
            )
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
