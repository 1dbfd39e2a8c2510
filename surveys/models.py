"""Collection: the units people rate, the questionnaires they answer, their answers.

Reference tables use 32-bit keys: a response row carries three of them, and at
millions of responses every byte of that row counts (see docs/performance.md).
"""

from __future__ import annotations

import contextlib
import ipaddress
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """A name in Vietnamese and English, shown in the active language."""

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class Region(BilingualName):
    """One of the six socio-economic regions provinces are ranked within."""

    id = models.AutoField(primary_key=True)
    code = models.CharField(_("code"), max_length=16, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(BilingualName):
    """A provincial unit in one administrative map.

    The 63 units of the 2008 map and the 34 of the 2025 map are separate rows, even
    where name and code did not change: figures stay attached to the unit that
    existed when they were collected, and `successor` carries them to the 2025 map.
    """

    class Map(models.IntegerChoices):
        MAP_2008 = 2008, _("2008–2025 (63 units)")
        MAP_2025 = 2025, _("from 1 July 2025 (34 units)")

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("centrally run city")

    id = models.AutoField(primary_key=True)
    map = models.PositiveSmallIntegerField(_("map"), choices=Map.choices)
    code = models.CharField(_("statistical code"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="provinces",
        null=True,
        blank=True,
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor in the 2025 map"),
        on_delete=models.PROTECT,
        related_name="predecessors",
        null=True,
        blank=True,
        limit_choices_to={"map": Map.MAP_2025},
    )

    class Meta:
        ordering = ["map", "code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.UniqueConstraint(fields=["map", "code"], name="province_map_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.map})"

    @property
    def in_2025_map(self) -> Province:
        return self if self.map == self.Map.MAP_2025 else self.successor


MAP_2025_STARTS = "2025-07-01"


class Agency(BilingualName):
    """An agency citizens deal with; agencies form a tree under ministries or
    provinces, and each belongs to at most one province."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry or central agency")
        DEPARTMENT = "department", _("provincial department")
        SERVICE_CENTRE = "centre", _("public administrative service centre")
        DISTRICT = "district", _("district (until 2025)")
        COMMUNE = "commune", _("commune")

    id = models.AutoField(primary_key=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="agencies",
        null=True,
        blank=True,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Procedure(BilingualName):
    """An administrative procedure with its national code and legal time limit."""

    id = models.AutoField(primary_key=True)
    code = models.CharField(_("national code"), max_length=32, unique=True)
    field = models.CharField(_("field"), max_length=120)
    time_limit_days = models.PositiveSmallIntegerField(_("legal time limit (days)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")


class Questionnaire(models.Model):
    """A versioned questionnaire. A new version or a new questionnaire (policy,
    basic public services) is data: elements and criteria rows, no code.

    A version is authored as a draft; publishing freezes it and makes it the
    current one (the one the survey link serves); retiring stops new responses
    and keeps everything already counted.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("no longer in use")

    id = models.AutoField(primary_key=True)
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    # The answer scale: [{"value": 1, "label_vi": ..., "label_en": ...}, ...]; the
    # value 0 is "does not apply" and counts in no denominator.
    scale = models.JSONField(_("answer scale"))
    is_current = models.BooleanField(_("current version"), default=False)
    asks_about_respondent = models.BooleanField(
        _("asks the optional questions about the respondent"), default=True
    )
    # Published by default: versions loaded from the reference files are; the
    # authoring services create drafts explicitly.
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="questionnaire_code_version"
            ),
            # The survey link resolves a code to exactly one current version.
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_current=True),
                name="questionnaire_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @property
    def title(self) -> str:
        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi


class Element(BilingualName):
    """A group of criteria (access, procedure, civil servants, results, feedback)."""

    id = models.AutoField(primary_key=True)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="elements"
    )
    code = models.CharField(_("code"), max_length=32)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("element")
        verbose_name_plural = _("elements")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="element_code"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="element_position"
            ),
        ]


class Criterion(models.Model):
    """One question. `position` (from 1) is its place in `Response.answers`."""

    id = models.AutoField(primary_key=True)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="criteria"
    )
    element = models.ForeignKey(
        Element, on_delete=models.CASCADE, related_name="criteria"
    )
    code = models.CharField(_("code"), max_length=32)
    position = models.PositiveSmallIntegerField(_("position"))
    text_vi = models.TextField(_("text (Vietnamese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    allows_not_applicable = models.BooleanField(
        _("“does not apply” allowed"), default=True
    )

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="criterion_code"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="criterion_position"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        if (get_language() or "vi").startswith("en") and self.text_en:
            return self.text_en
        return self.text_vi


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
    added by migration 0002) that the incremental rollup uses as its watermark.
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


class Official(models.Model):
    """What a staff member is responsible for; scoping reads only this.

    A national administrator sees everything; a provincial official sees a province
    (a 2025 unit brings its predecessors), its agencies and their figures; an agency
    official sees one agency.
    """

    class Role(models.TextChoices):
        NATIONAL = "national", _("national administrator")
        PROVINCE = "province", _("provincial official")
        AGENCY = "agency", _("agency official")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="official",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="national", province=None, agency=None)
                    | models.Q(role="province", province__isnull=False, agency=None)
                    | models.Q(role="agency", agency__isnull=False, province=None)
                ),
                name="official_scope_matches_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


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


class Dossier(models.Model):
    """One dossier of an administrative procedure, as a one-stop system records it.

    The dossier number is kept only as a keyed hash: enough to recognise the same
    dossier when a later record of it arrives (which updates this row), never
    enough to read the number back or to link it to a survey response.

    On PostgreSQL the table also has `xact_id` (the transaction that last wrote
    the row, added by migration 0005), for diagnostics and later use; the fold
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
        "InvitationBatch",
        verbose_name=_("invitation batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
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
        verbose_name = _("changed dossier month")
        verbose_name_plural = _("changed dossier months")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month}"


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValidationError(
            _("Give an address (203.0.113.7) or a network (203.0.113.0/28).")
        ) from None


class KnownAddress(models.Model):
    """An address or network from which many honest citizens answer one agency:
    its kiosk, its counter's tablet, its service centre's Wi-Fi. Responses to that
    agency from there get the registration's own quota instead of the ordinary
    one per address, and are not flagged for repeating the same answers."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="known_addresses",
    )
    network = models.CharField(
        _("address or network"),
        max_length=49,
        validators=[validate_network],
        help_text=_("One address (203.0.113.7) or a network (203.0.113.0/28)."),
    )
    label = models.CharField(_("description"), max_length=200, blank=True)
    quota = models.PositiveIntegerField(
        _("responses allowed per window"),
        default=200,
        help_text=_("How many responses this address may send in each window."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("known address")
        verbose_name_plural = _("known addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "network"], name="known_address_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.network} ({self.label})" if self.label else self.network

    def clean(self) -> None:
        # A value that is no network stays as typed: the field's validator says why.
        with contextlib.suppress(ValueError):
            self.network = str(ipaddress.ip_network(self.network.strip(), strict=False))
