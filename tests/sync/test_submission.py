"""Submissions from devices that retry whatever they did not see succeed: every rule is about
never losing data and never leaving a tablet stuck. Hostile and malformed submissions are in
tests/hostile."""

import hashlib
from datetime import UTC, datetime

import pytest
from defusedxml.ElementTree import fromstring

from forms.models import Form
from forms.services import form_upload
from sync import quarantine
from sync.models import ConflictingCopy, Submission
from sync.signals import submission_completed
from tests.samples import PHOTO_FORM, device_url, instance_xml
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db
RESPONSE_NS = "{http://openrosa.org/http/response}"


def message(response) -> str:
    root = fromstring(response.content)
    assert root.tag == f"{RESPONSE_NS}OpenRosaResponse"
    return root.findtext(f"{RESPONSE_NS}message")


@pytest.fixture
def completed():
    """Submission ids announced as complete (what the privacy stage will listen to)."""
    seen = []

    def receiver(sender, submission_id, **kwargs):
        seen.append(submission_id)

    submission_completed.connect(receiver)
    yield seen
    submission_completed.disconnect(receiver)


def test_head_answers_204_with_the_accepted_length(client, device, settings):
    response = client.head(device_url(device, "submission"), HTTP_X_OPENROSA_VERSION="1.0")

    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == str(
        settings.WAYPOINT_SUBMISSION_MAX_BYTES
    )
    assert response["X-OpenRosa-Version"] == "1.0"


def test_a_post_filled_exactly_to_the_advertised_limit_is_accepted(submit, photo_form, settings):
    """Collect fills a POST up to X-OpenRosa-Accept-Content-Length counting only the XML and
    file bytes; the multipart framing on top must not turn it into a 413 it would retry
    forever (found by the soak benchmark)."""
    xml = instance_xml(instance_id="uuid:at-limit", photo="p.jpg")
    settings.WAYPOINT_SUBMISSION_MAX_BYTES = len(xml) + 40_000

    at_limit = submit(xml, {"p.jpg": b"x" * 40_000})
    over = submit(instance_xml(instance_id="uuid:over", photo="p.jpg"), {"p.jpg": b"x" * 40_100})

    assert at_limit.status_code == 201
    assert over.status_code == 413
    assert b"accepts up to" in over.content


def test_a_full_disk_answers_503_and_keeps_nothing_half_stored(submit, photo_form, monkeypatch):
    """Storage failing under an upload (a full disk, S3 out of reach): the tablet is told to try
    again later in words Collect shows, and nothing is acknowledged or half-kept."""

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(quarantine, "store_attachment", full)

    response = submit(instance_xml(instance_id="uuid:full", photo="p.jpg"), {"p.jpg": b"jpeg"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"<OpenRosaResponse" in response.content
    assert not Submission.objects.exists()


def test_new_submission_is_stored_exactly_and_sealed(
    submit, photo_form, device, completed, django_capture_on_commit_callbacks
):
    xml = instance_xml(instance_id="uuid:1")

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(xml)

    assert response.status_code == 201
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert "received" in message(response)
    submission = Submission.objects.get()
    assert xml not in bytes(submission.xml_sealed)  # sealed at rest
    assert b"Amina" not in bytes(submission.xml_sealed)
    raw = quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity="uuid:1"
    )
    assert raw == xml
    assert submission.xml_sha256 == hashlib.sha256(xml).hexdigest()
    assert submission.device == device
    assert submission.service_point == device.service_point
    assert submission.user_agent == "org.odk.collect.android/v2026.1.0"
    assert submission.client_start == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert submission.client_end is not None
    assert submission.complete
    assert completed == [submission.pk]


def test_identical_retry_is_not_a_new_record(submit, photo_form):
    xml = instance_xml(instance_id="uuid:2")
    submit(xml)

    response = submit(xml)

    assert response.status_code == 201
    assert "already received" in message(response)
    assert Submission.objects.count() == 1


def test_uniqueness_is_per_form(submit, photo_form, project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    other = {**PHOTO_FORM, "settings": [["form_id", "version"], ["household2", "1"]]}
    form_upload(project=project, filename="h2.xlsx", data=xlsx(other))

    submit(instance_xml(instance_id="uuid:same"))
    response = submit(instance_xml(form_id="household2", instance_id="uuid:same"))

    assert response.status_code == 201
    assert Submission.objects.count() == 2


def test_attachments_over_several_posts_complete_the_submission(
    submit, photo_form, completed, django_capture_on_commit_callbacks
):
    xml = instance_xml(instance_id="uuid:3", photo="face.jpg", docs=("doc1.jpg", "doc2.jpg"))

    with django_capture_on_commit_callbacks(execute=True):
        first = submit(xml, {"face.jpg": b"JPEG1"})
    assert first.status_code == 201
    assert "Waiting for 2 more file(s)" in message(first)
    assert not Submission.objects.get().complete
    assert completed == []

    with django_capture_on_commit_callbacks(execute=True):
        second = submit(xml, {"doc1.jpg": b"JPEG2", "doc2.jpg": b"JPEG3"})

    submission = Submission.objects.get()
    assert second.status_code == 201
    assert submission.complete
    assert completed == [submission.pk]
    stored = {a.name: quarantine.read_attachment(a.file.name) for a in submission.attachments.all()}
    assert stored == {"face.jpg": b"JPEG1", "doc1.jpg": b"JPEG2", "doc2.jpg": b"JPEG3"}


def test_files_the_xml_does_not_name_are_not_kept(submit, photo_form):
    submit(instance_xml(instance_id="uuid:4"), {"stray.jpg": b"x"})

    assert Submission.objects.get().attachments.count() == 0


def test_different_xml_under_the_same_instance_id_is_kept_as_a_conflict(submit, photo_form):
    submit(instance_xml(instance_id="uuid:6", name="Amina"))

    response = submit(instance_xml(instance_id="uuid:6", name="Amina B."))

    assert response.status_code == 201
    assert "Both versions are kept" in message(response)
    submission = Submission.objects.get()
    assert submission.has_conflict
    copy = ConflictingCopy.objects.get()
    assert copy.submission == submission
    assert Submission.objects.count() == 1
    raw = quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity="uuid:6"
    )
    assert b"<full_name>Amina</full_name>" in raw  # the first, possibly processed, is unchanged
    again = submit(instance_xml(instance_id="uuid:6", name="Amina B."))
    assert again.status_code == 201
    assert ConflictingCopy.objects.count() == 1


def test_edit_is_a_new_version_with_attachments_carried_forward(submit, photo_form):
    submit(instance_xml(instance_id="uuid:7", photo="face.jpg"), {"face.jpg": b"JPEG"})

    response = submit(
        instance_xml(instance_id="uuid:7b", deprecated_id="uuid:7", photo="face.jpg", age="35")
    )

    assert response.status_code == 201
    edit = Submission.objects.get(instance_id="uuid:7b")
    assert edit.deprecates.instance_id == "uuid:7"
    assert edit.root_instance_id == "uuid:7"
    assert edit.complete
    assert quarantine.read_attachment(edit.attachments.get().file.name) == b"JPEG"


def test_edit_of_an_unknown_submission_is_not_found(submit, photo_form):
    response = submit(instance_xml(instance_id="uuid:8b", deprecated_id="uuid:never"))

    assert response.status_code == 404
    assert "never received" in message(response)
    assert not Submission.objects.exists()


def test_submission_without_instance_id_is_identified_by_its_hash(submit, photo_form):
    xml = instance_xml(instance_id="")

    submit(xml)
    submit(xml)

    submission = Submission.objects.get()
    assert submission.instance_id == "sha256:" + hashlib.sha256(xml).hexdigest()


def test_unknown_form_or_version_is_not_found(submit, photo_form):
    unknown_form = submit(instance_xml(form_id="nope"))
    unknown_version = submit(instance_xml(version="99"))

    assert unknown_form.status_code == 404
    assert unknown_version.status_code == 404
    assert "Get the latest blank forms" in message(unknown_version)
    assert not Submission.objects.exists()


def test_closed_form_is_refused_with_a_clear_message(submit, photo_form):
    Form.objects.update(state="closed")

    response = submit(instance_xml())

    assert response.status_code == 409
    assert "closed" in message(response)


def test_closing_form_still_accepts(submit, photo_form):
    Form.objects.update(state="closing")

    assert submit(instance_xml()).status_code == 201


def test_unassigned_form_is_refused_to_a_restricted_device(submit, photo_form, device):
    device.all_forms = False
    device.save()

    assert submit(instance_xml()).status_code == 404


def test_get_on_submission_is_not_allowed(client, device, photo_form):
    response = client.get(device_url(device, "submission"), HTTP_X_OPENROSA_VERSION="1.0")

    assert response.status_code == 405


def test_collect_device_id_is_recorded(submit, photo_form, device):
    submit(instance_xml(), url=device_url(device, "submission") + "?deviceID=collect:abc123")

    assert Submission.objects.get().client_device_id == "collect:abc123"


def test_nonsense_client_times_do_not_refuse_the_submission(submit, photo_form):
    xml = instance_xml().replace(b"2026-11-20T09:00:00.000+01:00", b"2026-13-45T99:00:00")

    assert submit(xml).status_code == 201
    assert Submission.objects.get().client_start is None


def test_form_manager_can_submit_with_basic_auth(submit, photo_form, project, form_manager):
    import base64

    credentials = base64.b64encode(f"{form_manager.username}:correct horse battery staple".encode())

    response = submit(
        instance_xml(),
        url=f"/projects/{project.pk}/submission",
        HTTP_AUTHORIZATION=f"Basic {credentials.decode()}",
    )

    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.submitted_by == form_manager
    assert submission.device is None
