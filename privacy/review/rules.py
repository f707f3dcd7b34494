"""A DPO's change to a version's privacy rules: a new rule-set version (the old one stays in
the history), then the version's records anonymised again under it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from forms.identifiers import rule_flags
from forms.models import FormVersion, PrivacyRule, PrivacyRuleSet
from forms.privacy_vocabulary import PrivacyValueError, parse_privacy
from lib.problems import interpolate
from privacy import signals
from privacy.disclosure.scheduling import disclosure_schedule
from privacy.models import AnonymisedRecord
from privacy.review.left_out import left_out, left_out_message, redo_pending
from privacy.review.refusals import RulesRefused


def rules_change(*, version: FormVersion, user, changes: list[dict], reason: str) -> PrivacyRuleSet:
    """A new rule-set version with the DPO's changes; the old one stays in the history. The
    version's records are then re-anonymised (see ``rerun_schedule``)."""
    if not reason.strip():
        raise RulesRefused(_("Give a reason for the change; it is kept with the rule set."))
    current = version.current_rule_set
    if current is None:  # published versions always have one; a half-written upload has none
        raise RulesRefused(_("This form version has no privacy rules to change."))
    rules = {rule.path: rule for rule in current.rules.all()}
    updates = {}
    for change in changes:
        rule = rules.get(change.get("path"))
        if rule is None:
            raise RulesRefused(
                interpolate(
                    _("No question %(path)s in this form version."), path=repr(change.get("path"))
                )
            )
        value = " ".join([change["classification"], *change.get("generalisers", [])])
        try:
            parsed = parse_privacy(value, rule.question_type)
        except PrivacyValueError as exc:
            raise RulesRefused(
                interpolate(_("%(question)s: %(why)s"), question=rule.name, why=exc)
            ) from exc
        if (parsed.classification, list(parsed.generalisers)) != (
            rule.classification,
            rule.generalisers,
        ):
            updates[rule.path] = parsed
    if not updates:
        raise RulesRefused(_("Nothing changed: the rules already say this."))
    with transaction.atomic():
        # a DPO's own change is approved by being made
        new = _next_rule_set(version, current, user, reason.strip(), True, updates)
        audit_record(
            actor=user,
            action="rules.change",
            project=version.form.project,
            target=f"{version.form.form_id} v{version.version} rule set #{new.number}",
            reason=reason.strip(),
            details={
                **{
                    path: {
                        "classification": r.classification,
                        "generalisers": list(r.generalisers),
                    }
                    for path, r in updates.items()
                },
                # An identifier-looking question the DPO keeps in the record, said out loud.
                "flags": [
                    f
                    for f in rule_flags(list(new.rules.all()), version.questions)
                    if f["path"] in updates
                ],
            },
        )
        rerun_schedule(version=version)
    return new


def _next_rule_set(
    version: FormVersion, current: PrivacyRuleSet, user, reason: str, approved: bool, updates: dict
) -> PrivacyRuleSet:
    """The next rule-set version of ``version``: ``current``'s rules with ``updates`` (path ->
    parsed privacy value, the DPO's source), approved by ``user`` if ``approved``."""
    new = PrivacyRuleSet.objects.create(
        version=version,
        number=current.number + 1,
        reason=reason,
        created_by=user,
        approved_by=user if approved else None,
        approved_at=timezone.now() if approved else None,
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
        for rule in current.rules.all()
    )
    # The version's records now count for disclosure control and releases only once redone
    # (``privacy.disclosure.scope``): the set changed, whether or not any record is redone.
    disclosure_schedule(form_id=version.form_id)
    return new


def rerun_schedule(*, version: FormVersion) -> None:
    """Queue the version's complete submissions for anonymisation once the caller commits."""
    ids = list(version.submissions.filter(complete=True).values_list("pk", flat=True))
    transaction.on_commit(lambda: signals.anonymisation_due.send(sender=None, submission_ids=ids))


def redaction_change(*, project_id: int, user, reason: str) -> int:
    """A project-wide setting of free-text redaction changed (``everyday_names``): every form
    version gets a new rule-set version holding the same rules, named by ``reason``, and its
    records are anonymised again. As after a rules change, no release opens until every record
    that can be redone carries the new rule set (``releases._rerun_finished_check``), and one
    that cannot (raw data purged) is left out (``left_out``), so a release never mixes stories
    redacted both ways. Called inside the settings change's transaction. A proposal
    (rules a DPO has not approved) stays a proposal. Returns how many versions."""
    changed = 0
    versions = FormVersion.objects.filter(form__project_id=project_id).select_for_update()
    for version in versions:
        current = version.current_rule_set
        if current is None:
            continue
        _next_rule_set(version, current, user, reason, current.approved_at is not None, {})
        rerun_schedule(version=version)
        changed += 1
    return changed


def rerun_progress(version: FormVersion) -> dict:
    """How far the re-run under ``version``'s current rule set got, over the records a release
    could hold (current, not withheld): ``done`` of ``total`` carry it; ``finished`` when none
    whose re-run can still come is left, exactly when ``releases._rerun_finished_check`` lets
    a release open. ``left_out``: those that can never be redone, by reason (``left_out``)."""
    rule_set = version.current_rule_set
    pending = redo_pending(version.form_id, version).count()
    done = AnonymisedRecord.objects.filter(
        version=version, rule_set=rule_set, superseded=False, withheld_at__isnull=True
    ).count()
    counts = left_out(version.form_id, version)
    return {
        "rule_set": rule_set.number if rule_set is not None else 0,
        "total": done + pending,
        "done": done,
        "finished": pending == 0,
        "left_out": {**counts, "detail": left_out_message(counts)},
    }
