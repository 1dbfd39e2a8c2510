"""Responses, the codes of their fields, and officials' reviews of them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models.questionnaires import Questionnaire
from surveys.models.units import Agency, Procedure


class Channel(models.IntegerChoices):
    IN_PERSON = 1, _("in person")
    ONLINE = 2, _("online")
    POST = 3, _("by post")


class Source(models.IntegerChoices):
    WEB = 1, _("survey page")
    API = 2, _("API")
    PAPER = 3, _("paper survey")


class RespondentType(models.IntegerChoices):
    CITIZEN = 1, _("citizen")
    ORGANISATION = 2, _("organisation")


class Gender(models.IntegerChoices):
    FEMALE = 1, _("female")
    MALE = 2, _("male")
    OTHER = 3, _("other")


class AgeBand(models.IntegerChoices):
    UNDER_25 = 1, _("under 25")
    FROM_25_TO_34 = 2, _("25–34")
    FROM_35_TO_49 = 3, _("35–49")
    FROM_50_TO_64 = 4, _("50–64")
    FROM_65 = 5, _("65 and over")


class Education(models.IntegerChoices):
    PRIMARY = 1, _("primary school or less")
    SECONDARY = 2, _("secondary school")
    VOCATIONAL = 3, _("vocational or college")
    UNIVERSITY = 4, _("university")
    POSTGRADUATE = 5, _("postgraduate")


class Occupation(models.IntegerChoices):
    FARMER = 1, _("farmer, fisher")
    WORKER = 2, _("worker")
    BUSINESS = 3, _("business owner, trader")
    PUBLIC_EMPLOYEE = 4, _("public employee")
    OFFICE = 5, _("office employee")
    STUDENT = 6, _("student")
    RETIRED = 7, _("retired")
    OTHER = 8, _("other")


class Response(models.Model):
    """One citizen's answers to one questionnaire about one agency.

    `answers` holds one character per criterion, in criterion order: "1" to "5" on
    the scale, "0" for "does not apply", "-" for an optional criterion left out.
    One narrow row per response, rather than a row per answer, keeps a response to
    the 23-criterion questionnaire near 200 bytes with its indexes, and SQL reads a
    criterion with substr().

    On PostgreSQL the table also has a column `xact_id` (the writing transaction,
    added by migration surveys 0002) that the incremental rollup uses as its watermark.
    """

    class Status(models.IntegerChoices):
        ACCEPTED = 1, _("accepted")
        SUSPICIOUS = 2, _("suspicious")
        RESTORED = 3, _("restored")

    class Flag(models.IntegerChoices):
        # Bits of `flags`: why intake held the response back. Set once, at intake.
        HONEYPOT = 1, _("honeypot field filled")
        TOO_FAST = 2, _("filled in too fast")
        BURST = 4, _("burst from one client")
        STAMP = 8, _("start stamp missing, forged or used before")
        PATTERN = 16, _("same answers repeated from one address")

    uid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        db_index=False,
    )
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
    source = models.PositiveSmallIntegerField(_("source"), choices=Source.choices)
    responded_on = models.DateField(_("date of the service"))
    # To the hour, no finer: a receipt time to the millisecond could be joined to
    # other records of the same moment (an invitation's use, an access log).
    received_at = models.DateTimeField(_("received at (hour)"))
    answers = models.CharField(_("answers"), max_length=200)
    respondent_type = models.PositiveSmallIntegerField(
        _("respondent type"), choices=RespondentType.choices, null=True, blank=True
    )
    gender = models.PositiveSmallIntegerField(
        _("gender"), choices=Gender.choices, null=True, blank=True
    )
    age_band = models.PositiveSmallIntegerField(
        _("age"), choices=AgeBand.choices, null=True, blank=True
    )
    education = models.PositiveSmallIntegerField(
        _("education"), choices=Education.choices, null=True, blank=True
    )
    occupation = models.PositiveSmallIntegerField(
        _("occupation"), choices=Occupation.choices, null=True, blank=True
    )
    suggestion = models.TextField(_("suggestion"), blank=True, default="")
    flags = models.PositiveSmallIntegerField(_("intake flags"), default=0)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=Status.choices, default=Status.ACCEPTED
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            # Scoped response lists: an official's agencies, newest first.
            models.Index(fields=["agency", "-id"], name="response_agency_recent"),
        ]

    def __str__(self) -> str:
        return str(self.uid)

    @property
    def counted(self) -> bool:
        return self.status != self.Status.SUSPICIOUS

    @property
    def flag_labels(self) -> list[str]:
        return [str(f.label) for f in self.Flag if self.flags & f.value]


class ResponseReview(models.Model):
    """An official marking a response suspicious or restoring it.

    Reviews are the history of `Response.status` after intake: the rollup folds
    each one once, as a change of one response's contribution.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="reviews"
    )
    from_status = models.PositiveSmallIntegerField(choices=Response.Status.choices)
    to_status = models.PositiveSmallIntegerField(choices=Response.Status.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("response review")
        verbose_name_plural = _("response reviews")

    def __str__(self) -> str:
        return f"{self.response_id}: {self.from_status} → {self.to_status}"
