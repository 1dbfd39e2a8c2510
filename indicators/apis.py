"""Staff API of the indicator figures: thin views over `indicators.selectors`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import IsAdminUser, IsAuthenticated

from indicators.filters import IndicatorValueFilter
from indicators.pagination import UncountedPagination
from indicators.selectors import comparison_averages_withheld, indicator_values_for
from indicators.serializers import (
    IndicatorValueDetailSerializer,
    IndicatorValueSerializer,
)

_REFUSED = {
    401: OpenApiResponse(description="Not signed in."),
    403: OpenApiResponse(description="Signed in, but not staff."),
}


@extend_schema(
    tags=["indicators"],
    responses={
        200: IndicatorValueSerializer(many=True),
        400: OpenApiResponse(
            description="A filter value, or `page_size`, is not valid."
        ),
        **_REFUSED,
        404: OpenApiResponse(
            description="No such page: past the last, or not a whole number from 1."
        ),
    },
)
class IndicatorValueListApi(ListAPIView):
    """Figures the caller may see, filtered and paginated; by default those of the
    current scoring definitions."""

    permission_classes = [IsAuthenticated, IsAdminUser]
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    pagination_class = UncountedPagination

    def get_queryset(self):
        return indicator_values_for(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # The page's withheld averages in one query, for the serializer.
        self.withheld_averages = comparison_averages_withheld(
            user=self.request.user, values=page if page is not None else queryset
        )
        return page

    def get_serializer_context(self):
        context = super().get_serializer_context()
        withheld = getattr(self, "withheld_averages", None)
        if withheld is not None:
            context["withheld_averages"] = withheld
        return context


@extend_schema(
    tags=["indicators"],
    responses={
        200: IndicatorValueDetailSerializer,
        **_REFUSED,
        404: OpenApiResponse(description="No such figure within the caller's scope."),
    },
)
class IndicatorValueDetailApi(RetrieveAPIView):
    """One figure with its elements and criteria; 404 outside the caller's scope,
    exactly as if it did not exist."""

    permission_classes = [IsAuthenticated, IsAdminUser]
    serializer_class = IndicatorValueDetailSerializer

    def get_queryset(self):
        return indicator_values_for(user=self.request.user)
