"""instanceIDs and attachment names of any length (issue 16): a long instanceID is kept whole in
``instance_id_full`` while the unique index holds its hash; attachment names are text."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sync", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="instance_id_full",
            field=models.TextField(
                blank=True,
                default="",
                help_text="meta/instanceID as sent, when over 255 characters.",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="instance_id",
            field=models.CharField(
                max_length=255,
                help_text="meta/instanceID, or sha256:<hex of the XML> when there is none; "
                "long:sha256:<hex> when it is longer than 255 characters (kept whole in "
                "instance_id_full).",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="root_instance_id",
            field=models.CharField(
                max_length=255,
                help_text="The first instance_id of the logical submission (edits share it).",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="name",
            field=models.TextField(help_text="The file name the XML refers to."),
        ),
    ]
