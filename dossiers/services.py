"""Storing dossier records, all of a batch or none, and the survey invitation of
a resolved dossier.

Like the paper import, a batch is checked whole first (`dossiers.records`): a
single bad record stores nothing. A valid batch is stored by `dossiers.load` in
a few statements.

One survey invitation per resolved dossier. The link is an ordinary signed
invitation (surveys.services.invitations): the response inherits the dossier's
agency, procedure and channel, and nothing in it or in the stored response names
the dossier. Its nonce is a keyed hash of the dossier's (already hashed) number,
so issuing the link again for the same dossier gives a link to the same single
use: a dossier is answered at most once however often its receipt is printed or
its SMS resent. Issued links are counted in a batch per agency, procedure,
channel and day, which says nothing about which dossier was invited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.load import dossier_rows_load
from dossiers.models import Dossier
from dossiers.records import (
    COLUMNS,
    REQUIRED_COLUMNS,
    DossierImportReport,
    DossierRow,
    dossier_number_hash,
    dossier_record_check,
    record_text,
)
from surveys.hashing import keyed_hash
from surveys.imports import csv_header_check, csv_records
from surveys.models import Agency, InvitationBatch, Procedure
from surveys.scope import scope_for
from surveys.selectors import agencies_within
from surveys.services.invitations import invitation_token
from surveys.services.responses import Invitation


class DossierNotResolved(Exception):
    """Only a resolved dossier gets an invitation: the survey asks about a
    service the citizen has received."""


def _nonce(dossier: Dossier) -> str:
    return keyed_hash("dossier-invitation", dossier.number_hash)[:24]


@transaction.atomic
def dossier_invitation_issue(*, dossier: Dossier, user) -> str:
    """The invitation token of a resolved dossier, counting it as issued the
    first time. Raises PermissionDenied outside the user's scope and
    DossierNotResolved."""
    scope = scope_for(user)
    if not scope.everything and dossier.agency_id not in scope.agency_ids:
        raise PermissionDenied
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status != Dossier.Status.RESOLVED:
        raise DossierNotResolved
    if locked.invitation_batch_id is None:
        # One day's batch per agency grows by one per dossier; the agency row
        # lock keeps two issuers from opening two batches for the same day.
        Agency.objects.select_for_update().get(pk=locked.agency_id)
        today = timezone.localdate()
        batch = InvitationBatch.objects.filter(
            agency_id=locked.agency_id,
            procedure_id=locked.procedure_id,
            channel=locked.channel,
            issued_on=today,
        ).first()
        if batch is None:
            batch = InvitationBatch.objects.create(
                agency_id=locked.agency_id,
                procedure_id=locked.procedure_id,
                channel=locked.channel,
                count=1,
                issued_on=today,
                created_by=user if getattr(user, "pk", None) else None,
            )
        else:
            InvitationBatch.objects.filter(pk=batch.pk).update(count=F("count") + 1)
        locked.invitation_batch = batch
        locked.invited_on = today
        locked.save(update_fields=["invitation_batch", "invited_on"])
    dossier.invitation_batch_id = locked.invitation_batch_id
    dossier.invited_on = locked.invited_on
    return invitation_token(
        Invitation(
            agency_id=locked.agency_id,
            procedure_id=locked.procedure_id,
            channel=locked.channel,
            nonce=_nonce(locked),
            batch_id=locked.invitation_batch_id,
        )
    )


def _lookups(agency_ids: frozenset[int] | None) -> tuple[dict, dict]:
    agencies = dict(agencies_within(agency_ids).values_list("code", "id"))
    return agencies, dict(Procedure.objects.values_list("code", "id"))


def dossiers_store(
    *,
    records: Iterable[tuple[int, Mapping[str, object]]],
    agency_ids: frozenset[int] | None = None,
    report: DossierImportReport | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> DossierImportReport:
    """Check numbered records, then store all of them or none.

    `agency_ids`, when given, are the only agencies records may name (the
    sender's scope; others read as unknown). A record for a dossier already
    stored replaces what is stored; an identical one changes nothing."""
    report = report or DossierImportReport()
    agencies, procedures = _lookups(agency_ids)
    rows: list[DossierRow] = []
    seen: dict[str, int] = {}
    for number, record in records:
        report.rows_read += 1
        checked = dossier_record_check(
            number, record, agencies=agencies, procedures=procedures, report=report
        )
        # Also for rows with other errors: both rows have to be looked at.
        number_text = record_text(record.get("number"))
        if number_text:
            number_hash = dossier_number_hash(number_text)
            if number_hash in seen:
                report.add_error(
                    number,
                    "number",
                    _("The same dossier number is on row %(row)d.")
                    % {"row": seen[number_hash]},
                )
                continue
            seen[number_hash] = number
        if checked is not None and report.ok:
            rows.append(checked)
        if progress and report.rows_read % 10000 == 0:
            progress("checked", report.rows_read)
    if report.ok and rows:
        dossier_rows_load(rows, report)
    return report


def dossiers_import(
    *,
    lines: Iterable[str],
    agency_ids: frozenset[int] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> DossierImportReport:
    """Check every row of a dossier CSV, then store all of it or nothing."""
    report = DossierImportReport()
    reader = csv.DictReader(lines)
    if not csv_header_check(
        reader, columns=COLUMNS, required=REQUIRED_COLUMNS, report=report
    ):
        return report
    dossiers_store(
        records=csv_records(reader, report),
        agency_ids=agency_ids,
        report=report,
        progress=progress,
    )
    if report.ok and not report.rows_read:
        # As the API refuses an empty batch: an export that lost its rows must
        # not read as a quiet day (and a quiet day needs no file).
        report.add_error(1, "", _("The file has a header but no records."))
    return report


def dossiers_import_file(
    path_or_file, *, agency_ids: frozenset[int] | None = None, progress=None
) -> DossierImportReport:
    """`dossiers_import` on a path or a binary/text file object (UTF-8, with or
    without the byte-order mark spreadsheets add)."""
    if isinstance(path_or_file, str | bytes) or hasattr(path_or_file, "__fspath__"):
        with open(path_or_file, encoding="utf-8-sig", newline="") as handle:
            return dossiers_import(
                lines=handle, agency_ids=agency_ids, progress=progress
            )
    handle = path_or_file
    if not isinstance(handle, io.TextIOBase):
        handle = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    return dossiers_import(lines=handle, agency_ids=agency_ids, progress=progress)
