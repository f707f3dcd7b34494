"""The DPO sees, before approving, the utility report of the tables a candidate would get
(issue 13): computed from exactly the records approval would freeze, never read by analysts,
shown as stale (no report) once the candidate or the settings change, and adopted at approval
only when nothing it counted changed."""

import pytest

from privacy.models import AnonymisedRecord, ReleasedRecord
from privacy.review import ReleaseChanged, record_withhold, release_approve, release_open
from results.lattice.build import build
from results.models import Lattice
from tests.plugins.pipeline import PEOPLE
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(submit, privacy_form, dpo, django_capture_on_commit_callbacks):
    """An open candidate of the privacy form's twelve people (nothing approved yet)."""
    project = privacy_form.form.project
    project.missing_values = "any"  # the lone 71-year-old is released with her age hidden
    project.save(update_fields=["missing_values"])
    for n, (age, sex) in enumerate(PEOPLE):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:cand{n}", age=age, sex=sex))
    return release_open(form=privacy_form.form, user=dpo)


def url(release, path=None):
    project, form = release.form.project_id, release.form.form_id
    base = f"/api/v1/projects/{project}/forms/{form}/results/"
    return base + (path or f"releases/{release.pk}/candidate")


def compute(client, release, capture):
    """The DPO's request, its computation run as after commit (in-process, no broker)."""
    with capture(execute=True):
        response = client.post(url(release))
    assert response.status_code == 202, response.content
    return client.get(url(release)).json()


def test_the_dpo_sees_the_tables_of_a_candidate_before_approving_and_approval_publishes_them(
    api, candidate, dpo, analyst, django_capture_on_commit_callbacks
):
    """What the DPO reviews is what analysts get: the report before approval equals the
    report of the tables approval publishes, computed afresh from the frozen records."""
    client = api.as_user(dpo)
    assert client.get(url(candidate)).json()["state"] == "none"

    body = compute(client, candidate, django_capture_on_commit_callbacks)

    assert body["state"] == "built"
    assert body["content_hash"] == candidate.content_hash
    records = body["report"]["records"]
    assert {"geography", "time", "cells", "primary", "secondary"} <= set(records[0])
    tables = body["report"]["tables"]
    assert sum(lv["primary"] for t in tables for lv in t["levels"]) > 0  # e.g. the lone 71
    # The copy it was computed from was rolled back; analysts read nothing of the candidate.
    assert not ReleasedRecord.objects.filter(release=candidate).exists()
    shown = api.as_user(analyst).get(url(candidate, "lattice")).json()
    assert shown["state"] == "none"
    assert shown["report"] is None
    assert api.as_user(analyst).get(url(candidate)).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)

    lattice = Lattice.objects.get(release=candidate)
    assert (lattice.state, lattice.preview) == (Lattice.State.BUILT, False)
    assert lattice.report == body["report"]  # adopted, not computed again
    Lattice.objects.filter(pk=lattice.pk).delete()
    assert build(candidate).report == body["report"]  # and the same as computing it now
    published = api.as_user(analyst).get(url(candidate, "lattice")).json()
    assert published["state"] == "built"
    assert published["release"] == candidate.pk


def test_opening_a_candidate_computes_its_tables_for_the_dpo(
    api, candidate, dpo, submit, django_capture_on_commit_callbacks
):
    """The DPO need not ask: once a candidate's opening commits, its tables are computed
    (here in-process; with a broker by a worker), and its page and the API show the report."""
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:cand-more", age="35", sex="female"))
    with django_capture_on_commit_callbacks(execute=True):
        newer = release_open(form=candidate.form, user=dpo)

    body = api.as_user(dpo).get(url(newer)).json()

    assert body["state"] == "built"
    assert body["content_hash"] == newer.content_hash
    assert body["report"]["tables"]


def test_a_withholding_during_review_makes_the_report_stale_and_approval_computes_again(
    api, candidate, dpo, analyst, django_capture_on_commit_callbacks
):
    """A report computed before a record was withheld counts that record: it is not shown as
    the candidate's, and approval does not publish those tables."""
    client = api.as_user(dpo)
    before = compute(client, candidate, django_capture_on_commit_callbacks)
    record = AnonymisedRecord.objects.filter(form=candidate.form).first()
    outcome = record_withhold(record=record, user=dpo, reason="asked to be left out")
    assert outcome.kept  # the review stands, with a new content hash
    candidate.refresh_from_db()

    stale = client.get(url(candidate)).json()

    assert stale["state"] == "stale"
    assert stale["report"] is None
    assert stale["may_compute"] is True
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)
    lattice = Lattice.objects.get(release=candidate)
    assert (lattice.state, lattice.preview, lattice.basis) == (Lattice.State.BUILT, False, "")
    assert before["report"] is not None  # what was computed for twelve records
    table = api.as_user(analyst).get(url(candidate, "table?row=sex")).json()
    assert table["total"] == 11  # analysts read the eleven records approved, not twelve


def test_a_threshold_changed_after_computing_makes_the_report_stale(
    api, candidate, dpo, django_capture_on_commit_callbacks
):
    client = api.as_user(dpo)
    compute(client, candidate, django_capture_on_commit_callbacks)
    project = candidate.form.project
    project.cell_threshold = 10
    project.save(update_fields=["cell_threshold"])

    body = client.get(url(candidate)).json()

    assert (body["state"], body["report"], body["threshold"]) == ("stale", None, 10)


def test_asking_again_for_current_tables_is_refused(
    api, candidate, dpo, django_capture_on_commit_callbacks
):
    client = api.as_user(dpo)
    compute(client, candidate, django_capture_on_commit_callbacks)

    again = client.post(url(candidate))

    assert again.status_code == 409
    assert again.json()["code"] == "results.preview_refused"


def test_the_candidate_page_computes_and_shows_the_report(
    client, candidate, dpo, django_capture_on_commit_callbacks
):
    """The DPO's candidate page: a button computes the tables, then the page shows cells
    withheld per table (primary, secondary), before the approve button is pressed."""
    client.force_login(dpo)
    project, form = candidate.form.project_id, candidate.form.form_id
    page = f"/projects/{project}/privacy/{form}/releases/{candidate.pk}"
    before = client.get(page).content.decode()
    assert 'id="lattice-candidate-compute"' in before

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/projects/{project}/results/{form}/releases/{candidate.pk}/candidate"
        )
    after = client.get(page).content.decode()

    assert response.status_code == 302
    assert 'id="lattice-candidate-report"' in after
    assert "Primary" in after
    assert "Secondary" in after
    assert 'id="lattice-candidate-compute"' not in after  # current: nothing to compute
    assert 'id="approve"' in after


def test_the_tables_of_a_replaced_candidate_are_dropped(
    api, candidate, dpo, submit, django_capture_on_commit_callbacks
):
    """A superseded candidate can never be approved: its tables do not stay in the database
    once the new candidate's are computed."""
    client = api.as_user(dpo)
    compute(client, candidate, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:cand-late", age="34", sex="male"))
    newer = release_open(form=candidate.form, user=dpo)

    compute(client, newer, django_capture_on_commit_callbacks)

    assert list(Lattice.objects.values_list("release_id", flat=True)) == [newer.pk]
    assert client.get(url(candidate)).json()["state"] == "none"


def test_moving_a_service_point_makes_the_candidates_tables_stale(candidate):
    """The places' hierarchy is read live when tables are computed: after a service point moves
    to another National Society, a candidate's tables no longer describe what approval would
    publish, and approval must not adopt them (outside review)."""
    from accounts.models import NationalSociety
    from results.lattice.build import basis

    before = basis(candidate)
    point = candidate.form.project.service_points.first()
    point.national_society = NationalSociety.objects.create(name="Zz other", country="IT")
    point.save(update_fields=["national_society"])

    assert basis(candidate) != before


def test_an_approved_release_left_with_its_candidates_tables_is_built_again(
    candidate, dpo, monkeypatch
):
    """If the approval's build never ran (a broker down), the release would keep its
    candidate's tables, unread by analysts, for good: a read a minute later queues the build
    that adopts them, and the DPO may retry at once (outside review)."""
    from datetime import timedelta

    from django.utils import timezone

    from results.lattice import status, store

    Lattice.objects.update_or_create(  # the candidate's tables, as computed on open
        release=candidate,
        defaults={"threshold": 5, "preview": True, "state": Lattice.State.BUILT},
    )
    monkeypatch.setattr(store, "lattice_queue", lambda release_id: queued.append(release_id))
    queued: list[int] = []
    release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)  # lost

    store.reading(candidate.form)
    assert queued == []  # the approval's own build may still be on its way
    type(candidate).objects.filter(pk=candidate.pk).update(
        approved_at=timezone.now() - timedelta(minutes=2)
    )
    store.reading(candidate.form)
    assert queued == [candidate.pk]
    assert status.may_retry(Lattice.objects.get(release=candidate))


def test_records_added_since_opening_show_the_candidate_as_out_of_date(
    api, candidate, dpo, submit, django_capture_on_commit_callbacks
):
    """Leftover of issue 13: a record submitted (and checked by disclosure control) after the
    candidate was opened left its report shown as current, though approval would be refused as
    changed. The DPO now sees the candidate as changed, with no report and nothing to compute
    (a new candidate must be opened), exactly when approval would refuse it."""
    client = api.as_user(dpo)
    assert compute(client, candidate, django_capture_on_commit_callbacks)["state"] == "built"
    with django_capture_on_commit_callbacks(execute=True):  # anonymised, then checked
        submit(privacy_instance("uuid:cand-after", age="35", sex="female"))

    body = client.get(url(candidate)).json()
    again = client.post(url(candidate))

    assert (body["state"], body["report"], body["may_compute"]) == ("changed", None, False)
    assert again.status_code == 409
    assert again.json()["code"] == "results.preview_refused"
    assert "Open a new candidate" in again.json()["detail"]
    with pytest.raises(ReleaseChanged):  # the same check approval makes
        release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)


def test_the_candidates_currency_is_read_from_the_records_only_when_they_may_have_changed(
    api, candidate, dpo, submit, django_capture_on_commit_callbacks, monkeypatch
):
    """The candidate's page stays cheap: views of an unchanged candidate do not hash every
    record again (approval's check is remembered), while a record checked since is noticed at
    the next view."""
    from privacy.review import current

    client = api.as_user(dpo)
    compute(client, candidate, django_capture_on_commit_callbacks)
    assert client.get(url(candidate)).json()["state"] == "built"
    checks: list[int] = []
    unchanged = current.release_unchanged
    monkeypatch.setattr(
        current,
        "release_unchanged",
        lambda release: checks.append(release.pk) or unchanged(release),
    )

    views = [client.get(url(candidate)).json()["state"] for _ in range(3)]
    assert (views, checks) == (["built"] * 3, [])
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:cand-later", age="36", sex="male"))
    views = [client.get(url(candidate)).json()["state"] for _ in range(2)]

    assert (views, checks) == (["changed"] * 2, [candidate.pk])


def test_the_candidate_page_says_an_out_of_date_candidate_must_be_opened_again(
    client, candidate, dpo, submit, django_capture_on_commit_callbacks
):
    """On the candidate's page: the out-of-date candidate says so, offers no report and no
    computation but a button that opens a new candidate, whose tables are then shown."""
    client.force_login(dpo)
    with django_capture_on_commit_callbacks(execute=True):
        submit(privacy_instance("uuid:cand-page", age="37", sex="female"))
    project, form = candidate.form.project_id, candidate.form.form_id

    html = client.get(f"/projects/{project}/privacy/{form}/releases/{candidate.pk}").content
    html = html.decode()
    assert "This candidate is out of date." in html
    assert 'id="lattice-candidate-report"' not in html
    assert 'id="lattice-candidate-compute"' not in html
    assert 'id="lattice-candidate-reopen"' in html
    with django_capture_on_commit_callbacks(execute=True):
        opened = client.post(f"/projects/{project}/privacy/{form}/releases")
    newer = client.get(opened.url).content.decode()

    assert opened.url != f"/projects/{project}/privacy/{form}/releases/{candidate.pk}"
    assert "This candidate is out of date." not in newer
    assert 'id="lattice-candidate-report"' in newer


def test_records_anonymised_again_under_new_rules_show_the_candidate_as_out_of_date(
    api, candidate, dpo, privacy_form, django_capture_on_commit_callbacks
):
    """A rules change after the candidate was opened (its records anonymised again, the
    stories dropped) leaves the candidate's hash as it was: the DPO sees it as changed, as
    approval would refuse it."""
    from privacy.review import rules_change

    client = api.as_user(dpo)
    compute(client, candidate, django_capture_on_commit_callbacks)
    change = {"path": "/data/story", "classification": "drop", "generalisers": []}
    with django_capture_on_commit_callbacks(execute=True):
        rules_change(version=privacy_form, user=dpo, changes=[change], reason="stories out")

    assert client.get(url(candidate)).json()["state"] == "changed"
    with pytest.raises(ReleaseChanged):
        release_approve(release=candidate, user=dpo, approved_hash=candidate.content_hash)


def test_a_page_holding_an_older_copy_of_the_candidate_does_not_call_it_out_of_date(
    privacy_form, dpo, django_capture_on_commit_callbacks, submit
):
    """A view that loaded the candidate before a withholding was kept in the review (which
    changes the candidate's hash) must not remember "out of date" for the candidate as it now
    is: the records are compared with the hash read with the cache key."""
    from privacy.models import Release
    from privacy.review.current import release_current

    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:copy{n}", age=str(30 + n)))
    with django_capture_on_commit_callbacks(execute=True):
        release = release_open(form=privacy_form.form, user=dpo)
    older = Release.objects.get(pk=release.pk)
    older.content_hash = "a-hash-a-withholding-made"  # the copy a slower request still holds

    assert release_current(older) is True
    assert release_current(Release.objects.get(pk=release.pk)) is True
