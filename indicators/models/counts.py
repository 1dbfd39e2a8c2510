"""The rollup: answer and dossier counts per unit and period, the queues of what
changed, the fold's state, and a rebuild's scratch tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models import DossierCounts
from indicators.models.units import UnitPeriod
from surveys.models import Criterion, Questionnaire


class CriterionCount(UnitPeriod):
    """Answers to one criterion about one unit in one period, by level: `n0` is
    "does not apply", `n1` to `n5` the scale. Only counted responses are here."""

    # No database constraint: these rows are derived, written by the million by a
    # rebuild, and PostgreSQL checks a foreign key once per inserted row (half the
    # time of the insert, measured in docs/performance.md). PROTECT still applies in
    # Django, and criteria are never deleted (versions are never rewritten).
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        related_name="+",
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

    # Derived rows, as CriterionCount: no per-row foreign-key check.
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
        related_name="+",
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


class AgencyBacklog(models.Model):
    """Responses (and review changes) a fold has counted for the provinces,
    regions and nation but not yet for their agency.

    A fold counts the ranked units at once and leaves the agency counts to a
    second transaction, which consumes these rows: the provincial figures and
    rankings do not wait for the tens of thousands of agency count rows a batch
    of responses touches. A row is what the fold read: the weight `w` is +1 for a
    counted response, the change of a review otherwise. A rebuild, which counts
    every response for every unit, empties it.
    """

    id = models.BigAutoField(primary_key=True)
    # Plain ids, not foreign keys: copies of response columns, consumed within
    # seconds, and written by the thousand by a fold.
    agency_id = models.IntegerField()
    questionnaire_id = models.IntegerField()
    responded_on = models.DateField()
    answers = models.CharField(max_length=200)
    w = models.IntegerField()

    class Meta:
        verbose_name = _("agency backlog row")

    def __str__(self) -> str:
        return f"agency {self.agency_id}, {self.responded_on}, weight {self.w}"


class RollupState(models.Model):
    """The single row (id 1) that says how far the rollup has folded.

    The marks are transaction ids (`xid8` as integers): everything written by
    transactions below the mark is folded, nothing above it. The row is locked for
    the length of a fold, so two folds never overlap.
    """

    response_mark = models.BigIntegerField(default=0)
    review_mark = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # When the agencies' backlog was last counted (their figures follow the
    # provinces' by up to the agency fold's period).
    agencies_refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # PostgreSQL: the snapshot of the last fold ("xmin:xmax:xip,..."). A row is
    # folded when it becomes visible, i.e. exactly once: a transaction still open
    # elsewhere in the cluster holds back the xmin mark, but not the fold.
    snapshot = models.TextField(blank=True, default="")
    # Set while a rebuild runs across several tasks (no one transaction can hold
    # the lock for it): the cutoff it counts to (see indicators.engine.state.Marks).
    # Folds skip meanwhile; the rebuild resets the marks to it when it swaps in.
    rebuild_cutoff = models.TextField(null=True, blank=True)  # noqa: DJ001 (none running)
    rebuild_started_at = models.DateTimeField(null=True, blank=True)
    # The running rebuild's claim lasts until then: its start and each of its parts
    # extend it. A rebuild lost with its worker stops blocking the folds once it
    # has passed (settings.ROLLUP_REBUILD_LEASE_SECONDS).
    rebuild_lease_until = models.DateTimeField(null=True, blank=True)

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


class DossierCount(UnitPeriod, DossierCounts):
    """Dossier counts of one unit in one period, like `RespondentCount`."""

    class Meta:
        verbose_name = _("dossier count")
        verbose_name_plural = _("dossier counts")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "unit_id", "period_kind", "period_key"],
                name="dossiercount_key",
            )
        ]


class DossierDirtyUnitPeriod(UnitPeriod):
    """A unit and period whose dossier counts changed since its on-time and
    online figures were computed (see `DirtyUnitPeriod`)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "unit_id", "period_kind", "period_key"],
                name="dossierdirtyunitperiod_key",
            )
        ]
