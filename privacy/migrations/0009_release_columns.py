"""A release stores its columns (issue 19): every answer its frozen records publish, in
questionnaire order, written by ``freeze`` so that ``records.csv`` and ``records.xlsx`` send
their header without first reading every record.

No data migration: releases frozen before this are filled the first time a download asks for
them (``privacy.review.columns.release_columns``), which reads their records once, as every
download did before; reading every release of every form here would hold the upgrade for
minutes on a large database.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("privacy", "0008_verdicts")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="columns",
            field=models.JSONField(
                blank=True,
                help_text="Every answer its frozen records publish, in questionnaire order.",
                null=True,
            ),
        ),
    ]
