"""Which records disclosure control judges and a release may hold: those anonymised under their
version's current rule set.

A record still under rules a DPO has since replaced is never counted towards k nor published.
Its re-run may still be under way (then no release opens, ``privacy.review.releases``), or it
can never come: its raw data was purged on schedule, or it was encrypted on the device. The new
rules may drop or coarsen more, so such a record is left out (``privacy.review.left_out``)
rather than released as the old rules made it; and since it is left out, it must not hide
anyone in a group either, or a group of k counted with it would be published with fewer.
"""

from django.db.models import QuerySet

from forms.models import PrivacyRuleSet


def rule_set_ids(form_id: int) -> tuple[list[int], list[int]]:
    """(current, replaced): the ids of the current rule set of each version of the form, and of
    every earlier one. One query over the form's few rule sets."""
    current: dict[int, int] = {}
    replaced: list[int] = []
    rows = (
        PrivacyRuleSet.objects.filter(version__form_id=form_id)
        .order_by("version_id", "number")
        .values_list("version_id", "pk")
    )
    for version_id, pk in rows:
        if version_id in current:
            replaced.append(current[version_id])
        current[version_id] = pk
    return list(current.values()), replaced


def under_current_rules(records: QuerySet, form_id: int) -> QuerySet:
    """``records`` (of form ``form_id``) without those anonymised under replaced rules.

    Written as "not under a replaced rule set", and not at all for a form whose rules never
    changed: PostgreSQL then estimates the rows as before (an ``IN`` of the current rule sets,
    taken as independent of the form, would shrink its estimate by the share of other forms'
    records, and a million-row join planned for a few rows runs as lookups, one per row)."""
    replaced = rule_set_ids(form_id)[1]
    return records.exclude(rule_set_id__in=replaced) if replaced else records
