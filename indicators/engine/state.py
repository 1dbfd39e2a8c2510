"""The rollup's state row: how far the rollup has folded (its marks, which are
transaction ids: see surveys migration 0002), the lock every writer of counts
holds, and the lease of a running rebuild."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from indicators.engine.kernel import STATE
from indicators.models import RollupState

logger = logging.getLogger(__name__)

# PostgreSQL snapshot before any transaction: nothing is visible in it.
EMPTY_SNAPSHOT = "1:1:"


@dataclass(frozen=True)
class Marks:
    """How far the rollup has folded.

    `snapshot` is the snapshot of the fold (rows of transactions visible in it are
    folded), `response` = `review` its xmin (every row below is folded: the lower
    end of the index range).
    """

    response: int
    review: int
    snapshot: str = ""

    def encode(self) -> str:
        """A plain string for task arguments and the state row."""
        return f"{self.response}/{self.review}/{self.snapshot}"

    @classmethod
    def decode(cls, value: str) -> Marks:
        response, review, snapshot = value.split("/", 2)
        return cls(int(response), int(review), snapshot)


def written_between(alias: str, *, after: Marks, upto: Marks) -> tuple[str, list]:
    """Rows written after the marks `after`, up to the marks `upto`: rows that
    became visible between the two snapshots."""
    return (
        f"{alias}.xact_id >= %s::text::xid8"
        f" AND NOT pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)"
        f" AND pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)",
        [str(after.response), after.snapshot, upto.snapshot],
    )


def written_before(alias: str, marks: Marks) -> tuple[str, list]:
    """Responses the marks include."""
    return (
        f"pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)",
        [marks.snapshot],
    )


def written_after(alias: str, marks: Marks) -> tuple[str, list]:
    """Reviews the marks do not include."""
    return (
        f"{alias}.xact_id >= %s::text::xid8"
        f" AND NOT pg_visible_in_snapshot({alias}.xact_id, %s::pg_snapshot)",
        [str(marks.review), marks.snapshot],
    )


def current_marks(cursor) -> Marks:
    """The marks a fold starting now may fold up to."""
    # Rows of every transaction visible in this snapshot are committed, and
    # every transaction below its xmin has ended.
    cursor.execute(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
        " pg_current_snapshot()::text",
        [],
    )
    mark, snapshot = cursor.fetchone()
    return Marks(mark, mark, snapshot)


def lock_state(cursor) -> tuple[Marks, str | None, object]:
    """Lock the state row (creating it); its marks, running rebuild cutoff and
    the rebuild's start."""
    cursor.execute(
        f"INSERT INTO {STATE} (id, response_mark, review_mark,"
        " snapshot) VALUES (1, 0, 0, '') ON CONFLICT (id) DO NOTHING",
        [],
    )
    cursor.execute(
        "SELECT response_mark, review_mark, snapshot, rebuild_cutoff,"
        f" rebuild_started_at FROM {STATE} WHERE id = 1 FOR UPDATE",
        [],
    )
    response, review, snapshot, cutoff, started = cursor.fetchone()
    return Marks(response, review, snapshot or EMPTY_SNAPSHOT), cutoff, started


def lock_rollup() -> None:
    """Wait for a running fold to finish, and keep folds out until we commit: a
    fold marks keys dirty while holding this row, so no key can be marked between
    reading the dirty keys and deleting them."""
    RollupState.objects.get_or_create(id=1)
    RollupState.objects.select_for_update().get(id=1)


# --- the running rebuild's claim ---------------------------------------------------
#
# A rebuild runs across several tasks, so no one transaction can hold the state row
# for it: it claims the rollup with `rebuild_cutoff`, and folds skip meanwhile. The
# claim is a lease (`rebuild_lease_until`), taken by the rebuild's start and renewed
# by each of its parts: a rebuild lost with its worker (whose messages Redis gives
# back only after its visibility timeout, an hour) stops blocking the folds once
# the lease has passed, and one whose part failed gives it up at once. A part
# counts one province, so the lease need only cover one part and the wait for a
# worker.


def lease_until():
    """When a lease taken or renewed now runs out."""
    return timezone.now() + timedelta(seconds=settings.ROLLUP_REBUILD_LEASE_SECONDS)


def rebuild_abandoned(cursor) -> bool:
    """Whether the running rebuild's lease has passed; the caller holds the state
    row. A fold that finds it so takes the rollup back (the rebuild's later parts
    and swap then do nothing) and continues from its own marks."""
    cursor.execute(
        f"SELECT rebuild_cutoff, rebuild_lease_until FROM {STATE} WHERE id = 1",
        [],
    )
    cutoff, until = cursor.fetchone()
    if until is not None and until > timezone.now():
        return False
    logger.warning(
        "Rollup rebuild %s abandoned: its lease ran out (worker lost); folds resume.",
        cutoff,
    )
    return True


def rebuild_lease_renew(cutoff: str) -> bool:
    """Extend the lease of the rebuild `cutoff`, in a statement of its own; False
    when that rebuild is no longer the running one. Parts hold the state row FOR
    KEY SHARE, which this update does not wait for: parts renew side by side."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {STATE} SET rebuild_lease_until = %s"
            " WHERE id = 1 AND rebuild_cutoff = %s",
            [lease_until(), cutoff],
        )
        return cursor.rowcount == 1
