"""PostgreSQL only: the id of the transaction that wrote each response and review.

The incremental rollup folds rows whose `xact_id` lies below the oldest transaction
still running (`pg_snapshot_xmin`), so that a response committed late, with a lower
id than one already folded, is still counted exactly once. Django never reads or
writes the column; the database fills it in.
"""

from django.db import migrations

TABLES = ("surveys_response", "surveys_responsereview")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN xact_id xid8 NOT NULL "
            "DEFAULT pg_current_xact_id()"
        )
        # Serves the incremental fold: rows written since the last watermark.
        schema_editor.execute(f"CREATE INDEX {table}_xact ON {table} (xact_id)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN xact_id")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
