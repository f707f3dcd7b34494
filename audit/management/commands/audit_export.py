"""Export the audit trail with its hash chain for external archiving (JSON Lines or CSV),
verifying the chain as it goes: a broken chain stops the export with the first broken link, so
an archive never receives a copy that does not verify. Each line carries everything its hash
covers, so the archive can be re-verified with ``audit.chain.event_hash`` alone; archive the
last line's hash separately (e.g. in the runbook's log) to anchor the copy."""

import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from audit.chain import Broken, chain_check
from audit.models import AuditEvent

FIELDS = [
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "project_id",
    "target",
    "reason",
    "details",
    "previous_hash",
    "hash",
]


def _row(event: AuditEvent) -> dict:
    return {
        "id": event.pk,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "project_id": event.project_id,
        "target": event.target,
        "reason": event.reason,
        "details": event.details,
        "previous_hash": event.previous_hash,
        "hash": event.hash,
    }


class Command(BaseCommand):
    help = "Export the verified audit trail with its hash chain (jsonl or csv)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--output", help="File to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        out = (
            open(options["output"], "w", encoding="utf-8", newline="")  # noqa: SIM115
            if options["output"]
            else sys.stdout
        )
        writer = csv.DictWriter(out, FIELDS) if options["format"] == "csv" else None
        if writer:
            writer.writeheader()
        events: dict[str, AuditEvent] = {}
        count = 0
        try:
            queryset = AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)
            for event, step in _checked(queryset, events):
                if isinstance(step, Broken):
                    raise CommandError(
                        f"Export stopped: audit chain broken at event #{step.pk}: {step.problem}."
                    )
                row = _row(event)
                if writer:
                    writer.writerow({**row, "details": json.dumps(row["details"], sort_keys=True)})
                else:
                    out.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"Exported {count} verified audit events.")


def _checked(queryset, seen: dict):
    """Pairs of (event, its check), in chain order."""

    def remember():
        for event in queryset:
            seen["last"] = event
            yield event

    for step in chain_check(remember()):
        yield seen["last"], step
