"""Dossier and DossierTouch are declared by the dossiers app from now on
(dossiers 0001): removed from this app's record only, their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_invitation_questionnaire"),
        ("dossiers", "0001_tables_from_surveys_and_indicators"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="dossier", name="agency"),
                migrations.RemoveField(model_name="dossier", name="invitation_batch"),
                migrations.RemoveField(model_name="dossier", name="procedure"),
                migrations.DeleteModel(name="DossierTouch"),
                migrations.DeleteModel(name="Dossier"),
            ],
            database_operations=[],
        ),
    ]
