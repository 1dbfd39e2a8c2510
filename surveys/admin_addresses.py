"""Known addresses: an agency's kiosk, its counter's tablet, its service centre's
Wi-Fi, from which many honest citizens answer. Officials see those of their
scope; national administrators register them (quota and pattern flag:
surveys.intake)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from surveys.admin_scope import ScopedAdmin, is_national
from surveys.models import KnownAddress


@admin.register(KnownAddress)
class KnownAddressAdmin(ScopedAdmin):
    list_display = ("network", "agency", "label", "quota", "active", "created_at")
    list_filter = ("active",)
    list_select_related = ("agency",)
    search_fields = ("network", "label", "agency__code", "agency__name_vi")
    autocomplete_fields = ("agency",)
    fields = ("agency", "network", "label", "quota", "active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)
