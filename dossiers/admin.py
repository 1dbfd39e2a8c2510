"""Staff pages of dossier records: the scoped list, the CSV upload, and the
survey invitations of resolved dossiers (link and QR code for the receipt).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from dossiers import admin_urls
from dossiers.models import Dossier
from dossiers.records import COLUMNS
from dossiers.services import (
    DossierNotResolved,
    dossier_invitation_issue,
    dossiers_import_file,
)
from surveys.admin_import import ImportForm
from surveys.admin_scope import ScopedAdmin
from surveys.qr import qr_svg
from surveys.scope import scope_for
from surveys.services import invitation_url


@admin.register(Dossier)
class DossierAdmin(ScopedAdmin):
    list_display = (
        "agency",
        "procedure",
        "channel",
        "received_on",
        "due_on",
        "resolved_on",
        "paused_days",
        "status",
        "invited_on",
    )
    list_filter = ("status", "channel", "received_on")
    list_select_related = ("agency", "procedure")
    date_hierarchy = "received_on"
    actions = ["invite"]
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Dossiers change only by a later record from the one-stop system.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Outside the scope a dossier does not exist: 404, not the admin's
        # redirect, which would tell it apart from a wrong id.
        if not object_id.isdigit() or not (
            self.get_queryset(request).filter(pk=int(object_id)).exists()
        ):
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Survey invitation (link and QR code) for the receipt"))
    def invite(self, request, queryset) -> HttpResponse:
        links, refused = [], 0
        for dossier in queryset.select_related("agency")[:200]:
            try:
                token = dossier_invitation_issue(dossier=dossier, user=request.user)
            except (DossierNotResolved, PermissionDenied):
                refused += 1
                continue
            url = invitation_url(token)
            links.append(
                (dossier.agency, url, mark_safe(qr_svg(url, scale=3, inline=True)))
            )
        return render(
            request,
            "dossiers/admin/dossier_invitations.html",
            {
                **self.admin_site.each_context(request),
                "links": links,
                "refused": refused,
                "title": _("Survey invitations"),
            },
        )

    def get_urls(self):
        return [*admin_urls.dossier_urls(self), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        scope = scope_for(request.user)
        if scope.empty:
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = dossiers_import_file(
                    form.cleaned_data["file"].file,
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
                "columns": COLUMNS,
                "title": _("Import dossier records"),
                "opts": self.model._meta,
            },
        )
