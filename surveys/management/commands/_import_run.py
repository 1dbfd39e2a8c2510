"""What the two CSV import commands share: progress on a terminal, the file
refused when it cannot be read, each error on standard error, and the summary.
(A module whose name starts with "_" is not a command.)"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from surveys.imports import ImportReport, file_unreadable
from surveys.numbers import count_text

Progress = Callable[[str, int], None]


def import_run(
    command: BaseCommand, path: str, run: Callable[[Progress | None], ImportReport]
) -> None:
    """Run `run(progress)` on the file at `path` and report as a command does:
    CommandError (exit 1) when anything was refused, the summary otherwise."""
    progress = None
    if sys.stderr.isatty():
        stages = {"checked": _("checked"), "loaded": _("stored")}

        def progress(stage: str, rows: int) -> None:
            line = _("%(rows)s rows %(stage)s") % {
                "rows": count_text(rows),
                "stage": stages.get(stage, stage),
            }
            sys.stderr.write(f"\r{line}")
            sys.stderr.flush()

    try:
        report = run(progress)
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(file_unreadable(path, error)) from error
    if progress:
        sys.stderr.write("\n")
    for error in report.errors:
        command.stderr.write(str(error))
    if report.error_count > len(report.errors):
        command.stderr.write(
            _("… and %(count)s more errors")
            % {"count": count_text(report.error_count - len(report.errors))}
        )
    if not report.ok:
        raise CommandError(report.summary())
    command.stdout.write(command.style.SUCCESS(report.summary()))
