from __future__ import annotations

from django.urls import path

from indicators import apis

urlpatterns = [
    path(
        "api/v1/indicators/",
        apis.IndicatorValueListApi.as_view(),
        name="indicator-list",
    ),
    path(
        "api/v1/indicators/<int:pk>/",
        apis.IndicatorValueDetailApi.as_view(),
        name="indicator-detail",
    ),
]
