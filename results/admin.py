"""Publishing from the admin: national administrators publish a year (a form) or
publish selected years again (an action); every official may read what was
published, which is public anyway. The open-data licence line is set here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from results import admin_urls
from results.models import OpenDataSettings, Publication, Report
from results.reports import CONTENT_TYPES
from results.services import NothingToPublish, publication_create
from surveys.admin_scope import (
    NationalEditAdmin,
    ReadOnlyForRoles,
    has_role,
    is_national,
)


class PublishForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


def _publish(request: HttpRequest, year: int) -> Publication | None:
    try:
        publication = publication_create(year=year, user=request.user)
    except NothingToPublish:
        messages.error(
            request,
            gettext("%(year)s has no figure with enough respondents to publish.")
            % {"year": year},
        )
        return None
    messages.success(
        request,
        gettext("Published %(year)s, version %(version)s.")
        % {"year": publication.year, "version": publication.version},
    )
    return publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyForRoles, admin.ModelAdmin):
    list_display = ["year", "version", "published_at", "published_by", "changed"]
    list_select_related = ["published_by"]
    ordering = ["-year", "-version"]
    actions = ["publish_again", "build_reports"]
    readonly_fields = [
        "year",
        "version",
        "published_at",
        "published_by",
        "cutoff",
        "map",
        "min_respondents",
        "threshold",
        "national_mean",
        "licence",
        "definition",
        "changes",
    ]
    change_list_template = "admin/results/publication/change_list.html"

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    @admin.display(description=_("changes since the previous version"))
    def changed(self, publication: Publication) -> int:
        return len(publication.changes)

    @admin.action(
        description=_("Publish the selected years again"), permissions=["publish"]
    )
    def publish_again(self, request: HttpRequest, queryset) -> None:
        for year in sorted(set(queryset.values_list("year", flat=True))):
            _publish(request, year)

    @admin.action(
        description=_("Build the printable reports again"), permissions=["publish"]
    )
    def build_reports(self, request: HttpRequest, queryset) -> None:
        from results.tasks import reports_build  # noqa: PLC0415

        for publication in queryset:
            reports_build.delay(publication.id)
        messages.success(request, gettext("The reports are being built."))

    def get_urls(self):
        return [*admin_urls.publication_urls(self), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": is_national(request),
        }
        return super().changelist_view(request, extra_context)

    def publish_view(self, request: HttpRequest):
        if not is_national(request):
            raise PermissionDenied
        form = PublishForm(request.POST or None)
        published = (
            request.method == "POST"
            and form.is_valid()
            and _publish(request, form.cleaned_data["year"])
        )
        if published:
            return HttpResponseRedirect(reverse("admin:results_publication_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": gettext("Publish a year"),
        }
        return render(request, "admin/results/publication/publish.html", context)


@admin.register(OpenDataSettings)
class OpenDataSettingsAdmin(NationalEditAdmin):
    list_display = ["licence"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_national(request) and not OpenDataSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyForRoles, admin.ModelAdmin):
    """The printed reports: read and downloaded here, built by the task."""

    list_display = ["publication", "code", "language", "format", "created_at", "file"]
    list_filter = ["format", "language"]
    list_select_related = ["publication"]
    search_fields = ["code"]
    exclude = ["content"]
    readonly_fields = ["publication", "code", "language", "format", "created_at"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("content")

    @admin.display(description=_("file"))
    def file(self, report: Report) -> str:
        url = reverse("admin:results_report_download", args=[report.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))

    def get_urls(self):
        return [*admin_urls.report_urls(self), *super().get_urls()]

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not has_role(request):
            raise PermissionDenied
        report = get_object_or_404(Report, pk=pk)
        response = HttpResponse(
            bytes(report.content), content_type=CONTENT_TYPES[report.format]
        )
        name = f"sipas-{report.publication.year}-{report.code}-{report.language}"
        response["Content-Disposition"] = (
            f'attachment; filename="{name}.{report.format}"'
        )
        return response
