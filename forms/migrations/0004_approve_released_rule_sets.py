"""Rule sets already trusted before approval existed count as approved, so that existing
deployments keep releasing: the rules of records in an approved release (approved when that
release was, by its approver), the current rules of those versions, and every rule set a DPO
wrote (number above 1: only a DPO's rules change makes one; approved when written)."""

from django.db import migrations
from django.db.models import F


def approve_trusted(apps, schema_editor):
    PrivacyRuleSet = apps.get_model("forms", "PrivacyRuleSet")
    AnonymisedRecord = apps.get_model("privacy", "AnonymisedRecord")
    PrivacyRuleSet.objects.filter(approved_at__isnull=True, number__gt=1).update(
        approved_at=F("created_at"), approved_by=F("created_by")
    )
    released = (
        AnonymisedRecord.objects.filter(release__state="approved")
        .order_by("release__approved_at")
        .values_list("rule_set_id", "version_id", "release__approved_at", "release__approved_by")
        .distinct()
    )
    first: dict[int, tuple] = {}  # rule set id -> (approved_at, approved_by) of its first release
    for rule_set_id, version_id, approved_at, approved_by in released.iterator():
        first.setdefault(rule_set_id, (approved_at, approved_by))
        current = PrivacyRuleSet.objects.filter(version_id=version_id).order_by("-number").first()
        if current is not None:
            first.setdefault(current.pk, (approved_at, approved_by))
    for pk, (approved_at, approved_by) in first.items():
        PrivacyRuleSet.objects.filter(pk=pk, approved_at__isnull=True).update(
            approved_at=approved_at, approved_by_id=approved_by
        )


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0003_rule_set_approval"),
        ("privacy", "0005_release_frozen_records_microdata"),
    ]

    operations = [migrations.RunPython(approve_trusted, migrations.RunPython.noop)]
