"""DossierMonthCount is declared by the dossiers app from now on (dossiers
0001): removed from this app's record only, its table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0012_status_certainty"),
        ("dossiers", "0001_tables_from_surveys_and_indicators"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DossierMonthCount")],
            database_operations=[],
        ),
    ]
