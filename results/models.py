"""Published results: frozen snapshots of a year's figures, the counts behind them,
and the reports printed from them.

A publication copies everything a reader needs (names, counts, the scoring
definition, targets, ranks) so that later responses, rebuilds, new scoring
definitions or renamed units never change what was published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """One published version of one year's results.

    Publishing a year again adds a version; the latest version of a year is the one
    the public pages show, the earlier ones stay readable at their own URL.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Responses counted up to this moment (the rollup's last refresh).
    cutoff = models.DateTimeField(_("responses counted up to"), null=True)
    map = models.PositiveSmallIntegerField(_("map"))
    # The scoring definition as it was: code, version, satisfied levels, weights,
    # decimals, and the elements and criteria with their names, in order.
    definition = models.JSONField(_("scoring definition"))
    min_respondents = models.PositiveIntegerField(_("minimum respondents"))
    threshold = models.FloatField(_("target (%)"), null=True, blank=True)
    national_mean = models.FloatField(_("national mean"), null=True, blank=True)
    licence = models.CharField(_("licence"), max_length=300, blank=True)
    # What differs from the previous version: [{"code", "level", "field", "old",
    # "new"}], with "field" "added" or "removed" for units that came or went.
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"], name="publication_year_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def decimals(self) -> int:
        return int(self.definition.get("decimals", 2))


class PublishedFigure(models.Model):
    """One unit's published figures: the nation's mean of provinces, a region's,
    a province's or an agency's, with the counts per criterion they come from."""

    class Level(models.TextChoices):
        NATION = "nation", _("nation")
        REGION = "region", _("region")
        PROVINCE = "province", _("province")
        AGENCY = "agency", _("agency")

    class Status(models.TextChoices):
        MEETS = "meets", _("meets target")
        BELOW = "below", _("below target")
        NO_TARGET = "no_target", _("no target")

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="figures"
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    code = models.CharField(_("code"), max_length=40)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    region_code = models.CharField(_("region"), max_length=16, blank=True)
    province_code = models.CharField(_("province"), max_length=8, blank=True)
    respondents = models.IntegerField(_("respondents"), default=0)
    value = models.FloatField(_("index (%)"), null=True)
    # {element code: index}, {criterion code: rate}, {criterion code: [n0..n5]}.
    elements = models.JSONField(_("elements"), default=dict)
    criteria = models.JSONField(_("criteria"), default=dict)
    counts = models.JSONField(_("counts"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rank_national = models.IntegerField(null=True, blank=True)
    rank_national_of = models.IntegerField(null=True, blank=True)
    rank_region = models.IntegerField(null=True, blank=True)
    rank_region_of = models.IntegerField(null=True, blank=True)
    # Points since the previous published year (same map), and to the national mean.
    change = models.FloatField(null=True, blank=True)
    gap_to_mean = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["publication", "level", "rank_national", "code"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "level", "code"],
                name="publishedfigure_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication} {self.level} {self.code}"

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi


class OpenDataSettings(models.Model):
    """The single row (id 1) of what the administrator sets for the open data."""

    licence = models.CharField(
        _("licence line"),
        max_length=300,
        default="CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
    )

    class Meta:
        verbose_name = _("open data settings")
        verbose_name_plural = _("open data settings")

    def __str__(self) -> str:
        return self.licence


class Report(models.Model):
    """A printable report of one publication, for the nation or one province."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="reports"
    )
    # "VN" for the nation, else the province code.
    code = models.CharField(_("code"), max_length=8)
    language = models.CharField(_("language"), max_length=8)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "code", "language", "format"],
                name="report_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication} {self.code} {self.language}.{self.format}"
