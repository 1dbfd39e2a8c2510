"""Questionnaires, their elements and criteria: versioned data, no code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from surveys.models.units import BilingualName


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
