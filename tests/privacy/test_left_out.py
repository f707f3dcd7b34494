"""Records whose raw data was purged on schedule cannot be anonymised again after the DPO
replaces the rules (a rules change, or ``everyday_names``). They must neither hold the form's
releases up for ever nor reach analysts under the rules the DPO replaced: the candidate leaves
them out, says how many and why, and disclosure control judges the candidate without them.
Records whose raw data is still here hold a release up until they are redone."""

import pytest

from accounts.privacy_settings import settings_change
from audit.models import AuditEvent
from privacy import review
from privacy.models import AnonymisedRecord, DisclosurePending, DisclosureRun, ReleasedRecord
from privacy.review.refusals import StillRerunning
from results.lattice.candidate import candidate_build
from sync.models import Submission

pytestmark = pytest.mark.django_db

DROP_STORY = [{"path": "/data/story", "classification": "drop", "generalisers": []}]


def test_purged_records_are_left_out_and_counted_not_blocking(
    privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """After stories are dropped, the purged records (which still carry a story) cannot be
    redone: the release opens, without them, and the DPO is told how many and why."""
    form = privacy_form.form
    with django_capture_on_commit_callbacks(execute=True):
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="no stories")

    progress = review.rerun_progress(privacy_form)
    assert (progress["total"], progress["done"], progress["finished"]) == (6, 6, True)
    assert progress["left_out"]["records"] == progress["left_out"]["purged"] == 6
    assert "6 records cannot be anonymised again" in progress["left_out"]["detail"]
    assert "raw data purged on schedule (6)" in progress["left_out"]["detail"]

    release = review.release_open(form=form, user=dpo)

    assert release.record_count == 6
    assert release.risk["left_out"] == {"records": 6, "purged": 6, "encrypted": 0}
    # the purged ones leave the release analysts read; the six since join it
    assert (release.risk["since"]["added"], release.risk["since"]["removed"]) == (6, 6)
    # disclosure control judged exactly the candidate's records
    assert DisclosureRun.objects.get(pk=release.risk["disclosure_run"]).records == 6
    opened = AuditEvent.objects.get(action="release.open", target__endswith=f"release {release.pk}")
    assert opened.details["left_out"]["records"] == 6
    # the candidate's tables are computed from the same records (their copy hashes the same)
    assert candidate_build(release.pk).state == "built"

    review.release_approve(release=release, user=dpo, approved_hash=release.content_hash)

    frozen = ReleasedRecord.objects.filter(release=release)
    assert not {str(pk) for pk in frozen.values_list("record_id", flat=True)} & purged
    assert not any("story" in row.data for row in frozen)
    approved = AuditEvent.objects.get(action="release.approve", target__endswith=f" {release.pk}")
    assert approved.details["left_out"] == {"records": 6, "purged": 6, "encrypted": 0}


def test_the_sign_off_sheet_repeats_what_was_left_out(
    client, project, privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """The printed sign-off of a release says how many records it left out and why."""
    with django_capture_on_commit_callbacks(execute=True):
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="no stories")
    release = review.release_open(form=privacy_form.form, user=dpo)
    review.release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    client.force_login(dpo)

    url = f"/projects/{project.pk}/privacy/privacy_test/releases/{release.pk}/signoff"
    sheet = client.get(url).content.decode()

    assert 'id="signoff-left-out"' in sheet
    assert "raw data purged on schedule (6)" in sheet


def test_records_still_to_be_redone_hold_the_release_until_redone(
    privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """The six whose raw data is here are still to be anonymised again: the release waits for
    them, and the rules page says the same (not finished), whatever the purged ones."""
    with django_capture_on_commit_callbacks() as rerun:  # the re-run is not sent yet
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="no stories")

    # the records disclosure control counts changed with the rules: a run is due
    assert DisclosurePending.objects.filter(form=privacy_form.form).exists()
    progress = review.rerun_progress(privacy_form)
    assert (progress["total"], progress["done"], progress["finished"]) == (6, 0, False)
    assert progress["left_out"]["purged"] == 6
    with pytest.raises(StillRerunning):
        review.release_open(form=privacy_form.form, user=dpo)

    with django_capture_on_commit_callbacks(execute=True):
        for callback in rerun:
            callback()

    assert review.rerun_progress(privacy_form)["finished"] is True
    assert review.release_open(form=privacy_form.form, user=dpo).record_count == 6


def test_an_everyday_names_change_leaves_purged_records_out(
    privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """A change of ``everyday_names`` makes a new rule set for every version: the purged
    records, redacted the old way, are left out rather than holding releases up for ever."""
    with django_capture_on_commit_callbacks(execute=True):
        settings_change(
            project=privacy_form.form.project,
            user=dpo,
            values={"everyday_names": "always"},
            reason="more recall",
            confirm_left_out=6,
        )

    release = review.release_open(form=privacy_form.form, user=dpo)

    assert release.risk["left_out"]["purged"] == 6
    candidate = set(review.snapshot.eligible(privacy_form.form).values_list("pk", flat=True))
    assert len(candidate) == 6
    assert not {str(pk) for pk in candidate} & purged


def test_withholding_a_left_out_record_keeps_the_candidate(
    privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """A left-out record is not in the candidate: withholding it changes nothing the DPO is
    reviewing (no figure moves, the review stays valid)."""
    with django_capture_on_commit_callbacks(execute=True):
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="no stories")
    release = review.release_open(form=privacy_form.form, user=dpo)
    record = AnonymisedRecord.objects.get(pk=sorted(purged)[0])

    outcome = review.record_withhold(record=record, user=dpo, reason="left out anyway")

    release.refresh_from_db()
    assert outcome.kept
    assert (release.record_count, release.risk["since"]["removed"]) == (6, 6)


def test_the_dpo_pages_and_the_api_show_the_count(
    client, api, project, privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """The rules page and the candidate page say how many records are left out and why; the
    API gives the counts on the candidate and on the re-run's progress."""
    with django_capture_on_commit_callbacks(execute=True):
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="no stories")
    release = review.release_open(form=privacy_form.form, user=dpo)
    client.force_login(dpo)
    base = f"/projects/{project.pk}/privacy/privacy_test"

    rules = client.get(f"{base}/rules/{privacy_form.version}").content.decode()
    candidate = client.get(f"{base}/releases/{release.pk}").content.decode()
    api_base = f"/api/v1/projects/{project.pk}/forms/privacy_test"
    body = api.as_user(dpo).get(f"{api_base}/releases").json()
    progress = api.as_user(dpo).get(f"{api_base}/versions/{privacy_form.version}/rerun").json()

    assert 'id="left-out"' in rules
    assert "raw data purged on schedule (6)" in rules
    assert 'id="left-out"' in candidate
    assert "6 records cannot be anonymised again" in candidate
    shown = next(r for r in body["results"] if r["id"] == release.pk)
    assert shown["left_out"]["records"] == 6
    assert "purged on schedule" in shown["left_out"]["detail"]
    assert progress["left_out"]["purged"] == 6
    assert progress["finished"] is True


def test_an_encrypted_record_is_counted_and_decrypting_is_said_not_to_redo_it(
    privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """Waypoint never anonymises a device-encrypted submission, but should a record of one
    exist (imported data), it cannot be redone either: it is counted apart, and the DPO is
    told that decrypting it does not anonymise it again."""
    Submission.objects.filter(instance_id="uuid:new0").update(device_encrypted=True)
    with django_capture_on_commit_callbacks(execute=True):
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="no stories")

    progress = review.rerun_progress(privacy_form)

    assert (progress["left_out"]["purged"], progress["left_out"]["encrypted"]) == (6, 1)
    assert progress["finished"] is True
    assert "does not anonymise it again" in progress["left_out"]["detail"]
    assert review.release_open(form=privacy_form.form, user=dpo).record_count == 5


def test_a_rules_change_while_the_open_waits_is_refused_not_an_empty_candidate(
    privacy_form, dpo, purged, monkeypatch
):
    """A DPO's rules change that commits while an open waits for the form (disclosure control
    runs under the lock) leaves every record of the version to be redone: the open refuses
    with "still being anonymised again" instead of a candidate holding none of them."""
    from privacy.review import releases

    real_run = releases.disclosure_run

    def run_then_rules_change(**kwargs):
        result = real_run(**kwargs)
        review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="late")
        return result

    monkeypatch.setattr(releases, "disclosure_run", run_then_rules_change)

    with pytest.raises(StillRerunning):
        review.release_open(form=privacy_form.form, user=dpo)


def test_approval_waits_for_records_still_to_be_redone(
    privacy_form, dpo, purged, django_capture_on_commit_callbacks
):
    """A candidate opened before a rules change is not approved while its records are still
    to be redone: the DPO is told the re-run is under way, and nothing is frozen."""
    with django_capture_on_commit_callbacks(execute=True):
        release = review.release_open(form=privacy_form.form, user=dpo)
    review.rules_change(version=privacy_form, user=dpo, changes=DROP_STORY, reason="later")

    with pytest.raises(StillRerunning):
        review.release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    assert not ReleasedRecord.objects.filter(release=release).exists()


def test_the_rules_page_warns_before_a_change_leaves_records_out(
    client, project, privacy_form, dpo, purged
):
    """Before the DPO saves new rules, the rules page says how many records the change would
    leave out of every later release for good (raw data purged), and that changing the rules
    back would not bring them back."""
    client.force_login(dpo)
    page = f"/projects/{project.pk}/privacy/privacy_test/rules/{privacy_form.version}"

    before = client.get(page).content.decode()

    assert 'id="at-stake"' in before
    assert "leaves 6 records out of every later release for good" in before
    assert "does not bring them back" in before


def test_comparing_raw_and_anonymised_samples_only_records_whose_raw_data_is_here(
    api, project, privacy_form, dpo, purged
):
    """Once raw data is purged on schedule, the DPO's raw-beside-anonymised comparison still
    works: it samples only records whose raw data is still here (there is nothing to compare
    for the others), and audits each raw read."""
    url = f"/api/v1/projects/{project.pk}/forms/privacy_test/compare?reason=spot check&size=12"

    response = api.as_user(dpo).get(url)

    assert response.status_code == 200, response.content
    sampled = response.json()
    assert len(sampled) == 6
    assert not {str(item["record"]) for item in sampled} & purged
    assert AuditEvent.objects.filter(action="raw.read_xml").count() == 6
