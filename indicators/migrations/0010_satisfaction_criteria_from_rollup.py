"""Satisfaction figures no longer carry their criteria: they are read from the
rollup when one figure is opened (`indicators.selectors.figure_criteria`).

Empties what earlier computations stored, so that the space is returned and no
stale detail is left on a row. Other indicators (dossier rates) keep theirs.
"""

from django.db import migrations


def forget_criteria(apps, schema_editor) -> None:
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    IndicatorValue.objects.filter(indicator="satisfaction").exclude(
        criteria={}
    ).update(criteria={})


class Migration(migrations.Migration):
    dependencies = [("indicators", "0009_count_fillfactor")]

    operations = [
        migrations.RunPython(forget_criteria, migrations.RunPython.noop),
    ]
