"""Sign-in lockouts and the log of failed sign-ins, for national administrators
only: they see who is locked out and lift a lockout with an action."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from logins.services import lockout_lift
from surveys.admin_scope import ReadOnlyForNational, is_national

# django-axes ships no Vietnamese: its model names as it spells them, for the
# catalogue, which translates them wherever Django shows them.
AXES_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
)


class LockedFilter(admin.SimpleListFilter):
    title = _("locked out")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        limit = settings.AXES_FAILURE_LIMIT
        if self.value() == "yes":
            return queryset.filter(failures_since_start__gte=limit)
        if self.value() == "no":
            return queryset.filter(failures_since_start__lt=limit)
        return queryset


@admin.register(AccessAttempt)
class LockoutAdmin(ReadOnlyForNational, admin.ModelAdmin):
    list_display = ("username_shown", "address", "failures", "last_try", "locked")
    list_filter = (LockedFilter,)
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)
    actions = ("lift",)
    fields = ("username", "ip_address", "failures_since_start", "attempt_time")
    readonly_fields = fields

    @admin.display(description=_("username"), ordering="username")
    def username_shown(self, obj: AccessAttempt) -> str:
        return obj.username or "-"

    @admin.display(description=_("address"), ordering="ip_address")
    def address(self, obj: AccessAttempt) -> str:
        return obj.ip_address or "-"

    @admin.display(description=_("failed sign-ins"), ordering="failures_since_start")
    def failures(self, obj: AccessAttempt) -> int:
        return obj.failures_since_start

    @admin.display(description=_("last try"), ordering="attempt_time")
    def last_try(self, obj: AccessAttempt):
        return obj.attempt_time

    @admin.display(description=_("locked out"), boolean=True)
    def locked(self, obj: AccessAttempt) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.action(description=_("Lift the lockout of the selected sign-ins"))
    def lift(self, request: HttpRequest, queryset) -> None:
        if not is_national(request):
            return
        count = lockout_lift(attempts=queryset, lifted_by=request.user.username)
        message = ngettext(
            "%(count)d lockout lifted.", "%(count)d lockouts lifted.", count
        ) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(AccessFailureLog)
class FailureLogAdmin(ReadOnlyForNational, admin.ModelAdmin):
    list_display = ("attempt_time", "username", "ip_address", "path_info", "locked")
    list_filter = ("locked_out",)
    search_fields = ("username", "ip_address")
    ordering = ("-attempt_time",)

    @admin.display(description=_("locked out"), boolean=True)
    def locked(self, obj: AccessFailureLog) -> bool:
        return obj.locked_out
