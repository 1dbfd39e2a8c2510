"""What every derived row is keyed by: a unit of some level, and a period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
