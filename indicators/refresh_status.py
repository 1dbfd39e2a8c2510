"""The state of the figures' computation: when they were refreshed and rebuilt,
what is still to be counted, what the last reconciliation found. Operational
state of the whole platform, read alike by every user and by the commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Func, Subquery

from indicators.models import AgencyBacklog, IndicatorValue, Reconciliation, RollupState


@dataclass(frozen=True)
class RefreshStatus:
    refreshed_at: datetime | None
    rebuilt_at: datetime | None
    reconciliation: Reconciliation | None
    # Responses counted for the provinces and above, not yet for their agencies.
    agency_backlog: int = 0
    # As of when the agencies' figures hold: the last count of their backlog, or
    # with nothing waiting, the last fold.
    agencies_refreshed_at: datetime | None = None


def refresh_status() -> RefreshStatus:
    """When figures were last refreshed, what is still to be counted for the
    agencies, and what the last reconciliation found. Operational state of the
    whole platform, the same for every user."""
    backlog = AgencyBacklog.objects.order_by().values(n=Func(F("id"), function="COUNT"))
    # The backlog is counted in the same query as the state row.
    state = RollupState.objects.filter(pk=1).annotate(backlog=Subquery(backlog)).first()
    return RefreshStatus(
        refreshed_at=state.refreshed_at if state else None,
        rebuilt_at=state.rebuilt_at if state else None,
        reconciliation=Reconciliation.objects.order_by("-checked_at").first(),
        agency_backlog=state.backlog if state else 0,
        agencies_refreshed_at=(
            None
            if state is None
            else state.refreshed_at
            if not state.backlog
            else state.agencies_refreshed_at or state.rebuilt_at
        ),
    )


def indicator_units_counted() -> dict[int, int]:
    """How many units of each level have figures: for the commands' report, so
    unscoped (a command runs with no user)."""
    rows = (
        IndicatorValue.objects.values("level")
        .annotate(units=Count("unit_id", distinct=True))
        .values_list("level", "units")
    )
    return dict(rows)
