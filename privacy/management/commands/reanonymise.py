"""``manage.py reanonymise [--project ID]``: anonymise every stored submission again.

Needed after rotating ``WAYPOINT_PSEUDONYM_SECRET`` (deploy/RUNBOOK.md, "Rotating keys"), so
that all records carry pseudonyms under the new secret. Submissions whose raw data was already
purged cannot be redone and keep their old pseudonyms; the command says how many.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from audit.services import audit_record
from forms.models import FormVersion
from privacy.review import rerun_schedule
from sync.models import Submission


class Command(BaseCommand):
    help = "Re-run anonymisation of every complete submission (e.g. after a pseudonym rotation)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", type=int, help="Only this project's forms.")

    def handle(self, *args, project: int | None, **options) -> None:
        versions = FormVersion.objects.select_related("form__project")
        submissions = Submission.objects.filter(complete=True)
        if project is not None:
            versions = versions.filter(form__project_id=project)
            submissions = submissions.filter(form__project_id=project)
        with transaction.atomic():
            for version in versions:
                rerun_schedule(version=version)
            redo = submissions.filter(raw_purged_at__isnull=True, device_encrypted=False).count()
            purged = submissions.filter(raw_purged_at__isnull=False).count()
            audit_record(
                actor=None,
                action="records.reanonymise",
                target=f"project {project}" if project is not None else "all projects",
                details={"submissions": redo, "purged": purged},
            )
        self.stdout.write(f"{redo} submission(s) queued for anonymisation.")
        if purged:
            self.stdout.write(
                f"{purged} submission(s) were already purged and keep their old pseudonyms."
            )
