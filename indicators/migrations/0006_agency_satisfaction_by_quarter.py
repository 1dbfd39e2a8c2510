"""Satisfaction is counted per agency by quarter and year, no longer by month
(indicators.rollup): remove the agency-month counts and figures a rollup built
before this left behind. Dossier figures keep their agency months."""

from django.db import migrations

AGENCY, MONTH = 1, 1


def forwards(apps, schema_editor):
    for name in ("CriterionCount", "RespondentCount", "DirtyUnitPeriod"):
        model = apps.get_model("indicators", name)
        model.objects.filter(level=AGENCY, period_kind=MONTH).delete()
    apps.get_model("indicators", "IndicatorValue").objects.filter(
        indicator="satisfaction", level=AGENCY, period_kind=MONTH
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_rollup_counts_without_fk")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
