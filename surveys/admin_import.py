"""The paper import's pages in the responses admin: the upload, which checks
the whole file before storing any of it, and the template to start from."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from surveys import admin_urls
from surveys.admin_questionnaire_choice import (
    questionnaire_asked,
    questionnaire_links,
    questionnaire_query,
)
from surveys.admin_scope import request_scope
from surveys.imports import responses_import_file
from surveys.imports_template import template_codes, template_csv, template_xlsx
from surveys.models import Agency


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class PaperImportAdmin:
    """Adds the import and its template to a ModelAdmin of responses."""

    def get_urls(self):
        return [*admin_urls.response_urls(self), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        scope = request_scope(request)
        if scope.empty:
            raise PermissionDenied
        questionnaire = questionnaire_asked(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = responses_import_file(
                    form.cleaned_data["file"].file,
                    questionnaire=questionnaire,
                    agency_ids=None if scope.everything else scope.agency_ids,
                )
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
        return render(
            request,
            "surveys/admin/import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "report": report,
                "column_rows": template_codes(questionnaire, get_language() or "vi"),
                "templates": True,
                "questionnaire_links": questionnaire_links(request, questionnaire),
                "query": questionnaire_query(questionnaire),
                "title": _("Import paper surveys"),
                "opts": self.model._meta,
            },
        )

    def import_template_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        """The import's template, with an agency of the user's as the example."""
        scope = request_scope(request)
        if scope.empty or fmt not in {"csv", "xlsx"}:
            raise PermissionDenied if scope.empty else Http404
        questionnaire = questionnaire_asked(request)
        agencies = Agency.objects.filter(active=True).order_by("code")
        if not scope.everything:
            agencies = agencies.filter(id__in=scope.agency_ids)
        example = agencies.values_list("code", flat=True).first() or ""
        # The questionnaire's code when it is not SIPAS: its columns differ.
        other = questionnaire.code if questionnaire_query(questionnaire) else ""
        day = timezone.localdate().isoformat()
        name = "_".join(filter(None, ["mau-nhap-phieu-giay", other, day]))
        if fmt == "csv":
            response = HttpResponse(
                template_csv(questionnaire, example),
                content_type="text/csv; charset=utf-8",
            )
        else:
            response = HttpResponse(
                template_xlsx(questionnaire, example, get_language() or "vi"),
                content_type=(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ),
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
