"""manage.py publish_results YEAR: publish a year's results as a new version."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from results.services import NothingToPublish, publication_create


class Command(BaseCommand):
    help = "Publish a year's results: a frozen snapshot, as a new dated version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options) -> None:
        try:
            publication = publication_create(year=year)
        except NothingToPublish as error:
            raise CommandError(
                f"{year} has no figure with enough respondents to publish."
            ) from error
        self.stdout.write(
            f"Published {publication.year} version {publication.version}: "
            f"{publication.figures.count()} figures, "
            f"{len(publication.changes)} changes since the previous version."
        )
