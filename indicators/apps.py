from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from indicators import rollup, values

        # Figures follow the counts: every fold or rebuild recomputes what it
        # marked dirty.
        if values.values_refresh_dirty not in rollup.AFTER_FOLD:
            rollup.AFTER_FOLD.append(values.values_refresh_dirty)
