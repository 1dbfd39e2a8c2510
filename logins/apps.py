from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoginsConfig(AppConfig):
    """Sign-in security: the throttle's lockouts and failure log in the admin, for
    national administrators, and the lockout answer."""

    default = True
    name = "logins"
    verbose_name = _("Sign-in security")


class AxesConfig(AxesAppConfig):
    """django-axes under a Vietnamese name in the admin."""

    default = False
    verbose_name = _("Sign-in security")
