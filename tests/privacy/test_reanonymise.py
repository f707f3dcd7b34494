"""Rotating the pseudonym secret (runbook, "Rotating keys"): `manage.py reanonymise` gives every
record a pseudonym under the new secret, and a released record whose values change is never
published unchecked: its quasi-identifiers are withheld until disclosure control has run."""

from io import StringIO

from django.core.management import call_command

from audit.models import AuditEvent
from privacy.anonymisation.services import records_anonymise
from privacy.disclosure.dataset import disclosure_run
from privacy.models import AnonymisedRecord
from privacy.review import rules_change


def _pseudonyms() -> set[str]:
    return {r.data["case_number"] for r in AnonymisedRecord.objects.all()}


def test_reanonymise_after_a_pseudonym_rotation_gives_new_pseudonyms(
    released,
    settings,
    django_capture_on_commit_callbacks,
):
    before = _pseudonyms()
    settings.WAYPOINT_PSEUDONYM_SECRET = "a new secret from the password safe"
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("reanonymise", stdout=out)

    assert "14 submission(s) queued" in out.getvalue()
    after = _pseudonyms()
    assert len(after) == len(before) == 1  # one case number, still linked across records
    assert after != before
    published = [r.published for r in AnonymisedRecord.objects.released()]
    assert sum("age" in p for p in published) >= 11  # disclosure control checked and published
    assert AuditEvent.objects.filter(action="records.reanonymise").count() == 1


def test_a_changed_released_record_withholds_its_quasi_identifiers_until_checked(
    released,
    settings,
):
    record = next(
        r for r in AnonymisedRecord.objects.released() if {"age", "sex"} <= r.published.keys()
    )
    settings.WAYPOINT_PSEUDONYM_SECRET = "another secret"

    records_anonymise(submission_ids=[record.submission_id])

    record.refresh_from_db()
    assert record.was_released()
    assert not {"age", "sex", "arrival", "location"} & record.published.keys()
    assert record.published["case_number"] == record.data["case_number"]
    disclosure_run(form_id=record.form_id)
    record.refresh_from_db()
    assert {"age", "sex"} <= record.published.keys()


def test_a_rule_change_that_leaves_a_record_alike_keeps_its_checked_values(released, dpo):
    """New rules that do not change what a record holds (a dropped note now a direct
    identifier: removed either way) move it to the new rule set and keep disclosure control's
    verdict: nothing is withheld again for nothing."""
    record = AnonymisedRecord.objects.released().first()
    published, suppressed = record.published, record.suppressed
    new_rules = rules_change(
        version=record.version,
        user=dpo,
        reason="notes are identifying",
        changes=[{"path": "/data/internal_note", "classification": "direct"}],
    )

    records_anonymise(submission_ids=[record.submission_id])

    record.refresh_from_db()
    assert record.rule_set_id == new_rules.pk  # reprocessed under the new rules
    assert record.published == published
    assert record.suppressed == suppressed
