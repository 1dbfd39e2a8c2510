"""manage.py publish_results YEAR: publish a year's results as a new version."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from results.services import NothingToPublish, publication_create


class Command(BaseCommand):
    help = gettext_lazy(
        "Publish a year's results: a frozen snapshot, as a new dated version."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options) -> None:
        try:
            publication = publication_create(year=year)
        except NothingToPublish as error:
            raise CommandError(
                _("%(year)s has no figure with enough respondents to publish.")
                % {"year": year}
            ) from error
        self.stdout.write(
            _(
                "Published the results of %(year)s, version %(version)s: "
                "%(figures)s figures, %(changes)s changes since the previous version."
            )
            % {
                "year": publication.year,
                "version": publication.version,
                "figures": number_format(
                    publication.figures.count(), force_grouping=True
                ),
                "changes": number_format(len(publication.changes), force_grouping=True),
            }
        )
