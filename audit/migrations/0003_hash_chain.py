"""The audit trail's hash chain (issue 15): two columns, ``at`` set by the application (so the
hash covers it), and the existing events chained in id order. On PostgreSQL the append-only
trigger is set aside for the chaining, inside this migration's transaction only."""

import django.utils.timezone
from django.db import migrations, models

from audit.chain import GENESIS, hash_of


def chain_existing(apps, schema_editor):
    event_model = apps.get_model("audit", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only"
        )
    previous = GENESIS
    for event in event_model.objects.order_by("pk").iterator():
        digest = hash_of(event, previous)
        event_model.objects.filter(pk=event.pk).update(previous_hash=previous, hash=digest)
        previous = digest
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
