"""Opening and approving a release are background tasks with a broker (issue 19): the DPO's
request returns at once (202) with the candidate's job and its progress; refusals that need no
work still come at once (409 with their code); a refusal the work finds is shown on the job,
and nothing changed; two approvals racing: the second is refused (409) while the first runs."""

import pytest

from privacy import tasks
from privacy.models import AnonymisedRecord, RecordVerdict, Release, ReleasedRecord
from privacy.review import jobs
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(submit, privacy_form, django_capture_on_commit_callbacks):
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(f"uuid:job{n}", age=str(30 + n))).status_code == 201
    return list(AnonymisedRecord.objects.order_by("created_at"))


@pytest.fixture
def queued(settings, monkeypatch):
    """A broker: tasks are queued (here: listed), not run in the request."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list[int] = []
    monkeypatch.setattr(tasks.release_job, "delay", sent.append)  # as privacy.receivers sends
    return sent


def base(project) -> str:
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/releases"


def test_opening_and_approving_return_at_once_and_show_progress(api, project, dpo, records, queued):
    client = api.as_user(dpo)
    opening = client.post(base(project))

    assert opening.status_code == 202
    assert opening.json()["state"] == "opening"
    assert opening.json()["job"]["kind"] == "open"
    assert opening.json()["job"]["finished_at"] is None
    busy = client.post(base(project))
    assert (busy.status_code, busy.json()["code"]) == (409, "release.busy")

    tasks.release_job(queued.pop())  # the worker
    opened = client.get(f"{base(project)}/{opening.json()['id']}").json()
    assert opened["state"] == "open"
    assert opened["records"] == len(records)
    assert (opened["job"]["progress"], opened["job"]["step"]) == (100, "Done")

    url = f"{base(project)}/{opened['id']}/approve"
    approving = client.post(url, {"content_hash": opened["content_hash"]}, format="json")
    assert approving.status_code == 202
    assert (approving.json()["state"], approving.json()["job"]["kind"]) == ("open", "approve")
    again = client.post(url, {"content_hash": opened["content_hash"]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "release.busy")
    assert not ReleasedRecord.objects.exists()

    tasks.release_job(queued.pop())
    approved = client.get(f"{base(project)}/{opened['id']}").json()
    assert approved["state"] == "approved"
    assert ReleasedRecord.objects.count() == len(records)
    assert AnonymisedRecord.objects.released().count() == len(records)
    assert not queued


def test_refusals_that_need_no_work_come_at_once(api, project, dpo, records, queued):
    client = api.as_user(dpo)
    tasks.release_job(client.post(base(project)).json() and queued.pop())
    release = Release.objects.get()

    url = f"{base(project)}/{release.pk}/approve"
    stale = client.post(url, {"content_hash": "0" * 64}, format="json")

    assert (stale.status_code, stale.json()["code"]) == (409, "release.stale_hash")
    assert not queued
    assert not release.jobs.filter(kind="approve").exists()


def test_a_refusal_found_by_the_work_is_shown_and_changes_nothing(
    api, project, dpo, records, queued
):
    client = api.as_user(dpo)
    tasks.release_job(client.post(base(project)).json() and queued.pop())
    release = Release.objects.get()
    url = f"{base(project)}/{release.pk}/approve"
    client.post(url, {"content_hash": release.content_hash}, format="json")
    # Between the request and the worker, a record changes: the copy is not what was reviewed.
    RecordVerdict.objects.filter(record=records[0]).update(suppressed=["age"])

    tasks.release_job(queued.pop())

    shown = client.get(f"{base(project)}/{release.pk}").json()
    assert shown["state"] == "open"
    assert shown["job"]["problem"]["code"] == "release.changed"
    assert not ReleasedRecord.objects.exists()
    assert jobs.latest_job(release).finished_at is not None  # the form is free again


def test_in_process_tasks_answer_with_the_outcome(api, project, dpo, records):
    """Without a broker (the embedded default) the work is done in the request: 201, then a
    refusal found by the work is the request's own answer, and leaves no candidate behind."""
    client = api.as_user(dpo)
    opened = client.post(base(project))
    assert (opened.status_code, opened.json()["state"]) == (201, "open")
    url = f"{base(project)}/{opened.json()['id']}/approve"
    approved = client.post(url, {"content_hash": opened.json()["content_hash"]}, format="json")
    assert (approved.status_code, approved.json()["state"]) == (200, "approved")

    refused = client.post(base(project))

    assert (refused.status_code, refused.json()["code"]) == (409, "release.nothing_new")
    assert Release.objects.count() == 1


def test_a_job_that_crashes_ends_failed_and_frees_the_form(
    api, project, dpo, records, queued, monkeypatch
):
    """Review finding: a bug inside the work left the job running, so the form refused every
    release with release.busy for half an hour and the placeholder stayed "opening"."""
    client = api.as_user(dpo)
    opening = client.post(base(project)).json()

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(jobs, "release_open", broken)
    with pytest.raises(RuntimeError):
        tasks.release_job(queued.pop())

    failed = client.get(f"{base(project)}/{opening['id']}").json()
    assert failed["state"] == "refused"
    assert failed["job"]["finished_at"] is not None
    assert failed["job"]["problem"]["code"] == "release.failed"
    monkeypatch.undo()
    again = client.post(base(project))
    assert again.status_code == 202, again.json()
