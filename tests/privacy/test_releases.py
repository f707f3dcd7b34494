"""Releases are immutable (issue 12): analysts read the form's latest approved release exactly as
the DPO approved it. A rules change, an edit, a withholding or a group falling below k makes a
new candidate, never a silent change to what analysts read; approvals are serialised and refuse
anything but the reviewed snapshot, changing nothing when they refuse."""

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from privacy import review
from privacy.models import AnonymisedRecord, RecordVerdict, Release, ReleasedRecord
from results import exports
from results.released import Filters, released_records
from tests.factories import ReleaseFactory, rules_approve
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def six(submit, privacy_form, dpo, django_capture_on_commit_callbacks):
    """Six people aged 30 to 35, one k-anonymous group, the rules approved by the DPO."""
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(f"uuid:im{n}", age=str(30 + n))).status_code == 201
    rules_approve(privacy_form.form, dpo)
    return privacy_form.form


def approve(form, dpo) -> Release:
    release = review.release_open(form=form, user=dpo)
    return review.release_approve(release=release, user=dpo, approved_hash=release.content_hash)


def rules_change(version, dpo, capture, path: str, value: str, reason: str = "agreed") -> None:
    classification, *generalisers = value.split()
    change = {"path": path, "classification": classification, "generalisers": generalisers}
    with capture(execute=True):  # the re-run is sent after commit
        review.rules_change(version=version, user=dpo, changes=[change], reason=reason)


def records_csv(form) -> str:
    return "".join(exports.records_csv(form, Filters()))


def test_approval_freezes_a_full_snapshot_that_analysts_read(six, dpo):
    release = approve(six, dpo)

    frozen = released_records(six)
    assert frozen.count() == 6 == release.frozen.count()
    record = AnonymisedRecord.objects.get(submission__instance_id="uuid:im0")
    copy = frozen.get(record_id=record.pk)
    assert (copy.data, copy.suppressed, copy.month) == (
        record.published,
        record.suppressed,
        record.month,
    )
    assert copy.service_point_id == record.service_point_id


def test_a_rule_changed_to_keep_reaches_analysts_only_after_a_new_approval(
    six, dpo, privacy_form, django_capture_on_commit_callbacks
):
    """Finding 2: a DPO's rules change rewrote released records at once, sending names and
    phones to analysts without a new approval."""
    approve(six, dpo)
    for path in ("/data/full_name", "/data/phone"):
        rules_change(privacy_form, dpo, django_capture_on_commit_callbacks, path, "keep")
    changed = AnonymisedRecord.objects.get(submission__instance_id="uuid:im0")
    assert changed.published.get("full_name") == "Ahmad Karimi"  # the premise: rows changed

    text = records_csv(six)
    assert "Ahmad Karimi" not in text
    assert "333 123 4567" not in text
    assert all("full_name" not in r.data for r in released_records(six))

    candidate = review.release_open(form=six, user=dpo)
    assert candidate.risk["since"]["changed"] == 6  # the DPO sees what would change
    review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    assert "Ahmad Karimi" in records_csv(six)  # only now, by the DPO's decision


def test_in_hold_mode_a_released_record_whose_group_falls_below_k_stays_as_approved(
    six, dpo, project, privacy_form, django_capture_on_commit_callbacks, api, analyst
):
    """Finding 3: in hold mode a released record whose group fell below k stayed released with
    every quasi-identifier shown. It now stays at its approved, k-anonymous content until the
    next approval, which leaves it out."""
    project.disclosure_mode = "hold"
    project.save(update_fields=["disclosure_mode"])
    approve(six, dpo)

    # Finer bands: 30-34 holds five people, 35-39 one (aged 35), below k = 5.
    rules_change(privacy_form, dpo, django_capture_on_commit_callbacks, "/data/age", "quasi band:5")
    candidate = review.release_open(form=six, user=dpo)
    alone = AnonymisedRecord.objects.get(submission__instance_id="uuid:im5")
    assert alone.held

    body = (
        api.as_user(analyst)
        .get(f"/api/v1/projects/{project.pk}/forms/privacy_test/results/table?row=age")
        .json()
    )
    assert body["rows"] == ["30-39"]  # no newly exposed band, not even as a hidden row
    assert released_records(six).get(record_id=alone.pk).data["age"] == "30-39"
    assert candidate.risk["since"] == {
        "base": candidate.risk["since"]["base"],
        "added": 0,
        "changed": 5,
        "removed": 1,
    }

    review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    assert not released_records(six).filter(record_id=alone.pk).exists()


def test_a_withheld_released_record_leaves_only_at_the_next_approval(six, dpo):
    approve(six, dpo)
    record = AnonymisedRecord.objects.get(submission__instance_id="uuid:im2")

    review.record_withhold(record=record, user=dpo, reason="story too detailed")

    assert released_records(six).filter(record_id=record.pk).exists()
    candidate = review.release_open(form=six, user=dpo)
    assert (candidate.risk["since"]["removed"], candidate.record_count) == (1, 5)
    review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    assert not released_records(six).filter(record_id=record.pk).exists()
    assert released_records(six).count() == 5


def test_a_candidate_with_nothing_changed_is_refused(six, dpo, api, project):
    approve(six, dpo)

    response = api.as_user(dpo).post(f"/api/v1/projects/{project.pk}/forms/privacy_test/releases")

    assert response.status_code == 409
    assert response.json()["code"] == "release.nothing_new"


def approve_url(project, release) -> str:
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/releases/{release.pk}/approve"


def test_approving_twice_is_refused_the_second_time_and_changes_nothing(six, dpo, api, project):
    """Finding 9: two approvals of one release both succeeded."""
    candidate = review.release_open(form=six, user=dpo)
    client = api.as_user(dpo)
    body = {"content_hash": candidate.content_hash}
    first = client.post(approve_url(project, candidate), body, format="json")
    frozen = ReleasedRecord.objects.count()

    second = client.post(approve_url(project, candidate), body, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "release.not_open"
    assert ReleasedRecord.objects.count() == frozen == 6
    assert AuditEvent.objects.filter(action="release.approve").count() == 1


def test_a_stale_hash_is_refused_with_nothing_changed(six, dpo, api, project):
    candidate = review.release_open(form=six, user=dpo)

    response = api.as_user(dpo).post(
        approve_url(project, candidate), {"content_hash": "0" * 64}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "release.stale_hash"
    candidate.refresh_from_db()
    assert candidate.state == "open"
    assert not ReleasedRecord.objects.exists()


def test_a_candidate_over_a_release_that_changed_is_refused(six, dpo):
    """Another release approved after the candidate was opened: the candidate's changes were
    counted against a release analysts no longer read, so approving it is refused."""
    candidate = review.release_open(form=six, user=dpo)
    ReleaseFactory(form=six, approved_by=dpo)  # approved meanwhile (an admin, a script)
    frozen = ReleasedRecord.objects.count()

    with pytest.raises(review.ReleaseChanged):
        review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)

    candidate.refresh_from_db()
    assert candidate.state == "open"
    assert ReleasedRecord.objects.count() == frozen


def test_records_changed_since_opening_are_refused_and_nothing_is_frozen(six, dpo):
    candidate = review.release_open(form=six, user=dpo)
    RecordVerdict.objects.filter(record__submission__instance_id="uuid:im1").update(
        suppressed=["age"]
    )

    with pytest.raises(review.ReleaseChanged):
        review.release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)

    assert not ReleasedRecord.objects.exists()
    assert not AnonymisedRecord.objects.released().exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_one_wins_the_other_is_refused(six, dpo):
    """Real concurrency: two threads, two database connections, one candidate."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite in memory has one connection")
    candidate = review.release_open(form=six, user=dpo)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve_now() -> None:
        try:
            barrier.wait()
            review.release_approve(
                release=Release.objects.get(pk=candidate.pk),
                user=dpo,
                approved_hash=candidate.content_hash,
            )
            outcomes.append("approved")
        except review.ReleaseNotOpen:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    assert ReleasedRecord.objects.filter(release=candidate).count() == 6
    assert AuditEvent.objects.filter(action="release.approve").count() == 1


def test_the_api_shows_what_a_candidate_changes_for_analysts(six, dpo, api, project):
    first = approve(six, dpo)
    record = AnonymisedRecord.objects.get(submission__instance_id="uuid:im4")
    review.record_withhold(record=record, user=dpo, reason="asked to be left out")

    body = api.as_user(dpo).post(f"/api/v1/projects/{project.pk}/forms/privacy_test/releases")

    assert body.status_code == 201
    assert body.json()["since"] == {"base": first.pk, "added": 0, "changed": 0, "removed": 1}
    assert body.json()["records"] == 5


def test_withheld_records_do_not_hide_anyone_in_a_group(six, dpo):
    """Review finding: withheld records still counted towards k, so the DPO's report said k was
    achieved while the records actually released sat in a group smaller than k."""
    from privacy.disclosure.dataset import disclosure_run

    for n in (0, 1):
        record = AnonymisedRecord.objects.get(submission__instance_id=f"uuid:im{n}")
        review.record_withhold(record=record, user=dpo, reason="asked to be left out")

    run = disclosure_run(form_id=six.pk)

    assert run.before["records"] == 4  # the report judges the four still eligible
    assert run.before["k_achieved"] < 5
    for record in AnonymisedRecord.objects.filter(form=six, withheld_at__isnull=True):
        assert record.suppressed or record.held, "a record in a group of 4 released as is (k=5)"


def test_records_written_while_a_candidate_is_built_are_refused_not_frozen_unchecked(
    six, dpo, monkeypatch
):
    """Review finding: a record committed between disclosure control and the candidate went
    into the candidate with every quasi-identifier visible."""
    from privacy.models import DisclosurePending
    from privacy.review import releases

    checked = releases.disclosure_run

    def run_then_a_record_arrives(*, form_id):
        run = checked(form_id=form_id)
        DisclosurePending.objects.get_or_create(form_id=form_id)  # as a new record's batch does
        return run

    monkeypatch.setattr(releases, "disclosure_run", run_then_a_record_arrives)

    with pytest.raises(review.StillChecking):
        review.release_open(form=six, user=dpo)
    assert not Release.objects.filter(form=six).exists()


def test_no_release_opens_while_records_still_carry_the_previous_rules(
    six, dpo, privacy_form, django_capture_on_commit_callbacks
):
    """Review finding: a candidate could be opened during a rules change's re-run, releasing
    records still anonymised under the old rules (a name the DPO had just dropped, say)."""
    change = {"path": "/data/age", "classification": "drop", "generalisers": []}
    with django_capture_on_commit_callbacks(execute=False):  # the re-run has not run yet
        review.rules_change(version=privacy_form, user=dpo, changes=[change], reason="agreed")

    with pytest.raises(review.StillRerunning):
        review.release_open(form=six, user=dpo)
    assert not Release.objects.filter(form=six).exists()
