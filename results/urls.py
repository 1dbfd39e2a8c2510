from __future__ import annotations

from django.urls import path, register_converter

from results import views


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class FormatConverter:
    regex = "pdf|docx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(YearConverter, "year")
register_converter(FormatConverter, "fmt")

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("data/", views.data_dictionary, name="data"),
    path("schema.json", views.schema, name="schema"),
    path("<year:year>.csv", views.open_data, {"fmt": "csv"}, name="csv"),
    path("<year:year>.json", views.open_data, {"fmt": "json"}, name="json"),
    path(
        "<year:year>/v<int:version>.csv",
        views.open_data,
        {"fmt": "csv"},
        name="version-csv",
    ),
    path(
        "<year:year>/v<int:version>.json",
        views.open_data,
        {"fmt": "json"},
        name="version-json",
    ),
    path("<year:year>/report.<fmt:fmt>", views.report, name="report"),
    path("<year:year>/<str:code>/report.<fmt:fmt>", views.report, name="report"),
    path("<year:year>/", views.year_page, name="year"),
    path("<year:year>/<str:code>/", views.province_page, name="province"),
]
