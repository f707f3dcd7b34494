"""Disclosure control's verdicts move out of the record rows into ``RecordVerdict``.

Why: a run rewrote a million wide record rows (40 s of a 50 s run); verdicts now sit in a narrow
table of their own that a run replaces in one transaction. On PostgreSQL the table is
partitioned by form (LIST), one partition per form made here and by the first run of a new
form (``privacy.disclosure.partitions``), and a default partition for verdicts written one by
one: a run empties its form's partition and fills it again, with no dead rows left behind.

Every record keeps the verdict it has (suppressed values, held back, fk) as the verdict on its
current content, so nothing a DPO or a release reads changes with the upgrade. ``published``
was always the data without the suppressed values: it is computed from them now. Reversing
copies the verdicts back.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE, VERDICTS = "privacy_anonymisedrecord", "privacy_recordverdict"
KEY = "('x' || left(md5(content_hash), 16))::bit(64)::bigint"  # privacy.models.ContentKey


def verdicts_table(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":  # the table Django makes on SQLite
        schema_editor.execute(
            f'CREATE TABLE "{VERDICTS}" ("record_id" char(32) NOT NULL PRIMARY KEY, '
            '"form_id" integer NOT NULL, "content_key" bigint NOT NULL, "suppressed" text NOT '
            'NULL CHECK ((JSON_VALID("suppressed") OR "suppressed" IS NULL)), "held" bool NOT '
            'NULL, "fk" integer unsigned NOT NULL CHECK ("fk" >= 0))'
        )
        return
    schema_editor.execute(
        f"CREATE TABLE {VERDICTS} (record_id uuid NOT NULL, form_id integer NOT NULL, "
        "content_key bigint NOT NULL, suppressed jsonb NOT NULL, held boolean NOT NULL, "
        "fk integer NOT NULL CHECK (fk >= 0), PRIMARY KEY (record_id, form_id)) "
        "PARTITION BY LIST (form_id)"
    )
    schema_editor.execute(f"CREATE TABLE {VERDICTS}_default PARTITION OF {VERDICTS} DEFAULT")


def verdicts_table_drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {VERDICTS}")


def verdicts_copy(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT DISTINCT form_id FROM {TABLE} ORDER BY form_id")  # noqa: S608
            for (form_id,) in cursor.fetchall():
                cursor.execute(
                    f"CREATE TABLE {VERDICTS}_f{int(form_id)} PARTITION OF {VERDICTS} "
                    f"FOR VALUES IN ({int(form_id)})"
                )
            key = KEY
        else:
            key = "waypoint_content_key(content_hash)"  # registered by privacy.apps
        cursor.execute(
            f"INSERT INTO {VERDICTS} (record_id, form_id, content_key, suppressed, held, fk) "  # noqa: S608 - table names
            f"SELECT id, form_id, {key}, suppressed, held, coalesce(fk, 0) FROM {TABLE}"
        )


def verdicts_restore(apps, schema_editor):
    AnonymisedRecord = apps.get_model("privacy", "AnonymisedRecord")
    RecordVerdict = apps.get_model("privacy", "RecordVerdict")
    verdicts = {v.record_id: v for v in RecordVerdict.objects.all().iterator(chunk_size=5000)}
    batch = []
    for record in AnonymisedRecord.objects.all().iterator(chunk_size=5000):
        verdict = verdicts.get(record.pk)
        hidden = list(verdict.suppressed) if verdict else []
        record.suppressed, record.held = hidden, bool(verdict and verdict.held)
        record.fk = (verdict.fk or None) if verdict else None
        record.published = {k: v for k, v in record.data.items() if k not in hidden}
        batch.append(record)
        if len(batch) == 2000:
            AnonymisedRecord.objects.bulk_update(batch, ["suppressed", "held", "fk", "published"])
            batch = []
    AnonymisedRecord.objects.bulk_update(batch, ["suppressed", "held", "fk", "published"])


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0004_approve_released_rule_sets"),
        ("privacy", "0007_release_speed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RecordVerdict",
                    fields=[
                        (
                            "record",
                            models.OneToOneField(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="verdict",
                                serialize=False,
                                to="privacy.anonymisedrecord",
                            ),
                        ),
                        (
                            "form",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="forms.form",
                            ),
                        ),
                        (
                            "content_key",
                            models.BigIntegerField(
                                help_text="``content_key`` of the content hash this verdict judged."
                            ),
                        ),
                        (
                            "suppressed",
                            models.JSONField(
                                default=list, help_text="Quasi-identifiers locally suppressed."
                            ),
                        ),
                        (
                            "held",
                            models.BooleanField(
                                default=False, help_text="Held back until its group reaches k."
                            ),
                        ),
                        (
                            "fk",
                            models.PositiveIntegerField(
                                default=0,
                                help_text="Its group's size, where disclosure control hid "
                                "values; else 0.",
                            ),
                        ),
                    ],
                ),
            ],
            database_operations=[migrations.RunPython(verdicts_table, verdicts_table_drop)],
        ),
        migrations.RunPython(verdicts_copy, verdicts_restore),
        migrations.RemoveField(model_name="anonymisedrecord", name="fk"),
        migrations.RemoveField(model_name="anonymisedrecord", name="held"),
        migrations.RemoveField(model_name="anonymisedrecord", name="published"),
        migrations.RemoveField(model_name="anonymisedrecord", name="suppressed"),
        migrations.AddIndex(
            model_name="anonymisedrecord",
            index=models.Index(
                condition=models.Q(("withheld_at__isnull", False)),
                fields=["form"],
                name="record_withheld",
            ),
        ),
    ]
