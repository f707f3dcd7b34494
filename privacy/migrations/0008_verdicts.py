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

import hashlib

import django.db.models.deletion
from django.db import migrations, models

TABLE, VERDICTS = "privacy_anonymisedrecord", "privacy_recordverdict"
# privacy.models.ContentKey on PostgreSQL. It was first the MD5 form SQLite still uses: a database
# that ran this migration then holds such keys, which disclosure control renews
# (privacy.disclosure.legacy); reversing past here puts such a verdict back as unchecked.
KEY = "hashtextextended(content_hash, 0)"


def content_key(content_hash: str) -> int:
    """privacy.models.content_key on SQLite as of this migration (migrations keep their own
    copy; PostgreSQL compares in SQL, ``KEY``)."""
    digest = hashlib.md5(content_hash.encode()).digest()  # noqa: S324 - change detection
    return int.from_bytes(digest[:8], "big", signed=True)


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
        # A form waiting for its run holds records never checked as they stand: they get no
        # verdict (a verdict means "checked"), so no candidate takes them before the run.
        cursor.execute(
            f"INSERT INTO {VERDICTS} (record_id, form_id, content_key, suppressed, held, fk) "  # noqa: S608 - table names
            f"SELECT id, form_id, {key}, suppressed, held, coalesce(fk, 0) FROM {TABLE} "
            "WHERE form_id NOT IN (SELECT form_id FROM privacy_disclosurepending)"
        )


def verdicts_restore(apps, schema_editor):
    """Back to verdicts on the record rows. A verdict counts only for the content it judged: a
    record with none, or one for older content, was never checked as it stands, so it goes back
    held, with every quasi-identifier suppressed (the old code's unchecked state), never as
    "checked, nothing hidden"."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} r SET suppressed = v.suppressed, held = v.held, "  # noqa: S608 - table names
                "fk = nullif(v.fk, 0), published = r.data - ARRAY(SELECT "
                "jsonb_array_elements_text(v.suppressed)) "
                f"FROM {VERDICTS} v WHERE v.record_id = r.id AND v.form_id = r.form_id "
                f"AND v.content_key = {KEY.replace('content_hash', 'r.content_hash')}"
            )
            cursor.execute(
                f"UPDATE {TABLE} r SET held = true, fk = NULL, "  # noqa: S608 - table names
                "suppressed = coalesce((SELECT jsonb_agg(k ORDER BY k) FROM "
                "jsonb_object_keys(r.quasi) k), '[]'::jsonb), "
                "published = r.data - ARRAY(SELECT jsonb_object_keys(r.quasi)) "
                f"WHERE NOT EXISTS (SELECT 1 FROM {VERDICTS} v WHERE v.record_id = r.id "
                f"AND v.form_id = r.form_id AND v.content_key = "
                f"{KEY.replace('content_hash', 'r.content_hash')})"
            )
        return
    AnonymisedRecord = apps.get_model("privacy", "AnonymisedRecord")
    RecordVerdict = apps.get_model("privacy", "RecordVerdict")
    verdicts = {
        record_id: rest
        for record_id, *rest in RecordVerdict.objects.values_list(
            "record_id", "content_key", "suppressed", "held", "fk"
        ).iterator(chunk_size=5000)
    }
    batch = []
    for record in AnonymisedRecord.objects.all().iterator(chunk_size=5000):
        verdict = verdicts.get(record.pk)
        if verdict is not None and verdict[0] == content_key(record.content_hash):
            hidden, record.held, record.fk = list(verdict[1]), verdict[2], verdict[3] or None
        else:
            hidden, record.held, record.fk = sorted(record.quasi or {}), True, None
        record.suppressed = hidden
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
