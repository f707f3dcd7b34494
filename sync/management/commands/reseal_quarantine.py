"""``manage.py reseal_quarantine [--dry-run]``: the second step of a quarantine key rotation.

See the runbook (deploy/RUNBOOK.md, "Rotating keys"): prepend the new key, restart, run this,
then remove the old key once it reports nothing left.
"""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_record
from lib import crypto
from sync.rotation import quarantine_reseal


class Command(BaseCommand):
    help = "Re-seal raw submissions and attachments still sealed under an older quarantine key."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is left to re-seal; change nothing."
        )
        parser.add_argument("--batch", type=int, default=200, help="Rows per transaction.")

    def handle(self, *args, dry_run: bool, batch: int, **options) -> None:
        try:
            report = quarantine_reseal(batch=batch, dry_run=dry_run)
        except crypto.QuarantineKeyError as exc:
            raise CommandError(
                f"{exc} Keep every old key in WAYPOINT_QUARANTINE_KEYS until this command "
                "reports nothing left."
            ) from exc
        current = crypto.current_key_fingerprint()
        if dry_run:
            for key, count in sorted(report.remaining_by_key.items()):
                self.stdout.write(f"{count} blob(s) sealed under key {key}")
            verdict = "nothing left" if report.done else "re-seal needed"
            self.stdout.write(f"Current key {current}: {verdict}.")
            return
        audit_record(
            actor=None,
            action="quarantine.reseal",
            target=f"key {current}",
            details={"resealed": dict(report.resealed), "missing_files": report.missing_files},
        )
        for kind, count in sorted(report.resealed.items()):
            self.stdout.write(f"Re-sealed {count} {kind} blob(s).")
        if report.missing_files:
            self.stdout.write(f"{report.missing_files} attachment file(s) were gone (purged).")
        self.stdout.write(
            self.style.SUCCESS(f"Everything is sealed under {current}; older keys can be removed.")
        )
