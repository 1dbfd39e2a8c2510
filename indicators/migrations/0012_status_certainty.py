"""A figure under its target is below target, whatever its interval says; the
interval now gives the status's certainty (clearly, or within the margin of
error) instead of a separate "at risk" status.

Existing figures are brought up to date here, from their own value, target and
interval, so that lists read right before the next rebuild.

Also: the time the agencies' figures were last brought up to date, now that
they are refreshed apart from (and less often than) the provinces'.
"""

from django.db import migrations, models

FORWARD = """
UPDATE indicators_indicatorvalue SET
    status = CASE WHEN status IN ('below', 'at_risk', 'meets')
                  THEN CASE WHEN value < threshold THEN 'below' ELSE 'meets' END
                  ELSE status END,
    certainty = CASE
        WHEN status NOT IN ('below', 'at_risk', 'meets') THEN ''
        WHEN value < threshold AND ci_high < threshold THEN 'clear'
        WHEN value >= threshold AND ci_low >= threshold THEN 'clear'
        ELSE 'margin' END
"""

BACKWARD = """
UPDATE indicators_indicatorvalue SET status = 'at_risk'
WHERE status = 'below' AND certainty = 'margin'
"""


class Migration(migrations.Migration):
    dependencies = [("indicators", "0011_job_lease")]

    operations = [
        migrations.AddField(
            model_name="indicatorvalue",
            name="certainty",
            field=models.CharField(
                blank=True,
                choices=[
                    ("clear", "clearly"),
                    ("margin", "within the margin of error"),
                ],
                default="",
                max_length=8,
                verbose_name="certainty",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="status",
            field=models.CharField(
                choices=[
                    ("below", "below target"),
                    ("meets", "meets target"),
                    ("insufficient", "insufficient data"),
                    ("no_target", "no target"),
                ],
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddField(
            model_name="rollupstate",
            name="agencies_refreshed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
