"""Derived data: the rollup of answer counts, and the figures computed from it.

The rollup keeps, per unit, period and criterion, how many answers fell on each
level of the scale. Any scoring definition can be applied to it without reading a
response again, and it is small next to the responses it counts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Criterion, Questionnaire


class Level(models.IntegerChoices):
    """The kind of unit a figure is about. `unit_id` is an Agency id, a Province
    id (the 2008 and the 2025 units are distinct rows), a Region id, or 0."""

    AGENCY = 1, _("agency")
    PROVINCE = 2, _("province")
    REGION = 3, _("region")
    NATION = 4, _("nation")


class PeriodKind(models.IntegerChoices):
    """`period_key` is 202203 for March 2022, 20221 for its first quarter and 2022
    for the year."""

    MONTH = 1, _("month")
    QUARTER = 2, _("quarter")
    YEAR = 3, _("year")


class UnitPeriod(models.Model):
    """Fields shared by everything keyed by unit and period."""

    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    unit_id = models.IntegerField(_("unit"))
    period_kind = models.PositiveSmallIntegerField(
        _("period kind"), choices=PeriodKind.choices
    )
    period_key = models.IntegerField(_("period"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return (
            f"{self.get_level_display()} {self.unit_id}, "
            f"{self.get_period_kind_display()} {self.period_key}"
        )


class CriterionCount(UnitPeriod):
    """Answers to one criterion about one unit in one period, by level: `n0` is
    "does not apply", `n1` to `n5` the scale. Only counted responses are here."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    n0 = models.IntegerField(default=0)
    n1 = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n5 = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("criterion count")
        verbose_name_plural = _("criterion counts")
        constraints = [
            # The upsert target of every fold; also serves reads by unit and period.
            models.UniqueConstraint(
                fields=["level", "unit_id", "period_kind", "period_key", "criterion"],
                name="criterioncount_key",
            )
        ]


class RespondentCount(UnitPeriod):
    """Counted responses to one questionnaire about one unit in one period."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    respondents = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("respondent count")
        verbose_name_plural = _("respondent counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "level",
                    "unit_id",
                    "period_kind",
                    "period_key",
                    "questionnaire",
                ],
                name="respondentcount_key",
            )
        ]


class DirtyUnitPeriod(UnitPeriod):
    """A unit and period whose counts changed since its figures were computed.

    The fold inserts these in the same transaction as the counts; computing the
    figures consumes them. This is what keeps a refresh proportional to the change.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, db_index=False, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "level",
                    "unit_id",
                    "period_kind",
                    "period_key",
                    "questionnaire",
                ],
                name="dirtyunitperiod_key",
            )
        ]


class RollupState(models.Model):
    """The single row (id 1) that says how far the rollup has folded.

    On PostgreSQL the marks are transaction ids (`xid8` as integers): everything
    written by transactions below the mark is folded, nothing above it. On SQLite,
    which has one writer at a time, they are row ids. The row is locked for the
    length of a fold, so two folds never overlap.
    """

    response_mark = models.BigIntegerField(default=0)
    review_mark = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # PostgreSQL: the snapshot of the last fold ("xmin:xmax:xip,..."). A row is
    # folded when it becomes visible, i.e. exactly once: a transaction still open
    # elsewhere in the cluster holds back the xmin mark, but not the fold.
    snapshot = models.TextField(blank=True, default="")
    # Set while a rebuild runs across several tasks (no one transaction can hold
    # the lock for it): the cutoff it counts to (see indicators.rollup.Marks).
    # Folds skip meanwhile; the rebuild resets the marks to it when it swaps in.
    rebuild_cutoff = models.TextField(null=True, blank=True)  # noqa: DJ001 (none running)
    rebuild_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")

    def __str__(self) -> str:
        return f"responses to {self.response_mark}, reviews to {self.review_mark}"


class RebuildCriterionCount(models.Model):
    """Scratch of a rebuild: answers per agency, questionnaire, month and criterion.

    The tasks of a rebuild fill it one province at a time; the last step fans it out
    to every level and period. Empty between rebuilds.
    """

    agency_id = models.IntegerField()
    questionnaire_id = models.IntegerField()
    month = models.IntegerField()
    criterion_id = models.IntegerField()
    n0 = models.IntegerField(default=0)
    n1 = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n5 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # A province task run twice replaces its rows instead of adding them.
            models.UniqueConstraint(
                fields=["agency_id", "questionnaire_id", "month", "criterion_id"],
                name="rebuildcriterioncount_key",
            )
        ]

    def __str__(self) -> str:
        return f"agency {self.agency_id}, {self.month}, criterion {self.criterion_id}"


class RebuildRespondentCount(models.Model):
    """Scratch of a rebuild: counted responses per agency, questionnaire, month."""

    agency_id = models.IntegerField()
    questionnaire_id = models.IntegerField()
    month = models.IntegerField()
    respondents = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "questionnaire_id", "month"],
                name="rebuildrespondentcount_key",
            )
        ]

    def __str__(self) -> str:
        return f"agency {self.agency_id}, {self.month}: {self.respondents}"


class Reconciliation(models.Model):
    """One comparison of the live rollup with a recomputation from responses."""

    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    response_mark = models.BigIntegerField(_("response mark"))
    review_mark = models.BigIntegerField(_("review mark"))
    matched = models.BooleanField(_("matched"))
    differing_rows = models.IntegerField(_("differing rows"), default=0)
    # Up to a few differing rows, each {"table", "side", "row"}: enough to start
    # looking, small enough to keep every night.
    sample = models.JSONField(_("sample of differences"), default=list, blank=True)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")

    def __str__(self) -> str:
        state = "matched" if self.matched else f"{self.differing_rows} differences"
        return f"{self.checked_at:%Y-%m-%d %H:%M}: {state}"
