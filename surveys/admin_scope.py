"""Admin access decided by the role (`surveys.scope`), not by Django's model
permissions: staff with a role may open the admin and view the rows of their
scope; what lies outside it answers 404, exactly as if it did not exist.

Shared by the survey and the indicator admins (`indicators` imports this module,
never the reverse)."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest

from surveys.models import Official
from surveys.scope import Scope, scope_filter, scope_for


def request_scope(request: HttpRequest) -> Scope:
    """`scope_for(request.user)`, once per request: the admin asks every
    registered model whether it may be shown, and each asks the scope."""
    cached = getattr(request, "_sipas_scope", None)
    if cached is None or cached[0] is not request.user:
        cached = (request.user, scope_for(request.user))
        request._sipas_scope = cached
    return cached[1]


def has_role(request: HttpRequest) -> bool:
    """Active staff with a scope (a role, or superuser)."""
    user = request.user
    return user.is_active and user.is_staff and not request_scope(request).empty


def is_national(request: HttpRequest) -> bool:
    """A national administrator: role national, or superuser."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return Official.objects.filter(user=user, role=Official.Role.NATIONAL).exists()


class NotFoundOutsideScope:
    """Django's admin redirects to the index for a missing object; outside a scope
    the answer must be 404, so that nothing tells it exists. Raised from the
    lookup itself, before any permission check could answer 403 first."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class ScopedAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    """Staff with a role may look; the rows they see are those of their scope.
    Changing rows stays with Django's model permissions unless a subclass says
    otherwise."""

    agency_field: str | None = "agency_id"
    province_field: str | None = None

    def _in_scope(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._in_scope(request) or super().has_view_permission(request, obj)

    def get_queryset(self, request: HttpRequest):
        return scope_filter(
            super().get_queryset(request),
            request_scope(request),
            agency_field=self.agency_field,
            province_field=self.province_field,
        )


class NationalEditAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    """Configuration every official may read and only national administrators
    change (targets, scoring definitions). Changes made here are logged by the
    admin (`LogEntry`): who, when, which fields."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)


class ReadOnlyForRoles:
    """Derived data every official may read and nobody adds, changes or deletes
    by hand (figures, publications, reports)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyForNational(ReadOnlyForRoles):
    """Derived data only national administrators may read (sign-in lockouts and
    failures)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_national(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_national(request)
