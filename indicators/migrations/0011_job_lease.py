"""A rebuild's claim on the rollup is a lease that its parts renew: a rebuild lost
with its worker stops blocking the folds once the lease has passed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("indicators", "0010_satisfaction_criteria_from_rollup")]

    operations = [
        migrations.AddField(
            model_name="rollupstate",
            name="rebuild_lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
