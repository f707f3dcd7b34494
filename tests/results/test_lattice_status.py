"""A newer release whose tables are being computed, or failed to be (issue 13): analysts never
keep reading tables that count records the DPO removed, records downloads name the same release
as the tables, and the DPO sees a failure with its error and retries it."""

import pytest

from audit.models import AuditEvent
from results.models import Lattice
from tests.factories import microdata_approve
from tests.results.lattice_release import ERROR, newer_release

pytestmark = pytest.mark.django_db


def url(project, path="table?row=sex"):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/{path}"


@pytest.mark.parametrize("debug", [True, False])
def test_tables_of_a_release_that_removed_records_are_not_read_while_it_is_rebuilt(
    api, project, analyst, dpo, released_form, settings, debug
):
    """An erasure must not stay readable in the previous release's tables: 503, Retry-After
    (the same answer with DEBUG off, as in production)."""
    settings.DEBUG = debug
    older, newer = newer_release(released_form, dpo, removed=2, state=Lattice.State.BUILDING)
    microdata_approve(older)

    client = api.as_user(analyst)
    table = client.get(url(project))
    records = client.get(url(project, "records.csv"))

    assert table.status_code == 503
    assert table["Retry-After"] == "30"
    assert table.json()["code"] == "results.being_rebuilt"
    assert f"release {newer.pk}" in table.json()["detail"]
    assert records.status_code == 503  # nor the records of the release the tables left
    assert records.json()["code"] == "results.being_rebuilt"


def test_tables_that_failed_to_compute_say_so_without_asking_to_retry_in_a_minute(
    api, project, analyst, dpo, released_form
):
    """A failed computation does not mend itself: analysts are told it failed and that their
    DPO can compute it again, with no Retry-After that would have them wait for nothing."""
    _, newer = newer_release(released_form, dpo, removed=2)

    response = api.as_user(analyst).get(url(project))

    assert response.status_code == 503
    assert "Retry-After" not in response
    assert response.json()["code"] == "results.being_rebuilt"
    assert "could not be computed" in response.json()["detail"]
    assert f"release {newer.pk}" in response.json()["detail"]


def test_a_release_that_only_added_records_leaves_the_older_tables_readable_saying_so(
    api, project, analyst, dpo, released_form
):
    older, newer = newer_release(released_form, dpo, removed=0, state=Lattice.State.BUILDING)

    response = api.as_user(analyst).get(url(project))

    assert response.status_code == 200
    assert response.json()["total"] == 12
    assert response["X-Waypoint-Release"] == str(older.pk)
    assert response["X-Waypoint-Pending-Release"] == str(newer.pk)


def test_records_come_from_the_release_the_tables_come_from(
    api, project, analyst, dpo, released_form
):
    """Finding: records.csv read the latest approved release while tables read the previous
    one, so the two disagreed. While the newer release (no records file approved) is computed,
    both read the older one; once it is built, both read the newer one."""
    older, newer = newer_release(released_form, dpo, removed=0, state=Lattice.State.BUILDING)
    microdata_approve(older)
    client = api.as_user(analyst)

    meanwhile = client.get(url(project, "records.csv"))
    Lattice.objects.filter(release=newer).delete()  # computed on the next read
    afterwards = client.get(url(project, "records.csv"))

    assert meanwhile.status_code == 200
    assert meanwhile["X-Waypoint-Release"] == str(older.pk)  # named, as the tables name it
    assert meanwhile["X-Waypoint-Pending-Release"] == str(newer.pk)
    assert len(b"".join(meanwhile.streaming_content).decode().strip().splitlines()) == 13
    assert afterwards.status_code == 403
    assert afterwards.json()["code"] == "microdata.not_approved"
    assert str(newer.pk) in afterwards.json()["detail"]


def test_the_lattice_state_says_what_analysts_read_and_the_error_to_the_dpo_only(
    api, project, analyst, dpo, released_form
):
    _, newer = newer_release(released_form, dpo, removed=1)

    for_dpo = api.as_user(dpo).get(url(project, "lattice")).json()
    for_analyst = api.as_user(analyst).get(url(project, "lattice")).json()

    assert for_dpo["state"] == "rebuilding"
    assert for_dpo["pending"] == {"release": newer.pk, "state": "failed", "error": ERROR}
    assert for_analyst["pending"]["error"] is None
    assert for_analyst["release"] is None


def test_the_dpo_sees_a_failed_computation_on_the_release_page_and_retries_it(
    client, project, analyst, dpo, released_form, django_capture_on_commit_callbacks
):
    _, newer = newer_release(released_form, dpo, removed=1)
    client.force_login(dpo)
    page = f"/projects/{project.pk}/privacy/privacy_test/releases/{newer.pk}"

    before = client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(
            f"/projects/{project.pk}/results/privacy_test/releases/{newer.pk}/retry"
        )

    assert 'id="lattice-error"' in before
    assert "lattice too large" in before
    assert 'id="lattice-retry"' in before
    assert retried.status_code == 302
    assert Lattice.objects.get(release=newer).state == Lattice.State.BUILT  # built in-process
    assert AuditEvent.objects.filter(action="lattice.retry").count() == 1
    client.force_login(analyst)
    assert client.get(f"/projects/{project.pk}/results/privacy_test/").status_code == 200


def test_a_retry_is_refused_for_tables_built_or_being_computed(
    api, project, dpo, released_form, django_capture_on_commit_callbacks
):
    _, newer = newer_release(released_form, dpo, removed=1)
    retry = url(project, f"releases/{newer.pk}/retry")

    with django_capture_on_commit_callbacks(execute=True):
        first = api.as_user(dpo).post(retry)
    again = api.as_user(dpo).post(retry)

    assert first.status_code == 202
    assert Lattice.objects.get(release=newer).state == Lattice.State.BUILT
    assert again.status_code == 409
    assert again.json()["code"] == "results.retry_refused"


def test_analysts_pages_say_results_are_being_rebuilt_and_show_none(
    client, project, analyst, dpo, released_form, settings
):
    """DEBUG off, as in production: the page says so, the records zip answers 503."""
    settings.DEBUG = False
    _, newer = newer_release(released_form, dpo, removed=1, state=Lattice.State.BUILDING)
    client.force_login(analyst)

    page = client.get(f"/projects/{project.pk}/results/privacy_test/")
    archive = client.get(f"/projects/{project.pk}/results/privacy_test/records.zip")

    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="results-rebuilding"' in body
    assert f"release #{newer.pk}" in body
    assert 'class="chart' not in body
    assert archive.status_code == 503
    assert archive["Retry-After"] == "30"


def test_the_older_release_shown_meanwhile_is_named_on_the_page(
    client, project, analyst, dpo, released_form
):
    older, newer = newer_release(released_form, dpo, removed=0, state=Lattice.State.BUILDING)
    client.force_login(analyst)

    body = client.get(f"/projects/{project.pk}/results/privacy_test/").content.decode()

    assert 'id="release-building"' in body
    assert f"Showing release #{older.pk} while release #{newer.pk} is prepared" in body


def test_monitoring_counts_failed_computations_without_failing_readiness(
    client, dpo, released_form
):
    newer_release(released_form, dpo, removed=1)

    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["lattices"] == "failed: 1"
    assert "lattice too large" not in response.content.decode()  # a public probe: no errors
