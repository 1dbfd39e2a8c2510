"""Survey invitations: the batches issued, and those answered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models.responses import Channel
from surveys.models.units import Agency, Procedure


class InvitationBatch(models.Model):
    """Invitation links printed or sent for one agency at one time.

    The links themselves are signed and never stored; only how many were issued,
    so that a response rate (invitations answered / issued) can be computed.
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="invitation_batches",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    # The questionnaire its links open, by code (its current version when the
    # link is answered); empty for the platform's own (SIPAS).
    questionnaire_code = models.SlugField(
        _("questionnaire"), max_length=40, blank=True, default="", db_index=False
    )
    count = models.PositiveIntegerField(_("invitations issued"))
    # Set on the batches that count invitations of resolved dossiers: one batch
    # per agency, procedure, channel and day of issue, growing by one per dossier.
    issued_on = models.DateField(
        _("dossier invitations of the day"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")

    def __str__(self) -> str:
        return f"{self.agency.code}: {self.count} ({self.created_at:%Y-%m-%d})"


class UsedInvitation(models.Model):
    """An invitation that has been answered, known only by a keyed hash of its
    nonce: the unique hash is what refuses a second response to one invitation."""

    token_hash = models.CharField(_("invitation hash"), max_length=64, unique=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        InvitationBatch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="used",
    )
    # The day only: a time of use could be joined to the response's receipt, and
    # through the batch to the dossier.
    used_on = models.DateField(_("used on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("used invitation")
        verbose_name_plural = _("used invitations")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.used_on:%Y-%m-%d}"
