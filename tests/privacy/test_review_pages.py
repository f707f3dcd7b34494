"""The DPO's pages (issue 17): a candidate shows each record's anonymised content, paged and
searchable; withholding and its undo from the page keep the review; conflicting copies side by
side with their original; every list paged; the risk report labelled and explained."""

import re

import pytest

from audit.models import AuditEvent
from audit.services import audit_record
from privacy import review
from privacy.models import AnonymisedRecord
from sync.models import Submission
from tests.factories import rules_approve
from tests.samples import device_url, privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def six(submit, privacy_form, dpo, django_capture_on_commit_callbacks):
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(f"uuid:pg{n}", age=str(30 + n))).status_code == 201
    rules_approve(privacy_form.form, dpo)
    return privacy_form.form


def page_of(project, release) -> str:
    return f"/projects/{project.pk}/privacy/privacy_test/releases/{release.pk}"


def test_a_candidate_shows_each_records_anonymised_content(client, project, dpo, six):
    """Finding: a candidate listed only record ids and hidden field names."""
    release = review.release_open(form=six, user=dpo)
    client.force_login(dpo)

    html = client.get(page_of(project, release)).content.decode()

    assert html.count('class="record"') == 6
    assert "asylum" in html
    assert "[NAME]" in html
    assert "Ahmad Karimi" not in html
    assert "CASE-0042" not in html


def test_the_candidates_records_are_paged_and_searchable(client, project, dpo, six, monkeypatch):
    """Finding: lists stopped at 200 records, with no way to find one."""
    from privacy import release_views

    monkeypatch.setattr(release_views, "PER_PAGE", 4)
    release = review.release_open(form=six, user=dpo)
    client.force_login(dpo)

    first = client.get(page_of(project, release)).content.decode()
    second = client.get(page_of(project, release) + "?page=2").content.decode()
    record = AnonymisedRecord.objects.get(submission__instance_id="uuid:pg3")
    found = client.get(page_of(project, release), {"q": str(record.pk)[:8]}).content.decode()

    assert first.count('class="record"') == 4
    assert second.count('class="record"') == 2
    assert "Page 1 of 2" in first
    assert found.count('class="record"') == 1
    assert str(record.pk) in found


def test_withholding_from_the_page_keeps_the_candidate_and_can_be_undone(client, project, dpo, six):
    release = review.release_open(form=six, user=dpo)
    record = AnonymisedRecord.objects.get(submission__instance_id="uuid:pg0")
    client.force_login(dpo)
    back = page_of(project, release) + "?page=1"

    withheld = client.post(
        f"/projects/{project.pk}/privacy/privacy_test/records/{record.pk}/withhold",
        {"reason": "asked to be left out", "next": back},
        follow=True,
    )

    assert withheld.redirect_chain[-1][0] == back
    text = withheld.content.decode()
    assert "the rest of your review stands" in text
    assert "Undo the withholding" in text
    release.refresh_from_db()
    assert release.record_count == 5

    undone = client.post(
        f"/projects/{project.pk}/privacy/privacy_test/records/{record.pk}/undo",
        {"next": back},
        follow=True,
    )

    assert "back in candidate" in undone.content.decode()
    release.refresh_from_db()
    approved = client.post(page_of(project, release), {"hash": release.content_hash})
    assert approved.status_code == 302
    assert approved.url.endswith("/signoff")


def test_conflicting_copies_are_shown_beside_their_original(
    client, project, dpo, privacy_form, device
):
    """Finding: sync kept conflicting copies "for the DPO", and no page showed them."""
    original = privacy_instance("uuid:twice", age="40")
    other = privacy_instance("uuid:twice", age="41")
    for xml in (original, other):
        response = client.post(
            device_url(device, "submission"),
            {"xml_submission_file": ("submission.xml", xml)},
            HTTP_X_OPENROSA_VERSION="1.0",
        )
        assert response.status_code == 201
    submission = Submission.objects.get(instance_id="uuid:twice")
    assert submission.has_conflict
    client.force_login(dpo)
    base = f"/projects/{project.pk}/privacy/privacy_test/conflicts"

    listed = client.get(base).content.decode()
    asked = client.get(f"{base}/{submission.pk}").content.decode()
    client.post(f"{base}/{submission.pk}", {"reason": "checking a duplicate"})
    shown = client.get(f"{base}/{submission.pk}").content.decode()

    assert "uuid:twice" in listed
    assert "Why are you reading raw data?" in asked
    row = re.search(r'<tr class="differs"><th scope="row"><code>age</code>.*?</tr>', shown, re.S)
    assert row
    assert "40" in row.group(0)
    assert "<mark>41</mark>" in row.group(0)
    assert AuditEvent.objects.filter(action="raw.read_conflict").count() == 1
    assert AuditEvent.objects.filter(action="raw.read_xml", reason="checking a duplicate").exists()


def test_the_audit_log_is_paged_past_500_events(client, project, dpo):
    """Finding: the audit log stopped at 500 events."""
    for n in range(520):
        audit_record(actor=dpo, action="test.event", project=project, target=f"event {n}")
    client.force_login(dpo)

    first = client.get(f"/projects/{project.pk}/audit/?action=test.event").content.decode()
    last = client.get(f"/projects/{project.pk}/audit/?action=test.event&page=11").content.decode()

    assert "520 events" in first
    assert "Page 1 of 11" in first
    assert "page=2" in first
    assert "action=test.event" in first
    assert "event 0<" in last  # the oldest, on the last page


def test_the_risk_report_labels_its_columns_and_explains_l_diversity(client, project, dpo, six):
    """Finding: the riskiest combinations had no column headers; l-diversity showed 0 while
    the text explained only 1."""
    client.force_login(dpo)

    html = client.get(f"/projects/{project.pk}/privacy/privacy_test/").content.decode()

    head = re.search(r'<table id="top-combinations">\s*<thead>(.*?)</thead>', html, re.S)
    assert head, "the riskiest combinations have a header row"
    for column in ("<code>age</code>", "<code>sex</code>", "Service point", "Visit month"):
        assert column in head.group(1)
    assert "Records sharing them" in head.group(1)
    explained = html[html.index('id="l-diversity-help"') :]
    assert "0: in some group nobody answered this question" in explained
    assert "1: in some group everyone who answered gave the same answer" in explained


def test_a_release_job_under_way_shows_its_progress(client, project, dpo, six):
    from privacy.models import ReleaseJob

    release = review.release_open(form=six, user=dpo)
    ReleaseJob.objects.create(
        release=release, kind="approve", requested_by=dpo, progress=60, step="Checking the copy"
    )
    client.force_login(dpo)

    html = client.get(page_of(project, release)).content.decode()

    progress = re.search(r'<p id="job-progress"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "60% done (Checking the copy)" in progress
