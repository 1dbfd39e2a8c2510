"""The dossier tables moving to the dossiers app: a database at the last
migrations before the move keeps every dossier, queued month and month count,
and the move goes back as well."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dossiers.models import Dossier, DossierMonthCount, DossierTouch
from surveys.models import Agency

# The leaves before the dossiers app existed.
OLD_LEAVES = [
    ("surveys", "0007_criteria_punctuation"),
    ("indicators", "0012_status_certainty"),
]
BEFORE = [*OLD_LEAVES, ("dossiers", None)]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _fill(apps, agency_id: int) -> None:
    """Two dossiers, their queued months and a folded month count, written
    through the models as they were declared before the move."""
    old_dossier = apps.get_model("surveys", "Dossier")
    for number, status in (("a", "resolved"), ("b", "in_progress")):
        old_dossier.objects.create(
            number_hash=number * 64,
            agency_id=agency_id,
            channel=2,
            received_on=dt.date(2025, 3, 3),
            due_on=dt.date(2025, 3, 20),
            resolved_on=dt.date(2025, 3, 18) if status == "resolved" else None,
            status=status,
        )
    apps.get_model("surveys", "DossierTouch").objects.create(
        agency_id=agency_id, month=202503
    )
    apps.get_model("indicators", "DossierMonthCount").objects.create(
        agency_id=agency_id,
        month=202503,
        received=2,
        received_online=2,
        resolved=1,
        resolved_on_time=1,
        handling_days=15,
    )


@pytest.mark.django_db(transaction=True)
def test_dossiers_and_their_counts_are_all_there_after_the_move_and_back():
    agency_id = Agency.objects.get(code="14-centre").id
    # Content types as a database of the old schema has them.
    ContentType.objects.filter(app_label="dossiers").delete()
    for model, app in (
        ("dossier", "surveys"),
        ("dossiertouch", "surveys"),
        ("dossiermonthcount", "indicators"),
    ):
        ContentType.objects.get_or_create(app_label=app, model=model)
    executor = _migrate(BEFORE)
    _fill(executor.loader.project_state(OLD_LEAVES).apps, agency_id)

    executor = _migrate(executor.loader.graph.leaf_nodes())
    assert sorted(Dossier.objects.values_list("number_hash", "status")) == [
        ("a" * 64, "resolved"),
        ("b" * 64, "in_progress"),
    ]
    assert Dossier.objects.get(status="resolved").resolved_on == dt.date(2025, 3, 18)
    assert Dossier.objects.filter(agency_id=agency_id).count() == 2
    assert list(DossierTouch.objects.values_list("agency_id", "month")) == [
        (agency_id, 202503)
    ]
    count = DossierMonthCount.objects.get()
    assert (count.received, count.resolved_on_time, count.handling_days) == (2, 1, 15)
    # Permissions and admin history stay on the models' content types.
    assert set(
        ContentType.objects.filter(
            model__in=["dossier", "dossiertouch", "dossiermonthcount"]
        ).values_list("app_label", flat=True)
    ) == {"dossiers"}

    executor = _migrate(BEFORE)
    old = executor.loader.project_state(OLD_LEAVES).apps
    assert old.get_model("surveys", "Dossier").objects.count() == 2
    assert old.get_model("surveys", "DossierTouch").objects.count() == 1
    assert old.get_model("indicators", "DossierMonthCount").objects.get().received == 2
    assert ContentType.objects.get(model="dossiermonthcount").app_label == "indicators"

    # Back to the latest schema, which the tests after this one use.
    _migrate(executor.loader.graph.leaf_nodes())
    assert Dossier.objects.count() == 2
