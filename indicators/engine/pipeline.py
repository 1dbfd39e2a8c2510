"""The order of the engine's steps, written once. A refresh folds the new
responses for the provinces (and the regions and nation above them), recomputes
their figures, folds them for the agencies, recomputes theirs, then folds the
dossier changes and recomputes their figures. The tasks and `refresh_indicators`
call these functions; each step is one or more transactions of its own.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from indicators.engine.dossier_counts import dossier_rollup_refresh
from indicators.engine.dossier_figures import dossier_figures_refresh_dirty
from indicators.engine.figures import figures_refresh_dirty
from indicators.engine.fold import FoldResult, rollup_fold, rollup_fold_agencies
from indicators.engine.kernel import CC, DOSSIER_BASE, DOSSIER_COUNTS, FIGURES, RC
from indicators.engine.rebuild import rollup_rebuild_counts, rollup_rebuild_finish
from indicators.models import AgencyBacklog, RollupState


def rollup_refresh(*, pause_seconds: float = 0) -> FoldResult:
    """Fold the responses and reviews written since the last fold and refresh
    the figures they touched: first the provinces, regions and nation, then the
    agencies, each in a transaction of its own, so that the units SIPAS ranks do
    not wait for the agency counts; then the dossiers.

    Safe to run at any time and any number of times. `pause_seconds` holds the
    first transaction open before it commits (tests kill a worker meanwhile).
    """
    result = rollup_fold(pause_seconds=pause_seconds)
    if result.folded:
        # Also when nothing new was folded: a run that died after its fold
        # committed left dirty marks behind, and this is where they are consumed.
        figures_refresh_dirty()
    agencies = rollup_fold_agencies()
    if agencies.changes:
        figures_refresh_dirty()
    if result.folded:
        dossiers_refresh()
    return FoldResult(
        folded=result.folded,
        changes=result.changes,
        dirty=result.dirty + agencies.dirty,
        marks=result.marks,
    )


def ranked_refresh() -> FoldResult:
    """The provinces, regions and nation of a refresh, then the dossiers: what
    the frequent schedule runs (`tasks.refresh_ranked`)."""
    result = rollup_fold()
    if result.folded:
        figures_refresh_dirty()
        dossiers_refresh()
    return result


def agencies_refresh() -> int:
    """Count the folds' backlog for the agencies and refresh their figures, then
    note the time; skipped (0) when the backlog is empty. Returns the backlog
    rows counted."""
    if not AgencyBacklog.objects.exists():
        return 0
    result = rollup_fold_agencies()
    if result.changes:
        figures_refresh_dirty()
    if result.folded:
        RollupState.objects.filter(pk=1).update(agencies_refreshed_at=timezone.now())
    return result.changes


def dossiers_refresh() -> int:
    """Fold the queued dossier changes, then recompute the figures they touched;
    returns the figures written."""
    dossier_rollup_refresh()
    return dossier_figures_refresh_dirty()


def rollup_rebuild() -> bool:
    """Rebuild the whole rollup in this process, then recompute every figure it
    marked dirty, and refresh the dossiers (`refresh_indicators --full`). False
    when another rebuild superseded this one (nothing is then recomputed)."""
    if rollup_rebuild_counts() is None:
        return False
    figures_refresh_dirty()
    dossiers_refresh()
    statistics_renew()
    return True


def rebuild_finish(*, cutoff: str) -> bool:
    """Swap in the rebuild `cutoff` whose parts have all run, then recompute the
    figures; False (nothing done) when it already was, or was superseded."""
    finished = rollup_rebuild_finish(cutoff=cutoff)
    if finished:
        figures_refresh_dirty()
        dossiers_refresh()
        statistics_renew()
    return finished


# The tables a full rebuild writes anew, whose planner statistics it renews.
REBUILT_TABLES = (CC, RC, FIGURES, DOSSIER_BASE, DOSSIER_COUNTS)


def analyze_sql(table: str) -> str:
    """Renews the planner's statistics of `table` (a sample of its rows)."""
    return f"ANALYZE {table}"


def statistics_renew() -> None:
    """Renew the statistics of the tables a full rebuild rewrote. Until
    autovacuum comes by, they describe the tables before it: the figures, for
    one, without the dossiers' figures written after them, and the scorecard's
    view, planned on that, took a minute for a national administrator."""
    with connection.cursor() as cursor:
        for table in REBUILT_TABLES:
            cursor.execute(analyze_sql(table))
