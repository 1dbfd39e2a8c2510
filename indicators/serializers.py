"""The indicator figures as the staff API shows them."""

from __future__ import annotations

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators import selectors
from indicators.models import Indicator, IndicatorValue, Level, PeriodKind


def rank_change_text(change: int | None) -> str:
    """'up two places' style wording of a rank change (positive = moved up)."""
    if change is None:
        return ""
    if change > 0:
        return ngettext("up %(n)d place", "up %(n)d places", change) % {"n": change}
    if change < 0:
        return ngettext("down %(n)d place", "down %(n)d places", -change) % {
            "n": -change
        }
    return _("unchanged")


class IndicatorValueSerializer(serializers.ModelSerializer):
    """A figure rounded as its scoring definition says (`value_exact` unrounded),
    with its interval, target, status and the status's certainty (`clear`, or
    `margin` when the interval reaches across the target), ranks ("17/63" and
    the raw numbers) and the national average (the unweighted mean of provinces
    of the same map). The
    NATION row is the pooled national rate, marked by `figure`."""

    figure = serializers.SerializerMethodField()
    figure_label = serializers.SerializerMethodField()
    definition = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    period_kind = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField()
    value_exact = serializers.FloatField(source="value")
    ci_low = serializers.SerializerMethodField()
    ci_high = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    certainty_label = serializers.CharField(source="get_certainty_display")
    rank_national = serializers.SerializerMethodField()
    rank_region = serializers.SerializerMethodField()
    # Null while a figure is unranked (too few respondents, no target).
    rank_national_position = serializers.IntegerField(
        source="rank_national", allow_null=True
    )
    rank_region_position = serializers.IntegerField(
        source="rank_region", allow_null=True
    )
    rank_change_national_text = serializers.SerializerMethodField()
    rank_change_region_text = serializers.SerializerMethodField()
    national_average = serializers.SerializerMethodField()
    diff_from_national_average = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator",
            "figure",
            "figure_label",
            "definition",
            "level",
            "unit_id",
            "name",
            "name_vi",
            "name_en",
            "map",
            "region_id",
            "province_id",
            "agency_id",
            "period_kind",
            "period_key",
            "period_start",
            "value",
            "value_exact",
            "respondents",
            "ci_low",
            "ci_high",
            "threshold",
            "status",
            "status_label",
            "certainty",
            "certainty_label",
            "rank_national",
            "rank_national_position",
            "rank_national_of",
            "rank_region",
            "rank_region_position",
            "rank_region_of",
            "rank_change_national",
            "rank_change_national_text",
            "rank_change_region",
            "rank_change_region_text",
            "national_average",
            "diff_from_national_average",
            "computed_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_figure(self, obj: IndicatorValue) -> str:
        return "pooled_national_rate" if obj.pooled else "index"

    def get_figure_label(self, obj: IndicatorValue) -> str:
        if obj.pooled:
            return _("pooled national rate")
        # On-time and online figures are rows of the same table.
        return str(Indicator(obj.indicator).label)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_definition(self, obj: IndicatorValue) -> dict:
        return {
            "id": obj.definition_id,
            "code": obj.definition.code,
            "version": obj.definition.version,
            "questionnaire": obj.definition.questionnaire.code,
            "decimals": obj.definition.decimals,
        }

    def get_level(self, obj: IndicatorValue) -> str:
        return Level(obj.level).name.lower()

    def get_period_kind(self, obj: IndicatorValue) -> str:
        return PeriodKind(obj.period_kind).name.lower()

    def get_name(self, obj: IndicatorValue) -> str:
        if (get_language() or "vi").startswith("en") and obj.name_en:
            return obj.name_en
        return obj.name_vi

    def get_value(self, obj: IndicatorValue) -> float | None:
        return obj.rounded(obj.value)

    def get_ci_low(self, obj: IndicatorValue) -> float | None:
        return obj.rounded(obj.ci_low)

    def get_ci_high(self, obj: IndicatorValue) -> float | None:
        return obj.rounded(obj.ci_high)

    def _national_average_withheld(self, obj: IndicatorValue) -> bool:
        """A list view puts the page's withheld averages in the context; a single
        figure is checked on its own."""
        withheld = self.context.get("withheld_averages")
        if withheld is None:
            request = self.context.get("request")
            withheld = selectors.comparison_averages_withheld(
                user=request.user if request else None, values=[obj]
            )
        return selectors.average_key(obj, area="national") in withheld

    def get_national_average(self, obj: IndicatorValue) -> float | None:
        """null when withheld: with fewer than two provinces outside the
        caller's scope, it would reveal another province's figure."""
        if self._national_average_withheld(obj):
            return None
        return obj.rounded(obj.national_average)

    def get_diff_from_national_average(self, obj: IndicatorValue) -> float | None:
        if self._national_average_withheld(obj):
            return None
        return obj.rounded(obj.diff_from_national_average)

    def get_rank_national(self, obj: IndicatorValue) -> str | None:
        if obj.rank_national is None:
            return None
        return f"{obj.rank_national}/{obj.rank_national_of}"

    def get_rank_region(self, obj: IndicatorValue) -> str | None:
        if obj.rank_region is None:
            return None
        return f"{obj.rank_region}/{obj.rank_region_of}"

    def get_rank_change_national_text(self, obj: IndicatorValue) -> str:
        return rank_change_text(obj.rank_change_national)

    def get_rank_change_region_text(self, obj: IndicatorValue) -> str:
        return rank_change_text(obj.rank_change_region)


class IndicatorValueDetailSerializer(IndicatorValueSerializer):
    """A figure with its elements ({code: value, n, interval}) and criteria
    ({code: value, n, counts [does not apply, 1..5]}), rounded for display."""

    elements = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()

    class Meta(IndicatorValueSerializer.Meta):
        fields = [*IndicatorValueSerializer.Meta.fields, "elements", "criteria"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_elements(self, obj: IndicatorValue) -> dict:
        return {
            code: {
                **item,
                **{k: obj.rounded(item[k]) for k in ("value", "ci_low", "ci_high")},
            }
            for code, item in obj.elements.items()
        }

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_criteria(self, obj: IndicatorValue) -> dict:
        return {
            code: {**item, "value": obj.rounded(item["value"])}
            for code, item in selectors.figure_criteria(value=obj).items()
        }
