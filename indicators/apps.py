from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from indicators import dossier_rollup, rollup, values

        # Figures follow the counts: every fold or rebuild recomputes what it
        # marked dirty.
        if values.values_refresh_dirty not in rollup.AFTER_FOLD:
            rollup.AFTER_FOLD.append(values.values_refresh_dirty)
        # Dossier records ride on the same schedule: each fold also folds the
        # queued dossier changes and recomputes the on-time and online figures.
        if dossier_rollup.dossiers_refresh not in rollup.AFTER_FOLD:
            rollup.AFTER_FOLD.append(dossier_rollup.dossiers_refresh)
        # Kept out of indicators/admin.py (worked on elsewhere); registers itself.
        from indicators import admin_scorecard  # noqa: F401
