"""Figures computed from the rollup: scoring definitions, targets, and the
indicator values with their ranks and statuses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.units import Level, UnitPeriod
from surveys.models import Province, Questionnaire


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
