"""Derived data: the rollup of answer counts, and the figures computed from it.

The rollup keeps, per unit, period and criterion, how many answers fell on each
level of the scale. Any scoring definition can be applied to it without reading a
response again, and it is small next to the responses it counts. Each module
holds one group; every model is importable from `indicators.models`.
"""

from indicators.models.counts import (
    AgencyBacklog,
    CriterionCount,
    DirtyUnitPeriod,
    DossierCount,
    DossierDirtyUnitPeriod,
    RebuildCriterionCount,
    RebuildRespondentCount,
    Reconciliation,
    RespondentCount,
    RollupState,
)
from indicators.models.figures import (
    Indicator,
    IndicatorValue,
    ScoringDefinition,
    Target,
)
from indicators.models.scorecard import Scorecard
from indicators.models.units import Level, PeriodKind, UnitPeriod

__all__ = [
    "AgencyBacklog",
    "CriterionCount",
    "DirtyUnitPeriod",
    "DossierCount",
    "DossierDirtyUnitPeriod",
    "Indicator",
    "IndicatorValue",
    "Level",
    "PeriodKind",
    "RebuildCriterionCount",
    "RebuildRespondentCount",
    "Reconciliation",
    "RespondentCount",
    "RollupState",
    "Scorecard",
    "ScoringDefinition",
    "Target",
    "UnitPeriod",
]
