"""Form.devices takes over the table of the former Device.forms (accounts.0003): the same
table, accounts_device_forms, with the same device_id and form_id columns, so no SQL runs."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0001_initial"),
        ("accounts", "0003_device_forms_moved_to_forms"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="form",
                    name="devices",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="accounts_device_forms",
                        related_name="forms",
                        to="accounts.device",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
