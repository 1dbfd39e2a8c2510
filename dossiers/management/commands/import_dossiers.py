from __future__ import annotations

from django.core.management.base import BaseCommand

from dossiers.services import dossiers_import_file
from surveys.management.commands._import_run import import_run


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
        path = options["file"]
        import_run(
            self, path, lambda progress: dossiers_import_file(path, progress=progress)
        )
