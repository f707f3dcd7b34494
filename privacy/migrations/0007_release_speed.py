"""Release speed (issues 12, 19) and the visit month (issue 13).

- ``ReleaseJob``: opening and approving a release run as background tasks; a job row holds the
  progress the DPO watches and the refusal if the work found one.
- ``Release.state`` gains "opening" (the candidate is being prepared) and "refused".
- ``AnonymisedRecord.month`` is the month of the visit (help text only: existing records keep
  the month they were received until they are anonymised again).

No data changes: approvals no longer stamp ``released_at`` on every record (retention reads a
record's first approval from ``ReleasedRecord``), and the stamps earlier approvals left still
count, so nothing needs copying.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0006_freeze_approved_releases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="anonymisedrecord",
            name="month",
            field=models.CharField(
                help_text="YYYY-MM of the visit (start, end or today), else of receipt.",
                max_length=7,
            ),
        ),
        migrations.AlterField(
            model_name="release",
            name="state",
            field=models.CharField(
                choices=[
                    ("opening", "Being prepared"),
                    ("open", "Open for review"),
                    ("approved", "Approved and released"),
                    ("superseded", "Replaced by a newer candidate"),
                    ("refused", "Could not be opened"),
                ],
                default="open",
                max_length=16,
            ),
        ),
        migrations.CreateModel(
            name="ReleaseJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("open", "Opening the candidate"),
                            ("approve", "Approving the candidate"),
                        ],
                        max_length=16,
                    ),
                ),
                ("approved_hash", models.CharField(blank=True, max_length=64)),
                (
                    "progress",
                    models.PositiveSmallIntegerField(default=0, help_text="Percent done."),
                ),
                (
                    "step",
                    models.CharField(blank=True, help_text="What it is doing now.", max_length=200),
                ),
                (
                    "problem",
                    models.JSONField(
                        blank=True,
                        help_text="Why it was refused: {code, detail}; null otherwise.",
                        null=True,
                    ),
                ),
                ("started_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "release",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="jobs",
                        to="privacy.release",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["release", "-started_at"],
                "get_latest_by": "started_at",
            },
        ),
    ]
