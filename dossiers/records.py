"""Checking dossier records (format: docs/dossier-import.md), from a CSV file or
from the records an API client pushes: one record at a time, every error naming
its row (record) and field. The dossier number is hashed while checking and
never goes further in the clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from surveys.hashing import keyed_hash
from surveys.imports import ImportReport, row_references
from surveys.response_rules import CONTROL_CHARACTERS

COLUMNS = [
    "number",
    "agency",
    "procedure",
    "channel",
    "received_on",
    "due_on",
    "resolved_on",
    "paused_days",
    "status",
]
REQUIRED_COLUMNS = [c for c in COLUMNS if c not in {"procedure", "paused_days"}]
EARLIEST_DATE = dt.date(2000, 1, 1)
MAX_NUMBER_LENGTH = 100
MAX_PAUSED_DAYS = 3650
HASH_PURPOSE = "dossier"


@dataclass(frozen=True)
class DossierRow:
    """A checked record, ready to store; `row` is its number in the batch."""

    row: int
    number_hash: str
    agency_id: int
    procedure_id: int | None
    channel: int
    received_on: dt.date
    due_on: dt.date
    resolved_on: dt.date | None
    paused_days: int
    status: str


@dataclass
class DossierImportReport(ImportReport):
    """`imported` counts new dossiers, `updated` dossiers a later record changed,
    `already_present` records identical to what is stored."""

    updated: int = 0

    def summary(self) -> str:
        if not self.ok:
            return _(
                "%(rows)d records read, %(errors)d errors: nothing was stored."
            ) % {"rows": self.rows_read, "errors": self.error_count}
        return _(
            "%(rows)d records read, %(imported)d new, %(updated)d updated, "
            "%(present)d already present."
        ) % {
            "rows": self.rows_read,
            "imported": self.imported,
            "updated": self.updated,
            "present": self.already_present,
        }


def dossier_number_hash(number: str) -> str:
    """The keyed hash a dossier number is stored as (whitespace and case of the
    number do not matter: one-stop systems print it both ways)."""
    return keyed_hash(HASH_PURPOSE, number.strip().upper())


def record_text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _date(
    text: str,
    column: str,
    number: int,
    report: ImportReport,
    *,
    required: bool,
    future: bool = False,
) -> dt.date | None:
    if not text:
        if required:
            report.add_error(number, column, _("Required."))
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        report.add_error(number, column, _("Write the date as YYYY-MM-DD."))
        return None
    if not future and value > timezone.localdate():
        report.add_error(number, column, _("The date cannot be in the future."))
        return None
    if value < EARLIEST_DATE:
        report.add_error(number, column, _("The date is too far in the past."))
        return None
    return value


def dossier_record_check(
    number: int,
    record: Mapping[str, object],
    *,
    agencies: Mapping[str, int],
    procedures: Mapping[str, int],
    report: ImportReport,
) -> DossierRow | None:
    """A checked row, or None after adding the record's errors to `report`.
    `agencies` are the agency codes the sender may write for (its scope)."""
    before = report.error_count
    value = {name: record_text(record.get(name)) for name in COLUMNS}

    dossier_number = value["number"]
    if not dossier_number:
        report.add_error(number, "number", _("Required."))
    elif len(dossier_number) > MAX_NUMBER_LENGTH:
        report.add_error(
            number,
            "number",
            _("At most %(limit)d characters.") % {"limit": MAX_NUMBER_LENGTH},
        )
    elif CONTROL_CHARACTERS.search(dossier_number):
        # NUL and the like come from a damaged export, not from a real number.
        report.add_error(
            number,
            "number",
            _("The dossier number contains control characters; remove them."),
        )
    agency_id, procedure_id, channel = row_references(
        number, value, agencies=agencies, procedures=procedures, report=report
    )
    received_on = _date(
        value["received_on"], "received_on", number, report, required=True
    )
    # A due date may lie ahead: dossiers still being handled are recorded too.
    due_on = _date(
        value["due_on"], "due_on", number, report, required=True, future=True
    )
    resolved_on = _date(
        value["resolved_on"], "resolved_on", number, report, required=False
    )
    paused_days = 0
    if value["paused_days"]:
        try:
            paused_days = int(value["paused_days"])
        except ValueError:
            report.add_error(number, "paused_days", _("Write a whole number of days."))
        else:
            if not 0 <= paused_days <= MAX_PAUSED_DAYS:
                report.add_error(
                    number,
                    "paused_days",
                    _("Write a number of days from 0 to %(limit)d.")
                    % {"limit": MAX_PAUSED_DAYS},
                )
    status = value["status"]
    if status not in Dossier.Status.values:
        report.add_error(
            number,
            "status",
            _("Write one of: %(choices)s.")
            % {"choices": ", ".join(Dossier.Status.values)},
        )
    elif status == Dossier.Status.RESOLVED and not value["resolved_on"]:
        report.add_error(
            number, "resolved_on", _("A resolved dossier needs its resolution date.")
        )
    elif status != Dossier.Status.RESOLVED and value["resolved_on"]:
        report.add_error(
            number, "status", _("Only a resolved dossier has a resolution date.")
        )
    if received_on and due_on and due_on < received_on:
        report.add_error(
            number, "due_on", _("The due date is before the date received.")
        )
    if received_on and resolved_on and resolved_on < received_on:
        report.add_error(
            number, "resolved_on", _("The resolution date is before the date received.")
        )
    if report.error_count > before:
        return None
    return DossierRow(
        row=number,
        number_hash=dossier_number_hash(dossier_number),
        agency_id=agency_id,
        procedure_id=procedure_id,
        channel=channel,
        received_on=received_on,
        due_on=due_on,
        resolved_on=resolved_on,
        paused_days=paused_days,
        status=status,
    )
