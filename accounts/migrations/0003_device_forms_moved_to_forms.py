"""Device.forms becomes forms.Form.devices (related_name "forms"): only the migration state
changes. The table accounts_device_forms stays as it is and forms.0002 takes it over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="device", name="forms")],
            database_operations=[],
        ),
    ]
