"""Strings of Django's admin and of Django REST framework that their own
Vietnamese catalogues leave untranslated (newer than the translation, or never
translated), listed so that the project's catalogue, which takes precedence,
translates them: the officials' pages are Vietnamese throughout.

Never imported: `makemessages` reads the strings from here. Each is spelled
exactly as its template or module spells it."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

DJANGO_ADMIN = [
    _("Skip to main content"),
    _("Breadcrumbs"),
    _("Sidebar"),
    _("Toggle navigation"),
    _("Filter navigation items"),
    _("Start typing to filter…"),
    _("Toggle theme (current theme: auto)"),
    _("Toggle theme (current theme: light)"),
    _("Toggle theme (current theme: dark)"),
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("Search"),
    _("Filter"),
    _("Show counts"),
    _("Hide counts"),
    _("Select all objects on this page for an action"),
    _("Select this object for an action - {}"),
]

REST_FRAMEWORK_AUTHTOKEN = [
    _("Auth Token"),
    _("Token"),
    _("Tokens"),
    _("User"),
    _("Key"),
    _("Created"),
]

# Django's `timesince` (the refresh line's "cách đây 3 phút"): its Vietnamese
# catalogue has no translation of these.
TIMESINCE = [
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]
