"""Query parameters of the indicator list."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, IndicatorValue, Level, PeriodKind
from surveys.models import Province, Region


def _named(choices) -> list[tuple[str, str]]:
    return [(member.name.lower(), member.label) for member in choices]


# Ids and keys are integer columns: a fraction or a number past their range made
# the query fail (500); bounded whole numbers are a 400 instead.
WHOLE = {"min_value": 0, "max_value": 2**31 - 1, "decimal_places": 0}


class IndicatorValueFilter(django_filters.FilterSet):
    """Filters by name rather than by internal number where a name exists
    (`level=province`, `period_kind=year`, `region=TDMNPB`)."""

    indicator = django_filters.ChoiceFilter(choices=Indicator.choices)
    level = django_filters.ChoiceFilter(
        choices=_named(Level), method="filter_level", label=_("level")
    )
    period_kind = django_filters.ChoiceFilter(
        choices=_named(PeriodKind), method="filter_period_kind", label=_("period kind")
    )
    period = django_filters.NumberFilter(
        field_name="period_key",
        label=_("period (2022, 20221 for a quarter, 202203 for a month)"),
        **WHOLE,
    )
    # A whole year a date can have: 0.0 or 10000 made the date lookup fail (500).
    year = django_filters.NumberFilter(
        field_name="period_start",
        lookup_expr="year",
        label=_("year"),
        min_value=1,
        max_value=9999,
        decimal_places=0,
    )
    region = django_filters.CharFilter(method="filter_region", label=_("region code"))
    province = django_filters.CharFilter(
        method="filter_province",
        label=_("province statistical code (units of both maps unless `map` is given)"),
    )
    province_id = django_filters.NumberFilter(label=_("province id"), **WHOLE)
    agency_id = django_filters.NumberFilter(label=_("agency id"), **WHOLE)
    status = django_filters.ChoiceFilter(choices=IndicatorValue.Status.choices)
    certainty = django_filters.ChoiceFilter(
        choices=IndicatorValue.Certainty.choices, label=_("certainty")
    )
    map = django_filters.ChoiceFilter(choices=Province.Map.choices)
    questionnaire = django_filters.CharFilter(
        field_name="definition__questionnaire__code",
        label=_("questionnaire code (default: every questionnaire)"),
        max_length=40,
    )
    definition = django_filters.NumberFilter(
        field_name="definition_id",
        label=_("scoring definition id (default: the current definitions)"),
        **WHOLE,
    )

    class Meta:
        model = IndicatorValue
        fields: list[str] = []

    def filter_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(level=Level[value.upper()])

    def filter_period_kind(self, queryset: QuerySet, name: str, value: str):
        return queryset.filter(period_kind=PeriodKind[value.upper()])

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            region_id__in=Region.objects.filter(code=value).values("id")
        )

    def filter_province(self, queryset: QuerySet, name: str, value: str):
        return queryset.filter(
            province_id__in=Province.objects.filter(code=value).values("id")
        )

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        # Figures of past definitions are kept; a list shows the current ones
        # unless a definition is asked for.
        if not self.form.cleaned_data.get("definition"):
            queryset = queryset.filter(definition__is_current=True)
        return queryset
