"""Freeze what analysts read today, so existing deployments keep their results.

Before frozen releases, results read every ``AnonymisedRecord`` with ``released_at`` set and
not superseded, as it is now. From here on results read only the ``ReleasedRecord`` rows of a
form's latest approved release. So each form's latest approved release gets, as its frozen
rows, exactly what its analysts read at the moment of the upgrade: the released, not withheld,
not superseded records' published content. A release that already has frozen rows is left
alone (running this twice changes nothing). Reversing keeps the rows: 0005's reversal drops
the table. First, frozen rows are made cheaper to write (fewer indexes and database FK checks).
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ["record_id", "version_id", "service_point_id", "month", "data", "suppressed"]
SOURCES = ["id", "version_id", "service_point_id", "month", "published", "suppressed"]


def freeze_approved_releases(apps, schema_editor):
    Release = apps.get_model("privacy", "Release")
    ReleasedRecord = apps.get_model("privacy", "ReleasedRecord")
    AnonymisedRecord = apps.get_model("privacy", "AnonymisedRecord")
    connection = schema_editor.connection
    form_ids = Release.objects.filter(state="approved").values_list("form_id", flat=True).distinct()
    for form_id in sorted(set(form_ids)):
        release = (
            Release.objects.filter(form_id=form_id, state="approved")
            .order_by("-approved_at", "-pk")
            .only("pk")
            .first()
        )
        if ReleasedRecord.objects.filter(release_id=release.pk).exists():
            continue
        read_today = AnonymisedRecord.objects.filter(
            form_id=form_id,
            released_at__isnull=False,
            withheld_at__isnull=True,
            superseded=False,
        ).order_by()
        if connection.vendor == "postgresql":
            sql, params = read_today.values_list(*SOURCES).query.sql_with_params()
            table = ReleasedRecord._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (release_id, {', '.join(COLUMNS)}) "  # noqa: S608
                    f"SELECT %s, t.* FROM ({sql}) AS t",
                    [release.pk, *params],
                )
            continue
        batch = []
        for row in read_today.values_list(*SOURCES).iterator(chunk_size=5000):
            batch.append(
                ReleasedRecord(release_id=release.pk, **dict(zip(COLUMNS, row, strict=True)))
            )
            if len(batch) == 5000:
                ReleasedRecord.objects.bulk_create(batch)
                batch = []
        ReleasedRecord.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_release_frozen_records_microdata")]

    operations = [
        # Cheaper frozen rows (see ReleasedRecord): no separate index on release (the unique
        # (release, record_id) leads with it), no database FK checks on version and service
        # point (copied from AnonymisedRecords, which keep theirs; Django still PROTECTs).
        migrations.AlterField(
            model_name="releasedrecord",
            name="release",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="frozen",
                to="privacy.release",
            ),
        ),
        migrations.AlterField(
            model_name="releasedrecord",
            name="service_point",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.servicepoint",
            ),
        ),
        migrations.AlterField(
            model_name="releasedrecord",
            name="version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="forms.formversion",
            ),
        ),
        migrations.RunPython(freeze_approved_releases, migrations.RunPython.noop),
    ]
