"""The dossier tables become the dossiers app's: `surveys_dossier` and
`surveys_dossiertouch` from surveys, `indicators_dossiermonthcount` from
indicators. Only Django's record of which app declares them changes (the tables
keep their names and rows); surveys 0008 and indicators 0013 drop them from their
own apps' records. The content types follow, so that permissions given on the
models and the admin's history of them stay attached."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {
    "dossier": "surveys",
    "dossiertouch": "surveys",
    "dossiermonthcount": "indicators",
}


def _relabel(apps, *, forward: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, old in MOVED.items():
        source, target = (old, "dossiers") if forward else ("dossiers", old)
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(
            app_label=target
        )


def content_types_forward(apps, schema_editor) -> None:
    _relabel(apps, forward=True)


def content_types_backward(apps, schema_editor) -> None:
    _relabel(apps, forward=False)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("surveys", "0007_criteria_punctuation"),
        ("indicators", "0012_status_certainty"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DossierTouch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('agency_id', models.IntegerField()),
                        ('month', models.IntegerField()),
                    ],
                    options={
                        'verbose_name': 'changed dossier month',
                        'verbose_name_plural': 'changed dossier months',
                        'db_table': 'surveys_dossiertouch',
                    },
                ),
                migrations.CreateModel(
                    name='DossierMonthCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('received', models.IntegerField(default=0, verbose_name='dossiers received')),
                        ('received_online', models.IntegerField(default=0, verbose_name='received online')),
                        ('resolved', models.IntegerField(default=0, verbose_name='dossiers resolved')),
                        ('resolved_on_time', models.IntegerField(default=0, verbose_name='resolved on time')),
                        ('handling_days', models.BigIntegerField(default=0, verbose_name='handling days (sum)')),
                        ('agency_id', models.IntegerField()),
                        ('month', models.IntegerField()),
                    ],
                    options={
                        'db_table': 'indicators_dossiermonthcount',
                        'constraints': [models.UniqueConstraint(fields=('agency_id', 'month'), name='dossiermonthcount_key')],
                    },
                ),
                migrations.CreateModel(
                    name='Dossier',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number_hash', models.CharField(max_length=64, verbose_name='dossier number (keyed hash)')),
                        ('channel', models.PositiveSmallIntegerField(choices=[(1, 'in person'), (2, 'online'), (3, 'by post')], verbose_name='channel')),
                        ('received_on', models.DateField(verbose_name='received on')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('resolved_on', models.DateField(blank=True, null=True, verbose_name='resolved on')),
                        ('paused_days', models.PositiveSmallIntegerField(default=0, verbose_name='days paused for the citizen to supplement')),
                        ('status', models.CharField(choices=[('received', 'received'), ('in_progress', 'in progress'), ('waiting', 'waiting for the citizen to supplement'), ('resolved', 'resolved'), ('withdrawn', 'withdrawn')], max_length=16, verbose_name='status')),
                        ('invited_on', models.DateField(blank=True, null=True, verbose_name='invitation issued on')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('agency', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='surveys.agency', verbose_name='agency')),
                        ('invitation_batch', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='surveys.invitationbatch', verbose_name='invitation batch')),
                        ('procedure', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to='surveys.procedure', verbose_name='procedure')),
                    ],
                    options={
                        'verbose_name': 'dossier',
                        'verbose_name_plural': 'dossiers',
                        'db_table': 'surveys_dossier',
                        'indexes': [models.Index(fields=['agency', 'received_on'], name='dossier_received'), models.Index(condition=models.Q(('resolved_on__isnull', False)), fields=['agency', 'resolved_on'], name='dossier_resolved')],
                        'constraints': [models.UniqueConstraint(fields=('number_hash',), name='dossier_number')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
