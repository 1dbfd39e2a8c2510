"""Derived data: the rollup of answer counts, and the figures computed from it.

The rollup keeps, per unit, period and criterion, how many answers fell on each
level of the scale. Any scoring definition can be applied to it without reading a
response again, and it is small next to the responses it counts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Criterion, Province, Questionnaire


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
    # the lock for it): the cutoff it counts to (see indicators.rollup.Marks).
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


class ScoringDefinition(models.Model):
    """How figures are computed from the rollup: which answers count as satisfied,
    the weights of elements and criteria, and the rounding of published figures.

    Definitions are versioned and never edited once figures exist: every figure
    records the definition it was computed with, so a new version adds figures next
    to the old ones instead of rewriting them. Empty weights mean equal weights; a
    code missing from non-empty weights weighs 0 (it is left out).
    """

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"))
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="scoring_definitions",
    )
    satisfied_levels = models.JSONField(_("satisfied levels"), default=list)
    element_weights = models.JSONField(_("element weights"), default=dict, blank=True)
    criterion_weights = models.JSONField(
        _("criterion weights"), default=dict, blank=True
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("scoring definition")
        verbose_name_plural = _("scoring definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="scoringdefinition_code_version"
            ),
            # Refreshing computes with the current definition of each questionnaire:
            # there must be exactly one to pick.
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(is_current=True),
                name="scoringdefinition_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self.satisfied_levels:
            self.satisfied_levels = [4, 5]
        super().save(*args, **kwargs)


class Indicator(models.TextChoices):
    SATISFACTION = "satisfaction", _("satisfaction index")
    ON_TIME = "on_time", _("dossiers resolved on time")
    ONLINE = "online", _("online use")


class Target(models.Model):
    """A threshold an indicator should reach from a year on, for one level of unit
    or (level empty) for all. The target applying to a period is the one with the
    latest year not after the period's year; one for its level wins over one for
    all levels of the same year."""

    indicator = models.CharField(
        _("indicator"), max_length=24, choices=Indicator.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    threshold = models.FloatField(_("threshold (%)"))
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["indicator", "year", "level"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        # Two partial constraints rather than one: NULL levels are distinct in a
        # plain unique constraint.
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "level"],
                condition=models.Q(level__isnull=False),
                name="target_indicator_year_level",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=models.Q(level__isnull=True),
                name="target_indicator_year_all_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.year}: {self.threshold}%"


class IndicatorValue(UnitPeriod):
    """One computed figure: an indicator for one unit and period under one scoring
    definition, with its 95% Wilson interval, the target, the status and its
    certainty, and (for provinces) ranks and the national average.

    Percent scale throughout, full precision; `definition.decimals` says how to
    round for display. Intervals: the overall uses p = value / 100 and n =
    `respondents`; an element uses p = its index and n = the respondents who
    answered any of its criteria, which the counts bound from below by the largest
    number of applicable answers to one of its criteria, the figure used.

    The NATION row is the pooled national rate (all responses together), not the
    published national average, which is the unweighted mean of the provincial
    indices and is carried in `national_average`.

    Unit columns are copied onto the row (`map`, `region_id`, `province_id`,
    `agency_id`, names, `period_start`) so that lists filter and scope without
    joins. `province_id` is the agency's province on agency rows.
    """

    class Status(models.TextChoices):
        """Where the figure stands against its target: below it when the figure is
        under the target, whatever its interval says (the government's reading)."""

        BELOW = "below", _("below target")
        MEETS = "meets", _("meets target")
        INSUFFICIENT = "insufficient", _("insufficient data")
        NO_TARGET = "no_target", _("no target")

    class Certainty(models.TextChoices):
        """How sure the status is, from the 95% interval: clearly when the whole
        interval is on the status's side of the target, within the margin of error
        when the interval reaches across it. Empty without a target or data."""

        CLEAR = "clear", _("clearly")
        MARGIN = "margin", _("within the margin of error")

    indicator = models.CharField(
        _("indicator"),
        max_length=24,
        choices=Indicator.choices,
        default=Indicator.SATISFACTION,
    )
    definition = models.ForeignKey(
        ScoringDefinition,
        verbose_name=_("scoring definition"),
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
    )
    value = models.FloatField(_("value (%)"), null=True, blank=True)
    respondents = models.IntegerField(_("respondents"), default=0)
    ci_low = models.FloatField(_("95% interval, low"), null=True, blank=True)
    ci_high = models.FloatField(_("95% interval, high"), null=True, blank=True)
    elements = models.JSONField(_("elements"), default=dict)
    # The detail of dossier figures. Empty on satisfaction figures, whose criteria
    # are read from the rollup when one is opened (selectors.figure_criteria).
    criteria = models.JSONField(_("criteria"), default=dict)
    threshold = models.FloatField(_("target (%)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    certainty = models.CharField(
        _("certainty"), max_length=8, choices=Certainty.choices, blank=True, default=""
    )
    rank_national = models.IntegerField(_("national rank"), null=True, blank=True)
    rank_national_of = models.IntegerField(
        _("provinces ranked nationally"), null=True, blank=True
    )
    rank_region = models.IntegerField(_("rank in region"), null=True, blank=True)
    rank_region_of = models.IntegerField(
        _("provinces ranked in region"), null=True, blank=True
    )
    rank_change_national = models.IntegerField(
        _("change of national rank"), null=True, blank=True
    )
    rank_change_region = models.IntegerField(
        _("change of rank in region"), null=True, blank=True
    )
    national_average = models.FloatField(
        _("national average (mean of provinces)"), null=True, blank=True
    )
    diff_from_national_average = models.FloatField(
        _("difference from the national average (points)"), null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed at"))
    map = models.PositiveSmallIntegerField(
        _("map"), choices=Province.Map.choices, null=True, blank=True
    )
    region_id = models.IntegerField(_("region"), null=True, blank=True)
    province_id = models.IntegerField(_("province"), null=True, blank=True)
    agency_id = models.IntegerField(_("agency"), null=True, blank=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    period_start = models.DateField(_("period start"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            # The upsert target of every refresh.
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "definition",
                    "level",
                    "unit_id",
                    "period_kind",
                    "period_key",
                ],
                name="indicatorvalue_key",
            )
        ]
        indexes = [
            # The admin list: one period (latest year), provinces of a map, by rank;
            # also the ranking pass, which reads provinces of a period; and the API's
            # order (indicator_values_for), so a page of it reads 50 index entries
            # instead of sorting every figure.
            models.Index(
                fields=[
                    "period_kind",
                    "-period_key",
                    "-level",
                    "map",
                    "rank_national",
                    "name_vi",
                    "id",
                ],
                name="iv_period_level_rank",
            ),
            # The periods that have figures: every answer counts for the nation, so
            # its few figures list them (selectors.period_keys_for).
            models.Index(
                fields=["period_kind", "-period_key"],
                name="iv_nation_period",
                condition=models.Q(level=Level.NATION),
            ),
            # A provincial official's view: their province's and agencies' figures
            # over time (scoping filters on province_id).
            models.Index(
                fields=["province_id", "period_kind", "-period_key"],
                name="iv_province_period",
            ),
            # An agency official's view: one agency's figures over time.
            models.Index(
                fields=["agency_id", "period_kind", "-period_key"],
                name="iv_agency_period",
                condition=models.Q(agency_id__isnull=False),
            ),
            # "Who misses targets": one period's units with a given status.
            models.Index(
                fields=["period_kind", "period_key", "status"],
                name="iv_period_status",
            ),
        ]

    @property
    def pooled(self) -> bool:
        """The NATION row: all responses pooled, not the mean of provinces."""
        return self.level == Level.NATION

    def rounded(self, figure: float | None) -> float | None:
        return None if figure is None else round(figure, self.definition.decimals)


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


class DossierCounts(models.Model):
    """The dossier counts every fold adds up (fields shared by the tables below).

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
        constraints = [
            models.UniqueConstraint(
                fields=["agency_id", "month"], name="dossiermonthcount_key"
            )
        ]

    def __str__(self) -> str:
        return f"agency {self.agency_id}, {self.month}"


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


class Scorecard(IndicatorValue):
    """The scorecard of the admin: one line per unit and period with the
    satisfaction, on-time and online figures side by side (see
    indicators.scorecard). A proxy: no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
