"""Building the printable reports of a publication, after it commits or on
demand. Each report is an upsert: a task run twice leaves the same reports."""

from __future__ import annotations

from celery import shared_task

from results.models import Publication, Report
from results.reports import report_build, report_codes

LANGUAGES = ["vi", "en"]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reports_build(publication_id: int, codes: list[str] | None = None) -> int:
    """Build the PDF and DOCX reports, in both languages, of the nation and every
    province of a publication (or of `codes`). Returns how many were built."""
    publication = Publication.objects.get(pk=publication_id)
    built = 0
    for code in codes or report_codes(publication):
        for language in LANGUAGES:
            for fmt in Report.Format.values:
                report_build(
                    publication=publication, code=code, language=language, format=fmt
                )
                built += 1
    return built
