"""What a data protection officer does before anything reaches the strategy team: read the risk
report, compare raw with anonymised, change rules, withhold records and release a reviewed,
hash-identified set. Views and the API call these; every step is audited."""

import hashlib
import random
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from forms.models import Form, FormVersion, PrivacyRule, PrivacyRuleSet
from forms.privacy_vocabulary import PrivacyValueError, parse_privacy
from privacy import dataset
from privacy.models import AnonymisedRecord, DisclosureRun, Release
from sync.instance import answers_by_path, parse_instance
from sync.selectors import raw_xml_read

PLACEHOLDER = re.compile(r"\[(PHONE|EMAIL|IBAN|CARD|DOCUMENT|URL|NAME)\]")


class ReviewError(ValueError):
    """A DPO action that cannot go ahead; the message says why."""


def risk_report(form: Form) -> dict:
    """The latest disclosure-control run (computed now if the data changed) and what the DPO
    should look at: questions only the defaults classified, records not yet processed."""
    run = dataset.disclosure_run(form_id=form.pk)
    defaulted = []
    for version in form.versions.all():
        rule_set = version.current_rule_set
        for rule in rule_set.rules.filter(source=PrivacyRule.Source.DEFAULT).exclude(
            question_type="meta"
        ):
            defaulted.append(
                {
                    "version": version.version,
                    "path": rule.path,
                    "question_type": rule.question_type,
                    "classification": rule.classification,
                    "generalisers": rule.generalisers,
                }
            )
    unprocessed = form.submissions.filter(complete=True, anonymised__isnull=True).count()
    return {"run": run, "defaulted": defaulted, "unprocessed": unprocessed}


@dataclass
class ComparedAnswer:
    question: str
    classification: str
    raw: str
    anonymised: str

    @property
    def anonymised_marked(self) -> list[tuple[str, bool]]:
        """The anonymised text in pieces, each placeholder flagged, for highlighting."""
        pieces, position = [], 0
        for match in PLACEHOLDER.finditer(self.anonymised):
            pieces.append((self.anonymised[position : match.start()], False))
            pieces.append((match.group(0), True))
            position = match.end()
        pieces.append((self.anonymised[position:], False))
        return [piece for piece in pieces if piece[0]]


def compare_sample(*, form: Form, user, reason: str, size: int = 5, seed: int | None = None):
    """A sample of records, raw beside anonymised. Each raw read is an audit event."""
    records = list(
        AnonymisedRecord.objects.filter(form=form, superseded=False).select_related(
            "submission__form__project", "rule_set"
        )
    )
    sample = random.Random(seed).sample(records, min(size, len(records)))
    compared = []
    for record in sample:
        raw = raw_xml_read(user=user, submission=record.submission, reason=reason)
        answers = answers_by_path(parse_instance(raw).root)
        rules = {r.path: r for r in record.rule_set.rules.all()}
        root = "/" + next(iter(answers), "/data").split("/")[1]
        rows = []
        for path, values in answers.items():
            rule = rules.get(path)
            key = path.removeprefix(root + "/")
            anonymised = record.data.get(key)
            if anonymised is None and "/" in key:  # inside a repeat: show its rows' values
                head = next((k for k in record.data if key.startswith(k + "/")), None)
                if head:
                    anonymised = [row.get(key) for row in record.data[head] if key in row]
            rows.append(
                ComparedAnswer(
                    question=key,
                    classification=rule.classification if rule else "not in the form: dropped",
                    raw=" | ".join(values),
                    anonymised="" if anonymised is None else _text(anonymised),
                )
            )
        compared.append({"record": record, "answers": rows})
    return compared


def _text(value) -> str:
    if isinstance(value, list):
        return " | ".join(_text(v) for v in value if v is not None)
    return str(value)


def rules_change(*, version: FormVersion, user, changes: list[dict], reason: str) -> PrivacyRuleSet:
    """A new rule-set version with the DPO's changes; the old one stays in the history. The
    version's records are then re-anonymised (see ``rerun_schedule``)."""
    if not reason.strip():
        raise ReviewError("Give a reason for the change; it is kept with the rule set.")
    current = version.current_rule_set
    rules = {rule.path: rule for rule in current.rules.all()}
    updates = {}
    for change in changes:
        rule = rules.get(change.get("path"))
        if rule is None:
            raise ReviewError(f"No question {change.get('path')!r} in this form version.")
        value = " ".join([change["classification"], *change.get("generalisers", [])])
        try:
            parsed = parse_privacy(value, rule.question_type)
        except PrivacyValueError as exc:
            raise ReviewError(f"{rule.name}: {exc}") from exc
        if (parsed.classification, list(parsed.generalisers)) != (
            rule.classification,
            rule.generalisers,
        ):
            updates[rule.path] = parsed
    if not updates:
        raise ReviewError("Nothing changed: the rules already say this.")
    with transaction.atomic():
        new = PrivacyRuleSet.objects.create(
            version=version, number=current.number + 1, reason=reason.strip(), created_by=user
        )
        PrivacyRule.objects.bulk_create(
            PrivacyRule(
                rule_set=new,
                path=rule.path,
                name=rule.name,
                question_type=rule.question_type,
                classification=updates[rule.path].classification
                if rule.path in updates
                else rule.classification,
                generalisers=list(updates[rule.path].generalisers)
                if rule.path in updates
                else rule.generalisers,
                source=PrivacyRule.Source.DPO if rule.path in updates else rule.source,
                position=rule.position,
            )
            for rule in rules.values()
        )
        audit_record(
            actor=user,
            action="rules.change",
            project=version.form.project,
            target=f"{version.form.form_id} v{version.version} rule set #{new.number}",
            reason=reason.strip(),
            details={
                path: {"classification": r.classification, "generalisers": list(r.generalisers)}
                for path, r in updates.items()
            },
        )
        rerun_schedule(version=version)
    return new


def rerun_schedule(*, version: FormVersion) -> None:
    from privacy.tasks import BATCH, anonymise_batch

    ids = list(version.submissions.filter(complete=True).values_list("pk", flat=True))

    def send() -> None:
        for start in range(0, len(ids), BATCH):
            anonymise_batch.delay(ids[start : start + BATCH])

    transaction.on_commit(send)


def rerun_progress(version: FormVersion) -> dict:
    rule_set = version.current_rule_set
    records = AnonymisedRecord.objects.filter(version=version)
    total = version.submissions.filter(
        complete=True, device_encrypted=False, raw_purged_at__isnull=True
    ).count()
    done = records.filter(rule_set=rule_set).count()
    return {"rule_set": rule_set.number, "total": total, "done": done, "finished": done >= total}


def _candidates(form: Form):
    return AnonymisedRecord.objects.filter(
        form=form,
        released_at__isnull=True,
        held=False,
        withheld_at__isnull=True,
        superseded=False,
    )


def content_hash(records) -> str:
    """What the DPO approves: every record's id, content, suppressions and status."""
    digest = hashlib.sha256()
    for row in sorted(
        records.values_list(
            "pk", "content_hash", "suppressed", "held", "withheld_at", "superseded"
        ),
        key=lambda r: str(r[0]),
    ):
        digest.update(repr((str(row[0]), *row[1:])).encode())
    return digest.hexdigest()


def release_open(*, form: Form, user) -> Release:
    run = dataset.disclosure_run(form_id=form.pk)  # the candidate is judged on current data
    records = _candidates(form)
    ids = [str(pk) for pk in records.values_list("pk", flat=True)]
    if not ids:
        raise ReviewError("There are no new records to release.")
    with transaction.atomic():
        form.releases.filter(state=Release.State.OPEN).update(state=Release.State.SUPERSEDED)
        release = Release.objects.create(
            form=form,
            content_hash=content_hash(records),
            record_ids=ids,
            risk=_risk_snapshot(run),
            rule_sets={v.version: v.current_rule_set.number for v in form.versions.all()},
            opened_by=user,
        )
        audit_record(
            actor=user,
            action="release.open",
            project=form.project,
            target=f"{form.form_id} release {release.pk}",
            details={"records": len(ids), "content_hash": release.content_hash},
        )
    return release


def _risk_snapshot(run: DisclosureRun) -> dict:
    return {
        "disclosure_run": run.pk,
        "k": run.k,
        "mode": run.mode,
        "before": run.before,
        "after": run.after,
        "suppressions": run.suppressions,
        "held": run.held,
        "l_diversity": run.l_diversity,
        "redactions": run.redactions,
    }


def release_approve(*, release: Release, user, approved_hash: str) -> Release:
    """Release exactly what was reviewed: refuse if the hash differs or anything changed."""
    if release.state != Release.State.OPEN:
        raise ReviewError("This candidate is no longer open; open a new one.")
    if approved_hash != release.content_hash:
        raise ReviewError("The hash you approved is not this candidate's hash.")
    with transaction.atomic():
        records = AnonymisedRecord.objects.select_for_update().filter(pk__in=release.record_ids)
        if len(records) != len(release.record_ids) or content_hash(records) != release.content_hash:
            raise ReviewError(
                "The records changed since this candidate was opened (new rules, suppression, "
                "withholding or edits). Open a new candidate and review it again."
            )
        now = timezone.now()
        records.update(released_at=now, release=release)
        release.state = Release.State.APPROVED
        release.approved_by, release.approved_at = user, now
        release.save(update_fields=["state", "approved_by", "approved_at"])
        audit_record(
            actor=user,
            action="release.approve",
            project=release.form.project,
            target=f"{release.form.form_id} release {release.pk}",
            details={"records": len(release.record_ids), "content_hash": release.content_hash},
        )
    return release


def record_withhold(*, record: AnonymisedRecord, user, reason: str) -> AnonymisedRecord:
    if not reason.strip():
        raise ReviewError("Give a reason for withholding this record.")
    if record.released_at is not None:
        raise ReviewError("This record was already released.")
    record.withheld_at = timezone.now()
    record.withheld_reason = reason.strip()
    record.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
    audit_record(
        actor=user,
        action="record.withhold",
        project=record.form.project,
        target=f"{record.form.form_id} record {record.pk}",
        reason=reason.strip(),
    )
    return record
