"""Web tablets (issue 18): a device's kind, ODK Collect (every existing device) or the browser."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="kind",
            field=models.CharField(
                choices=[("collect", "ODK Collect tablet"), ("web", "Web tablet (browser)")],
                default="collect",
                max_length=16,
            ),
        ),
    ]
