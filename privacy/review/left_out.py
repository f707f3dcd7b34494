"""Records a rules change cannot reach: anonymised under rules a DPO has since replaced (a rules
change, or a change of ``everyday_names``), whose raw data is no longer here to anonymise
again: purged on schedule (``privacy.retention``), or encrypted on the device.

They are left out of every candidate and of disclosure control (``privacy.disclosure.scope``):
the new rules may drop or coarsen more, so releasing them as the old rules made them would
publish what the DPO replaced. They never hold up a release; the records whose re-run can
still come do (``redo_pending``). The DPO sees how many, and why, on the rules page and on the
candidate.

A device-encrypted submission is never anonymised (``anonymisation.services.processable``):
opening it with the form's private key (``sync.selectors.device_encrypted_open``) shows its
content for that answer only and anonymises nothing, so decrypting again redoes nothing."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from forms.models import FormVersion, PrivacyRuleSet
from lib.problems import interpolate
from privacy.disclosure.scope import rule_set_ids
from privacy.models import AnonymisedRecord

REDOABLE = Q(submission__raw_purged_at__isnull=True, submission__device_encrypted=False)
PURGED = Q(submission__raw_purged_at__isnull=False)
ENCRYPTED = Q(submission__raw_purged_at__isnull=True, submission__device_encrypted=True)


def _behind(form_id: int, version: FormVersion | None) -> QuerySet[AnonymisedRecord]:
    """Records a release could hold but for their rules: current (not superseded), not
    withheld, under a replaced rule set (of ``version`` only, if given)."""
    _current, replaced = rule_set_ids(form_id)
    records = AnonymisedRecord.objects.filter(
        form_id=form_id, superseded=False, withheld_at__isnull=True, rule_set_id__in=replaced
    )
    return records if version is None else records.filter(version=version)


def redo_pending(form_id: int, version: FormVersion | None = None) -> QuerySet[AnonymisedRecord]:
    """Records under replaced rules whose re-run can still come: their raw data is here."""
    return _behind(form_id, version).filter(REDOABLE)


def left_out(form_id: int, version: FormVersion | None = None) -> dict:
    """How many records under replaced rules can never be redone, by reason: ``purged`` (raw
    data purged on schedule), ``encrypted`` (encrypted on the device); ``records`` in all."""
    counts = _behind(form_id, version).aggregate(
        purged=Count("pk", filter=PURGED), encrypted=Count("pk", filter=ENCRYPTED)
    )
    return {"records": counts["purged"] + counts["encrypted"], **counts}


def at_stake(form_id: int, version: FormVersion) -> dict:
    """What the next rules change of ``version`` would leave out for good, told before it is
    made: its records under the current rules that could not be redone (``left_out``'s
    counts). A change back to the old rules is a new rule set too, so it does not bring them
    back."""
    current = rule_set_ids(form_id)[0]
    counts = AnonymisedRecord.objects.filter(
        form_id=form_id,
        version=version,
        superseded=False,
        withheld_at__isnull=True,
        rule_set_id__in=current,
    ).aggregate(purged=Count("pk", filter=PURGED), encrypted=Count("pk", filter=ENCRYPTED))
    return {"records": counts["purged"] + counts["encrypted"], **counts}


def project_at_stake(project_id: int) -> dict:
    """What a project-wide redaction change (``everyday_names``: ``rules.redaction_change``
    gives every version a new rule set) would leave out for good: ``at_stake`` summed over the
    project's versions, in two queries (it is counted under the project's lock): the current
    rule set of each version, then one count over the project's records under them."""
    current: dict[int, int] = {}
    rows = (
        PrivacyRuleSet.objects.filter(version__form__project_id=project_id)
        .order_by("version_id", "number")
        .values_list("version_id", "pk")
    )
    for version_id, pk in rows:
        current[version_id] = pk  # the last, highest number, is the version's current one
    counts = AnonymisedRecord.objects.filter(
        form__project_id=project_id,
        superseded=False,
        withheld_at__isnull=True,
        rule_set_id__in=list(current.values()),
    ).aggregate(purged=Count("pk", filter=PURGED), encrypted=Count("pk", filter=ENCRYPTED))
    return {"records": counts["purged"] + counts["encrypted"], **counts}


def project_at_stake_message(counts: dict) -> str:
    """``at_stake_message``'s warning for ``project_at_stake``'s counts, worded for a settings
    change; lazy (it may be a refusal's message, written in the reader's language); empty if
    none."""
    if not counts.get("records"):
        return ""
    text = ngettext_lazy(
        "Changing this setting gives every form version a new rule set and leaves %(count)s "
        "record out of every later release for good: it cannot be anonymised again (its raw "
        "data was purged, or it is encrypted on the device). Changing the setting back later "
        "does not bring it back.",
        "Changing this setting gives every form version a new rule set and leaves %(count)s "
        "records out of every later release for good: they cannot be anonymised again (their "
        "raw data was purged, or they are encrypted on the device). Changing the setting back "
        "later does not bring them back.",
        "count",
    )
    return interpolate(text, count=counts["records"])


def at_stake_message(counts: dict) -> str:
    """What the DPO reads beside the rules form about ``at_stake``'s counts; empty if none."""
    if not counts.get("records"):
        return ""
    text = ngettext(
        "Saving a new rule set leaves %(count)s record out of every later release for good: "
        "it cannot be anonymised again (its raw data was purged, or it is encrypted on the "
        "device). Changing the rules back later does not bring it back.",
        "Saving a new rule set leaves %(count)s records out of every later release for good: "
        "they cannot be anonymised again (their raw data was purged, or they are encrypted on "
        "the device). Changing the rules back later does not bring them back.",
        counts["records"],
    )
    return text % {"count": counts["records"]}


def left_out_message(counts: dict | None) -> str:
    """What the DPO reads about ``left_out``'s counts; empty when there are none."""
    if not counts or not counts.get("records"):
        return ""
    reasons = []
    if counts.get("purged"):
        reasons.append(_("raw data purged on schedule (%(count)s)") % {"count": counts["purged"]})
    if counts.get("encrypted"):
        reasons.append(
            _(
                "encrypted on the device (%(count)s; decrypting it shows it to you only and "
                "does not anonymise it again)"
            )
            % {"count": counts["encrypted"]}
        )
    text = ngettext(
        "%(count)s record cannot be anonymised again under the current rules and is left out "
        "of releases: %(reasons)s.",
        "%(count)s records cannot be anonymised again under the current rules and are left out "
        "of releases: %(reasons)s.",
        counts["records"],
    )
    return text % {"count": counts["records"], "reasons": "; ".join(reasons)}
