from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from surveys.imports import responses_import_file
from surveys.management.commands._import_run import import_run
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
            raise CommandError(
                _("Unknown questionnaire %(code)s.")
                % {"code": options["questionnaire"]}
            )
        path = options["file"]
        import_run(
            self,
            path,
            lambda progress: responses_import_file(
                path, questionnaire=questionnaire, progress=progress
            ),
        )
