"""A DPO's approval of a version's privacy rules.

The rules an upload brings (the XLSForm's `privacy` column, privacy by default) are the form
manager's proposal: a form manager can classify a name `keep`. So no release opens or is
approved while a version among its records has a current rule set no DPO approved. A DPO's own
change (``rules.rules_change``) is approved by being made.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from forms.identifiers import rule_flags
from forms.models import Form, FormVersion, PrivacyRuleSet
from lib.problems import interpolate
from privacy.models import AnonymisedRecord
from privacy.review.refusals import RulesApproveRefused, RulesUnapproved


def unapproved_rule_sets(form: Form, records: QuerySet | None = None) -> list[PrivacyRuleSet]:
    """The current rule sets of ``form``'s versions that no DPO approved, among the versions
    of ``records`` (default: the form's current records)."""
    if records is None:
        records = AnonymisedRecord.objects.filter(form=form, superseded=False)
    # Versions first, records only for the few with unapproved rules: listing the versions of
    # a million records took seconds of every release opened and approved.
    pending = []
    for version in FormVersion.objects.filter(form=form).order_by("created_at"):
        rule_set = version.current_rule_set
        if rule_set is None or rule_set.approved_at is not None:
            continue
        if records.order_by().filter(version=version).exists():
            pending.append(rule_set)
    return pending


def rules_approved_check(form: Form, records: QuerySet | None = None) -> None:
    """Refuse (``rules.unapproved``) while a version of the records has unapproved rules."""
    pending = unapproved_rule_sets(form, records)
    if pending:
        names = ", ".join(f"v{r.version.version} rule set #{r.number}" for r in pending)
        raise RulesUnapproved(
            interpolate(
                _(
                    "A DPO has not approved the privacy rules of %(versions)s. Rules written in "
                    "the form are a proposal: review them on the rules page and approve them (or "
                    "change them), then open the release again."
                ),
                versions=names,
            ),
            rule_sets=[{"version": r.version.version, "number": r.number} for r in pending],
        )


def rule_set_approve(*, rule_set: PrivacyRuleSet, user, reason: str = "") -> PrivacyRuleSet:
    """Approve ``rule_set`` as it stands; only a version's current rule set can be approved.
    The audit event lists the questions that look like identifiers yet stay in the record."""
    with transaction.atomic():
        rule_set = PrivacyRuleSet.objects.select_for_update().get(pk=rule_set.pk)
        version = rule_set.version
        if rule_set.approved_at is not None:
            raise RulesApproveRefused(
                interpolate(
                    _("Rule set #%(number)s was already approved by %(who)s."),
                    number=rule_set.number,
                    who=getattr(rule_set.approved_by, "username", None) or _("a DPO"),
                )
            )
        current = version.current_rule_set
        if current is None or current.pk != rule_set.pk:
            raise RulesApproveRefused(
                interpolate(
                    _(
                        "Rule set #%(number)s is not this version's current rule set "
                        "(#%(current)s): approve the current one."
                    ),
                    number=rule_set.number,
                    current=current.number if current else "-",
                )
            )
        rule_set.approved_by, rule_set.approved_at = user, timezone.now()
        rule_set.save(update_fields=["approved_by", "approved_at"])
        flags = rule_flags(list(rule_set.rules.all()), version.questions)
        audit_record(
            actor=user,
            action="rules.approve",
            project=version.form.project,
            target=f"{version.form.form_id} v{version.version} rule set #{rule_set.number}",
            reason=reason.strip(),
            details={"flags": flags} if flags else {},
        )
    return rule_set
