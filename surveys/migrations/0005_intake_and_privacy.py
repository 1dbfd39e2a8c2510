"""Intake against hostile clients, and answers that cannot be linked.

- KnownAddress: an agency's kiosk or known addresses, with a quota of their own.
- UsedInvitation keeps the day it was used (`used_on`), no longer the moment: the
  moment matched the response's receipt to the millisecond.
- Response.received_at is kept to the hour; the rows stored before are cut to it.
- Suggestions stored before are cleaned as intake now cleans them (contact
  details, ID and dossier numbers masked, invisible characters removed).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import surveys.models

BATCH = 2000


def used_day_forwards(apps, schema_editor):
    """The local day of each recorded use."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_usedinvitation"
            " SET used_on = CAST(used_at AT TIME ZONE %s AS date)",
            [settings.TIME_ZONE],
        )


def used_day_backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_usedinvitation"
            " SET used_at = CAST(used_on AS timestamp) AT TIME ZONE %s",
            [settings.TIME_ZONE],
        )


def received_hour_forwards(apps, schema_editor):
    """Receipt times cut to the hour (the rollup's watermark is the writing
    transaction, `xact_id`, which an UPDATE leaves as it was)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_response SET received_at = date_trunc('hour', received_at)"
            " WHERE received_at <> date_trunc('hour', received_at)"
        )


def suggestions_forwards(apps, schema_editor):
    """Each stored suggestion as intake stores one now, in batches by id."""
    from surveys.suggestions import suggestion_clean

    Response = apps.get_model("surveys", "Response")
    last = 0
    while True:
        rows = list(
            Response.objects.filter(id__gt=last)
            .exclude(suggestion="")
            .order_by("id")
            .values_list("id", "suggestion")[:BATCH]
        )
        if not rows:
            return
        changed = [
            Response(id=pk, suggestion=suggestion_clean(text))
            for pk, text in rows
            if suggestion_clean(text) != text
        ]
        Response.objects.bulk_update(changed, ["suggestion"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_dossiers"),
    ]

    operations = [
        migrations.AddField(
            model_name="usedinvitation",
            name="used_on",
            field=models.DateField(null=True, verbose_name="used on"),
        ),
        migrations.RunPython(used_day_forwards, used_day_backwards),
        migrations.AlterField(
            model_name="usedinvitation",
            name="used_on",
            field=models.DateField(
                default=django.utils.timezone.localdate, verbose_name="used on"
            ),
        ),
        migrations.RemoveField(
            model_name="usedinvitation",
            name="used_at",
        ),
        migrations.AlterField(
            model_name="response",
            name="received_at",
            field=models.DateTimeField(verbose_name="received at (hour)"),
        ),
        migrations.RunPython(received_hour_forwards, migrations.RunPython.noop),
        migrations.RunPython(suggestions_forwards, migrations.RunPython.noop),
        migrations.CreateModel(
            name="KnownAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "network",
                    models.CharField(
                        help_text="One address (203.0.113.7) or a network "
                        "(203.0.113.0/28).",
                        max_length=49,
                        validators=[surveys.models.validate_network],
                        verbose_name="address or network",
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="description"
                    ),
                ),
                (
                    "quota",
                    models.PositiveIntegerField(
                        default=200,
                        help_text="How many responses this address may send in "
                        "each window.",
                        verbose_name="responses allowed per window",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="known_addresses",
                        to="surveys.agency",
                        verbose_name="agency",
                    ),
                ),
            ],
            options={
                "verbose_name": "known address",
                "verbose_name_plural": "known addresses",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agency", "network"), name="known_address_per_agency"
                    )
                ],
            },
        ),
    ]
