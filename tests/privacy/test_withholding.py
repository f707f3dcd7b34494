"""Withholding during review (issue 17): a DPO reading a candidate record by record withholds
one without starting the review again, and can undo it; nothing unreviewed, and no group below
k, ever gets released that way."""

import pytest

from audit.models import AuditEvent
from privacy import review
from privacy.models import AnonymisedRecord, Release
from results.released import released_records
from tests.factories import rules_approve
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def six(submit, privacy_form, dpo, django_capture_on_commit_callbacks):
    """Six people aged 30 to 35: one group of six, k = 5, the rules approved by the DPO."""
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(f"uuid:wh{n}", age=str(30 + n))).status_code == 201
    rules_approve(privacy_form.form, dpo)
    return privacy_form.form


def record(n: int) -> AnonymisedRecord:
    return AnonymisedRecord.objects.get(submission__instance_id=f"uuid:wh{n}")


def test_withholding_one_record_keeps_the_rest_of_the_review(six, dpo):
    """Finding: each withholding invalidated the candidate, so the DPO reviewed again."""
    candidate = review.release_open(form=six, user=dpo)

    outcome = review.record_withhold(record=record(0), user=dpo, reason="too detailed")

    assert outcome.kept
    candidate.refresh_from_db()
    assert candidate.state == Release.State.OPEN
    assert candidate.record_count == 5
    assert candidate.risk["since"]["added"] == 5
    approved = review.release_approve(
        release=candidate, user=dpo, approved_hash=candidate.content_hash
    )
    assert approved.state == Release.State.APPROVED
    assert released_records(six).count() == 5
    assert not released_records(six).filter(record_id=record(0).pk).exists()


def test_a_withholding_that_leaves_a_group_below_k_is_not_released_as_reviewed(six, dpo):
    candidate = review.release_open(form=six, user=dpo)
    assert review.record_withhold(record=record(0), user=dpo, reason="asked").kept

    outcome = review.record_withhold(record=record(1), user=dpo, reason="asked too")

    assert not outcome.kept
    assert "below k = 5" in outcome.why
    candidate.refresh_from_db()
    with pytest.raises(review.ReleaseChanged):  # four people in a group of k = 5: never
        review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    assert record(1).withheld_at is not None  # the DPO's decision stands


def test_undo_puts_the_record_back_into_the_candidate(six, dpo):
    candidate = review.release_open(form=six, user=dpo)
    opened_hash = candidate.content_hash
    review.record_withhold(record=record(2), user=dpo, reason="by mistake")

    outcome = review.withholding_undo(record=record(2), user=dpo, reason="wrong record")

    assert outcome.kept
    candidate.refresh_from_db()
    assert candidate.content_hash == opened_hash  # exactly the candidate as opened
    assert review.withheld_in_review(candidate) == []
    review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    assert released_records(six).count() == 6
    assert AuditEvent.objects.filter(action="record.withhold_undo", reason="wrong record").exists()


def test_a_run_while_a_record_is_withheld_keeps_its_verdict_for_the_undo(six, dpo):
    """The withholding queues disclosure control, which replaces the form's verdicts; the
    withheld record is not judged, and keeps the verdict the DPO reviewed it with."""
    from privacy.disclosure.dataset import disclosure_run

    candidate = review.release_open(form=six, user=dpo)
    review.record_withhold(record=record(2), user=dpo, reason="by mistake")
    disclosure_run(form_id=six.pk)  # five left, k = 5: the others' verdicts are unchanged

    outcome = review.withholding_undo(record=record(2), user=dpo, reason="wrong record")

    assert record(2).verdict_in_force is not None
    assert outcome.kept
    review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    assert released_records(six).count() == 6


def test_undo_of_an_earlier_withholding_needs_a_new_candidate(six, dpo):
    review.record_withhold(record=record(3), user=dpo, reason="before the candidate")
    review.release_open(form=six, user=dpo)

    outcome = review.withholding_undo(record=record(3), user=dpo)

    assert not outcome.kept
    assert "before the candidate was opened" in outcome.why
    assert record(3).withheld_at is None


def test_undo_of_a_record_not_withheld_is_refused(six, dpo):
    with pytest.raises(review.UndoRefused, match="not withheld"):
        review.withholding_undo(record=record(4), user=dpo)


def test_new_records_since_opening_are_not_slipped_in_by_a_withholding(
    six, dpo, submit, django_capture_on_commit_callbacks
):
    candidate = review.release_open(form=six, user=dpo)
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:late", age="31"))

    outcome = review.record_withhold(record=record(5), user=dpo, reason="asked")

    assert not outcome.kept
    assert "changed since it was opened" in outcome.why
    candidate.refresh_from_db()
    with pytest.raises(review.ReleaseChanged):
        review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)


def test_under_sdcmicros_convention_every_group_the_record_counts_in_must_keep_k(six, dpo):
    """A missing or hidden value matches every value: a record counts in several groups, and
    each of them must keep k without it."""
    six.project.missing_values = "any"
    six.project.save(update_fields=["missing_values"])
    candidate = review.release_open(form=six, user=dpo)

    assert review.record_withhold(record=record(0), user=dpo, reason="asked").kept
    second = review.record_withhold(record=record(1), user=dpo, reason="asked too")

    assert not second.kept
    candidate.refresh_from_db()
    assert candidate.record_count == 5
