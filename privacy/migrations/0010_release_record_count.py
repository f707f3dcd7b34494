"""A release counts its records instead of listing their ids, and its frozen records no
longer check their release in the database (issue 19).

Why: ``Release.record_ids`` held a JSON list of every record id; at a million records building
and storing it was 12 s of every candidate opened, and every page that showed the release read
it back. The set itself is what the release's hash covers (the eligible records when opened,
its frozen rows once approved); what the pages showed was its length, kept here.

The foreign key from a frozen record to its release was checked at COMMIT, once per record,
each check locking the same release row: 5-10 s of a 1M approval. Only ``freeze`` writes these
rows, with the release it is approving; Django still protects a release with frozen records.

Reversing lists the ids again: an approved release's from its frozen rows, an open
candidate's as none (open it again).
"""

import django.db.models.deletion
from django.db import migrations, models


def counts_fill(apps, schema_editor):
    # A row written by older code may hold something else than a list (JSON null, a string):
    # it counts as none, rather than failing the upgrade.
    if schema_editor.connection.vendor == "postgresql":
        length = (
            "CASE WHEN jsonb_typeof(record_ids) = 'array' "
            "THEN jsonb_array_length(record_ids) ELSE 0 END"
        )
    else:
        length = (
            "CASE WHEN json_type(record_ids) = 'array' "
            "THEN json_array_length(record_ids) ELSE 0 END"
        )
    schema_editor.execute(f"UPDATE privacy_release SET record_count = {length}")  # noqa: S608 - no user text


def ids_fill(apps, schema_editor):
    Release = apps.get_model("privacy", "Release")
    ReleasedRecord = apps.get_model("privacy", "ReleasedRecord")
    for release in Release.objects.filter(state="approved").only("pk"):
        ids = ReleasedRecord.objects.filter(release=release).values_list("record_id", flat=True)
        release.record_ids = [str(pk) for pk in ids]
        release.save(update_fields=["record_ids"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0009_release_columns")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="record_count",
            field=models.PositiveIntegerField(
                default=0, help_text="How many records this candidate releases."
            ),
        ),
        migrations.RunPython(counts_fill, ids_fill, elidable=True),
        # A default, so that reversing can add the column back to existing rows.
        migrations.AlterField(
            model_name="release",
            name="record_ids",
            field=models.JSONField(default=list, help_text="The records this candidate releases."),
        ),
        migrations.RemoveField(model_name="release", name="record_ids"),
        # No database foreign key from a frozen record to its release (see ReleasedRecord).
        migrations.AlterField(
            model_name="releasedrecord",
            name="release",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="frozen",
                to="privacy.release",
            ),
        ),
    ]
