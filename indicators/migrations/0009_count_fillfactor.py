"""Leave a third of each page of the count tables free (PostgreSQL only).

A fold adds to existing count rows. With full pages every such update writes
the new row version to another page and a new entry into each index; with room
on the page it stays there and no index is touched (a HOT update). The agencies'
fold of 10,000 responses took 3.4-3.6 s with full pages and 2.2-2.6 s with this
setting, at 100k responses (docs/performance.md); the full rebuild did not slow
down.

The setting applies to pages written from now on; `VACUUM FULL` on the two tables
(which locks them) applies it to the rows already there.
"""

from django.db import migrations

TABLES = ("indicators_criterioncount", "indicators_respondentcount")
FILLFACTOR = 70


def leave_room(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def fill_pages(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_agency_backlog"),
    ]

    operations = [migrations.RunPython(leave_room, fill_pages)]
