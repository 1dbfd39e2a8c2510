"""The scorecard: one line per unit and period with the satisfaction, on-time
and online figures side by side and the average handling time, read from a
view over the figures (migration 0014_scorecard_view)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models.figures import IndicatorValue, ScoringDefinition
from indicators.models.units import UnitPeriod
from surveys.models import Province

STATUSES = IndicatorValue.Status.choices
CERTAINTIES = IndicatorValue.Certainty.choices


class Scorecard(UnitPeriod):
    """One unit and period of the scorecard. Its id and unit columns are those
    of the unit-period's first figure (on time, else online, else
    satisfaction), the other columns pivot its three figures; read-only."""

    definition = models.ForeignKey(
        ScoringDefinition,
        verbose_name=_("scoring definition"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    map = models.PositiveSmallIntegerField(
        _("map"), choices=Province.Map.choices, null=True
    )
    region_id = models.IntegerField(_("region"), null=True)
    province_id = models.IntegerField(_("province"), null=True)
    agency_id = models.IntegerField(_("agency"), null=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    period_start = models.DateField(_("period start"))
    # Per indicator: figure, target, status, certainty, respondents; empty
    # when the unit has no such figure in the period.
    satisfaction_value = models.FloatField(null=True)
    satisfaction_threshold = models.FloatField(null=True)
    satisfaction_status = models.CharField(max_length=16, choices=STATUSES)
    satisfaction_certainty = models.CharField(max_length=8, choices=CERTAINTIES)
    satisfaction_respondents = models.IntegerField(null=True)
    on_time_value = models.FloatField(null=True)
    on_time_threshold = models.FloatField(null=True)
    on_time_status = models.CharField(max_length=16, choices=STATUSES)
    on_time_certainty = models.CharField(max_length=8, choices=CERTAINTIES)
    on_time_respondents = models.IntegerField(null=True)
    online_value = models.FloatField(null=True)
    online_threshold = models.FloatField(null=True)
    online_status = models.CharField(max_length=16, choices=STATUSES)
    online_certainty = models.CharField(max_length=8, choices=CERTAINTIES)
    online_respondents = models.IntegerField(null=True)
    handling_days = models.FloatField(_("average handling (days)"), null=True)

    class Meta:
        managed = False
        db_table = "indicators_scorecard"
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
