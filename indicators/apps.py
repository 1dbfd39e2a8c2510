from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        # Kept out of indicators/admin.py (worked on elsewhere); registers itself.
        from indicators import admin_scorecard  # noqa: F401
