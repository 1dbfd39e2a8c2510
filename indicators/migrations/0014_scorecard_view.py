"""The scorecard read from a view instead of a proxy of the figures annotated
with a subquery per indicator and field: one line per unit-period, its id and
unit columns those of its first figure (on time, else online, else
satisfaction, as the list showed them), the three figures side by side and the
average handling time of the period's resolved dossiers.

Three disjoint branches, one per first figure, each reading its figures and
counts through their unique keys: PostgreSQL pushes the list's filters and the
user's scope into each branch, and a count drops every join it does not need.
"""

from django.db import migrations, models

FIGURES = "indicators_indicatorvalue"
KEY = ("definition_id", "level", "unit_id", "period_kind", "period_key")
INDICATORS = ("satisfaction", "on_time", "online")
FIELDS = ("value", "threshold", "status", "certainty", "respondents")
UNIT = (
    "id, definition_id, level, unit_id, period_kind, period_key, map, region_id,"
    " province_id, agency_id, name_vi, name_en, period_start"
)


def _same(alias: str, columns=KEY) -> str:
    return " AND ".join(f"{alias}.{column} = b.{column}" for column in columns)


def _branch(first: str, before: tuple[str, ...]) -> str:
    """The unit-periods whose first figure is `first` (none of `before`)."""
    joined = [i for i in INDICATORS if i != first and i not in before]
    cells = []
    for indicator in INDICATORS:
        alias = "b" if indicator == first else indicator
        for field in FIELDS:
            cell = "NULL" if indicator in before else f"{alias}.{field}"
            cells.append(f"{cell} AS {indicator}_{field}")
    joins = "".join(
        f"\nLEFT JOIN {FIGURES} {i} ON {i}.indicator = '{i}' AND {_same(i)}"
        for i in joined
    )
    absent = "".join(
        f"\n  AND NOT EXISTS (SELECT FROM {FIGURES} o"
        f" WHERE o.indicator = '{i}' AND {_same('o')})"
        for i in before
    )
    units = ", ".join(f"b.{column.strip()}" for column in UNIT.split(","))
    return f"""
SELECT {units},
  {", ".join(cells)},
  CASE WHEN d.resolved > 0
       THEN CAST(d.handling_days AS double precision) / d.resolved END
       AS handling_days
FROM {FIGURES} b{joins}
LEFT JOIN indicators_dossiercount d ON {_same("d", KEY[1:])}
WHERE b.indicator = '{first}'{absent}"""


FORWARD = "CREATE VIEW indicators_scorecard AS" + "\nUNION ALL".join(
    [
        _branch("on_time", ()),
        _branch("online", ("on_time",)),
        _branch("satisfaction", ("on_time", "online")),
    ]
)
BACKWARD = "DROP VIEW indicators_scorecard"


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0013_dossier_month_count_to_dossiers'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Scorecard',
        ),
        migrations.CreateModel(
            name='Scorecard',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(choices=[(1, 'agency'), (2, 'province'), (3, 'region'), (4, 'nation')], verbose_name='level')),
                ('unit_id', models.IntegerField(verbose_name='unit')),
                ('period_kind', models.PositiveSmallIntegerField(choices=[(1, 'month'), (2, 'quarter'), (3, 'year')], verbose_name='period kind')),
                ('period_key', models.IntegerField(verbose_name='period')),
                ('map', models.PositiveSmallIntegerField(choices=[(2008, '2008–2025 (63 units)'), (2025, 'from 1 July 2025 (34 units)')], null=True, verbose_name='map')),
                ('region_id', models.IntegerField(null=True, verbose_name='region')),
                ('province_id', models.IntegerField(null=True, verbose_name='province')),
                ('agency_id', models.IntegerField(null=True, verbose_name='agency')),
                ('name_vi', models.CharField(max_length=255, verbose_name='name (Vietnamese)')),
                ('name_en', models.CharField(max_length=255, verbose_name='name (English)')),
                ('period_start', models.DateField(verbose_name='period start')),
                ('satisfaction_value', models.FloatField(null=True)),
                ('satisfaction_threshold', models.FloatField(null=True)),
                ('satisfaction_status', models.CharField(choices=[('below', 'below target'), ('meets', 'meets target'), ('insufficient', 'insufficient data'), ('no_target', 'no target')], max_length=16)),
                ('satisfaction_certainty', models.CharField(choices=[('clear', 'clearly'), ('margin', 'within the margin of error')], max_length=8)),
                ('satisfaction_respondents', models.IntegerField(null=True)),
                ('on_time_value', models.FloatField(null=True)),
                ('on_time_threshold', models.FloatField(null=True)),
                ('on_time_status', models.CharField(choices=[('below', 'below target'), ('meets', 'meets target'), ('insufficient', 'insufficient data'), ('no_target', 'no target')], max_length=16)),
                ('on_time_certainty', models.CharField(choices=[('clear', 'clearly'), ('margin', 'within the margin of error')], max_length=8)),
                ('on_time_respondents', models.IntegerField(null=True)),
                ('online_value', models.FloatField(null=True)),
                ('online_threshold', models.FloatField(null=True)),
                ('online_status', models.CharField(choices=[('below', 'below target'), ('meets', 'meets target'), ('insufficient', 'insufficient data'), ('no_target', 'no target')], max_length=16)),
                ('online_certainty', models.CharField(choices=[('clear', 'clearly'), ('margin', 'within the margin of error')], max_length=8)),
                ('online_respondents', models.IntegerField(null=True)),
                ('handling_days', models.FloatField(null=True, verbose_name='average handling (days)')),
            ],
            options={
                'verbose_name': 'scorecard',
                'verbose_name_plural': 'scorecards',
                'db_table': 'indicators_scorecard',
                'managed': False,
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
