"""Dossier records from one-stop systems, the queue of the months they changed,
and the counts the indicator fold last took from them.

The tables keep the names they had before this app existed (`db_table`): the
move from `surveys` and `indicators` changed only which app declares them, and
the counting SQL of the indicators engine names them as they are.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Agency, Channel, Procedure


class Dossier(models.Model):
    """One dossier of an administrative procedure, as a one-stop system records it.

    The dossier number is kept only as a keyed hash: enough to recognise the same
    dossier when a later record of it arrives (which updates this row), never
    enough to read the number back or to link it to a survey response.

    On PostgreSQL the table also has `xact_id` (the transaction that last wrote
    the row, added by migration surveys 0005), for diagnostics and later use; the fold
    itself works from `DossierTouch`.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting for the citizen to supplement")
        RESOLVED = "resolved", _("resolved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    number_hash = models.CharField(_("dossier number (keyed hash)"), max_length=64)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, db_index=False
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
    )
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(
        _("days paused for the citizen to supplement"), default=0
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # Set when the survey invitation of this dossier was first issued; the batch
    # counts it as issued (a batch per agency, procedure, channel and day, so the
    # batch says nothing about which dossier).
    invited_on = models.DateField(_("invitation issued on"), null=True, blank=True)
    invitation_batch = models.ForeignKey(
        "surveys.InvitationBatch",
        verbose_name=_("invitation batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "surveys_dossier"
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            # The upsert target of every import: a later record updates the row.
            models.UniqueConstraint(fields=["number_hash"], name="dossier_number"),
        ]
        indexes = [
            # The fold recounts one agency's month by received and resolved date.
            models.Index(fields=["agency", "received_on"], name="dossier_received"),
            models.Index(
                fields=["agency", "resolved_on"],
                name="dossier_resolved",
                condition=models.Q(resolved_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.received_on} {self.status}"

    @property
    def resolved(self) -> bool:
        return self.status == self.Status.RESOLVED


class DossierTouch(models.Model):
    """An (agency, month) whose dossier counts may have changed: written in the
    same transaction as the dossiers (for the months a dossier leaves and the
    months it enters), consumed by the indicator fold, which recounts exactly
    those groups. A queue, not history: rows are deleted once folded."""

    agency_id = models.IntegerField()
    month = models.IntegerField()  # 202203 for March 2022

    class Meta:
        db_table = "surveys_dossiertouch"
        verbose_name = _("changed dossier month")
        verbose_name_plural = _("changed dossier months")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month}"


class DossierCounts(models.Model):
    """The dossier counts every fold adds up (fields shared by `DossierMonthCount` and
    the indicators' `DossierCount`).

    By date received: `received`, `received_online`. By date resolved:
    `resolved`, `resolved_on_time` (resolved no later than the due date pushed
    back by the paused days) and `handling_days` (the sum over resolved dossiers
    of the days from receipt to resolution, paused days not counted).
    """

    received = models.IntegerField(_("dossiers received"), default=0)
    received_online = models.IntegerField(_("received online"), default=0)
    resolved = models.IntegerField(_("dossiers resolved"), default=0)
    resolved_on_time = models.IntegerField(_("resolved on time"), default=0)
    handling_days = models.BigIntegerField(_("handling days (sum)"), default=0)

    class Meta:
        abstract = True


class DossierMonthCount(DossierCounts):
    """The dossier counts of one agency and month, as last folded: the fold
    recounts a queued (agency, month) from the dossiers and adds the difference
    to this row to every level and period."""

    agency_id = models.IntegerField()
    month = models.IntegerField()

    class Meta:
        db_table = "indicators_dossiermonthcount"
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "month"], name="dossiermonthcount_key"
            )
        ]

    def __str__(self) -> str:
        return f"agency {self.agency_id}, {self.month}"
