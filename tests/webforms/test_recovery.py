"""The DPO recovers a revoked web tablet's unsent forms from the file the tablet exported.
Protects: every submission is stored once, attributed to the tablet, exactly as the outbox would
have sent it (a second upload or a copy the tablet did send adds nothing; a different XML under
a taken instanceID is kept as a conflicting copy; an edit is an edit); the upload is audited;
a file that is not a recovery file, is cut short, was altered, or belongs to another project is
refused whole with its own code and stores nothing; only a DPO of the project may upload."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Device
from accounts.provisioning import device_create, device_revoke
from audit.models import AuditEvent
from forms.models import Form
from forms.services import form_upload
from lib.problems import Problem
from sync import quarantine
from sync.models import Attachment, Submission
from tests.factories import ServicePointFactory
from tests.samples import PHOTO_FORM, instance_xml
from tests.webforms.recovery_file import encode, recovery_document
from tests.xlsform import xlsx
from webforms import recovery_views
from webforms.recovery import recovery_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM))
    device, _token = device_create(
        project=project,
        service_point=ServicePointFactory(project=project),
        name="Web tablet 3",
        kind=Device.Kind.WEB,
    )
    device_revoke(device=device)
    return Device.objects.get(pk=device.pk)


def upload(api, user, project, data: bytes):
    return api.as_user(user).post(
        f"/api/v1/projects/{project.pk}/recovery",
        {"file": SimpleUploadedFile("waypoint-recovery.json", data, "application/json")},
        format="multipart",
    )


def three(project, device):
    items = [
        ("uuid:r1", instance_xml(instance_id="uuid:r1", name="Salma", photo="p1.jpg"), {}),
        ("uuid:r2", instance_xml(instance_id="uuid:r2", name="Amadou"), {}),
        ("uuid:r3", instance_xml(instance_id="uuid:r3", name="Lina"), {}),
    ]
    items[0][2]["p1.jpg"] = b"\xff\xd8 a photo"
    return items, encode(recovery_document(project.pk, device.pk, items))


def test_each_submission_is_stored_once_attributed_to_the_tablet_and_audited(
    api, dpo, project, revoked
):
    items, data = three(project, revoked)

    first = upload(api, dpo, project, data)

    assert first.status_code == 200, first.json()
    body = first.json()
    assert (body["stored"], body["duplicates"], body["refused"]) == (3, 0, 0)
    assert body["device"] == {"id": revoked.pk, "name": "Web tablet 3", "revoked": True}
    stored = {s.instance_id: s for s in Submission.objects.all()}
    for instance_id, xml, _media in items:
        raw = quarantine.unseal_xml(
            stored[instance_id].xml_sealed, form_pk=stored[instance_id].form_id,
            identity=instance_id,
        )  # fmt: skip
        assert raw == xml, "byte for byte what the outbox would have sent"
        assert stored[instance_id].device == revoked
        assert stored[instance_id].service_point == revoked.service_point
        assert stored[instance_id].submitted_by == dpo
        assert stored[instance_id].complete
    photo = Attachment.objects.get(name="p1.jpg")
    assert quarantine.read_attachment(photo.file.name) == b"\xff\xd8 a photo"
    event = AuditEvent.objects.get(action="webforms.recovered")
    assert event.actor == dpo
    assert event.target == "Web tablet 3"
    assert (event.details["stored"], event.details["revoked"]) == (3, True)

    again = upload(api, dpo, project, data).json()
    assert (again["stored"], again["duplicates"]) == (0, 3), "a second upload adds nothing"
    assert Submission.objects.count() == 3


def test_a_copy_already_sent_is_a_duplicate_and_a_different_xml_a_conflict(
    api, dpo, project, revoked, submit
):
    assert submit(instance_xml(instance_id="uuid:sent")).status_code == 201
    assert submit(instance_xml(instance_id="uuid:other", name="First")).status_code == 201
    items = [
        ("uuid:sent", instance_xml(instance_id="uuid:sent"), {}),
        ("uuid:other", instance_xml(instance_id="uuid:other", name="Changed"), {}),
        ("uuid:mine", instance_xml(instance_id="uuid:mine"), {}),
        ("uuid:edit", instance_xml(instance_id="uuid:edit", deprecated_id="uuid:mine"), {}),
    ]

    body = upload(api, dpo, project, encode(recovery_document(project.pk, revoked.pk, items)))

    outcomes = {i["instance_id"]: i["outcome"] for i in body.json()["items"]}
    assert outcomes == {
        "uuid:sent": "duplicate",
        "uuid:other": "conflict",
        "uuid:mine": "stored",
        "uuid:edit": "stored",
    }
    assert Submission.objects.get(instance_id="uuid:other").conflicting_copies.count() == 1
    assert Submission.objects.get(instance_id="uuid:edit").deprecates.instance_id == "uuid:mine"


def test_a_recovered_edit_of_another_devices_submission_is_refused(
    api, dpo, project, revoked, submit
):
    """The recovery key is public, so a forged file must not replace a submission another
    tablet sent: such an edit is refused on its own, and the original stays current."""
    assert submit(instance_xml(instance_id="uuid:theirs")).status_code == 201
    items = [
        ("uuid:ok", instance_xml(instance_id="uuid:ok"), {}),
        ("uuid:forged", instance_xml(instance_id="uuid:forged", deprecated_id="uuid:theirs"), {}),
    ]

    body = upload(api, dpo, project, encode(recovery_document(project.pk, revoked.pk, items)))

    codes = {i["instance_id"]: (i["outcome"], i.get("code")) for i in body.json()["items"]}
    assert codes == {
        "uuid:ok": ("stored", None),
        "uuid:forged": ("refused", "recovery.edit_of_another_device"),
    }
    assert not Submission.objects.filter(instance_id="uuid:forged").exists()
    assert not Submission.objects.filter(deprecates__instance_id="uuid:theirs").exists()


def test_a_recovery_file_reaches_only_the_forms_the_tablet_was_assigned(api, dpo, project, revoked):
    """A tablet with ``all_forms`` off had only its assigned forms: a (possibly forged) file
    naming another form of the project is refused item by item, as the tablet's own POST was."""
    revoked.all_forms = False
    revoked.save(update_fields=["all_forms"])
    _items, data = three(project, revoked)

    body = upload(api, dpo, project, data).json()

    assert body["refused"] == 3
    assert {i["code"] for i in body["items"]} == {"form.unknown"}
    assert not Submission.objects.exists()

    Form.objects.get(project=project, form_id="household").devices.add(revoked)
    assert upload(api, dpo, project, data).json()["stored"] == 3, "once assigned, stored"


def test_a_submission_the_server_refuses_is_listed_and_the_others_stored(
    api, dpo, project, revoked
):
    items = [
        ("uuid:ok", instance_xml(instance_id="uuid:ok"), {}),
        ("uuid:gone", instance_xml(instance_id="uuid:gone", form_id="nosuchform"), {}),
    ]
    body = upload(api, dpo, project, encode(recovery_document(project.pk, revoked.pk, items)))
    refused = [i for i in body.json()["items"] if i["outcome"] == "refused"]
    assert [(i["instance_id"], i["code"]) for i in refused] == [("uuid:gone", "form.unknown")]
    assert list(Submission.objects.values_list("instance_id", flat=True)) == ["uuid:ok"]


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _drop_last_item(data: bytes) -> bytes:
    document = json.loads(data)
    document["items"].pop()
    return encode(document)


def _flip_a_byte(data: bytes) -> bytes:
    document = json.loads(data)
    sealed = bytearray(base64.b64decode(document["items"][1]["data"]))
    sealed[5] ^= 1
    document["items"][1]["data"] = base64.b64encode(bytes(sealed)).decode()
    return encode(document)


def _swap_items(data: bytes) -> bytes:
    document = json.loads(data)
    document["items"].reverse()
    return encode(document)


def _other_device(data: bytes) -> bytes:
    document = json.loads(data)
    document["device"] += 1000
    return encode(document)


@pytest.mark.parametrize(
    ("alter", "code"),
    [
        pytest.param(_cut, "recovery.truncated", id="cut-short"),
        pytest.param(_drop_last_item, "recovery.truncated", id="an-item-removed"),
        pytest.param(_flip_a_byte, "recovery.tampered", id="a-byte-changed"),
        pytest.param(_swap_items, "recovery.tampered", id="items-swapped"),
        pytest.param(_other_device, "recovery.unknown_device", id="another-tablet"),
        pytest.param(lambda d: b'{"name": "a form"}', "recovery.not_a_recovery_file", id="json"),
        pytest.param(lambda d: b"PK\x03\x04 xlsx", "recovery.not_a_recovery_file", id="xlsx"),
        pytest.param(lambda d: b"[" * 100_000, "recovery.not_a_recovery_file", id="nested"),
    ],
)
def test_a_bad_file_is_refused_whole_with_its_code(api, dpo, project, revoked, alter, code):
    _items, data = three(project, revoked)
    response = upload(api, dpo, project, alter(data))
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert not Submission.objects.exists(), "a refused file stores nothing"
    assert not AuditEvent.objects.filter(action="webforms.recovered").exists()


def test_a_file_of_another_project_is_refused(api, dpo, project, revoked, other_project):
    _items, data = three(other_project, revoked)
    response = upload(api, dpo, project, data)
    assert response.json()["code"] == "recovery.wrong_project"


def test_a_file_sealed_with_a_key_waypoint_no_longer_holds_is_refused(api, dpo, project, revoked):
    stranger = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = stranger.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    items = [("uuid:k", instance_xml(instance_id="uuid:k"), {})]
    data = encode(recovery_document(project.pk, revoked.pk, items, point=point))
    assert upload(api, dpo, project, data).json()["code"] == "recovery.key_retired"


def test_the_dpo_page_uploads_a_file_and_shows_what_became_of_each(client, dpo, project, revoked):
    _items, data = three(project, revoked)
    client.force_login(dpo)
    page = client.get(f"/projects/{project.pk}/recovery/")
    assert page.status_code == 200
    assert "Recover a revoked tablet" in page.content.decode()

    done = client.post(
        f"/projects/{project.pk}/recovery/",
        {"file": SimpleUploadedFile("r.json", data, "application/json")},
    )
    assert done.status_code == 200
    assert 'data-count="stored">Stored: 3' in done.content.decode()
    refused = client.post(
        f"/projects/{project.pk}/recovery/",
        {"file": SimpleUploadedFile("r.json", data[:100], "application/json")},
    )
    assert refused.status_code == 400
    assert 'data-code="recovery.truncated"' in refused.content.decode()


@pytest.mark.parametrize("persona", ["form_manager", "analyst", "outsider"])
def test_only_a_dpo_of_the_project_may_open_the_page(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/projects/{project.pk}/recovery/").status_code in (403, 404)


def test_an_envelope_with_a_bad_ephemeral_key_is_reported_as_altered_not_retired(
    api, dpo, project, revoked
):
    """An envelope whose ephemeral key is no P-256 point was damaged or forged: the DPO is told
    the file was altered (not to ask the operator for an old key), and nothing is stored."""
    _items, data = three(project, revoked)
    document = json.loads(data)
    document["items"][1]["epk"] = base64.b64encode(b"\x04" + b"\x00" * 64).decode()

    response = upload(api, dpo, project, encode(document))

    assert response.json()["code"] == "recovery.tampered"
    assert not Submission.objects.exists()


def test_one_submission_failing_unexpectedly_is_refused_and_the_upload_still_audited(
    api, dpo, project, revoked, monkeypatch
):
    """Storage failing on the second of three submissions does not lose the upload's audit
    event nor the third submission: the failure is that item's refusal with its own code, and
    the audit event lists what was stored."""
    seal, calls = quarantine.seal_xml, []

    def failing_second(xml, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return seal(xml, **kwargs)

    monkeypatch.setattr(quarantine, "seal_xml", failing_second)
    _items, data = three(project, revoked)

    body = upload(api, dpo, project, data).json()

    outcomes = [(i["instance_id"], i["outcome"], i.get("code")) for i in body["items"]]
    assert outcomes == [
        ("uuid:r1", "stored", None),
        ("uuid:r2", "refused", "recovery.item_failed"),
        ("uuid:r3", "stored", None),
    ]
    assert set(Submission.objects.values_list("instance_id", flat=True)) == {"uuid:r1", "uuid:r3"}
    event = AuditEvent.objects.get(action="webforms.recovered")
    assert (event.details["stored"], event.details["refused"]) == (2, 1)
    assert event.details["interrupted"] is False
    monkeypatch.setattr(quarantine, "seal_xml", seal)
    again = upload(api, dpo, project, data).json()
    assert (again["stored"], again["duplicates"]) == (1, 2), "uploading again completes it"


def test_an_upload_stopped_half_way_is_audited_with_what_was_stored(
    dpo, project, revoked, monkeypatch
):
    """A worker stopped mid-upload (gunicorn's timeout exits the worker) still leaves the audit
    event naming the submissions already stored, marked interrupted."""
    seal, calls = quarantine.seal_xml, []

    def stop_at_second(xml, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit(1)
        return seal(xml, **kwargs)

    monkeypatch.setattr(quarantine, "seal_xml", stop_at_second)
    _items, data = three(project, revoked)

    with pytest.raises(SystemExit):
        recovery_ingest(user=dpo, project=project, data=data, filename="r.json")

    event = AuditEvent.objects.get(action="webforms.recovered")
    assert event.details["interrupted"] is True
    assert event.details["items"] == [{"instance_id": "uuid:r1", "outcome": "stored"}]
    assert list(Submission.objects.values_list("instance_id", flat=True)) == ["uuid:r1"]


def test_a_file_over_the_limit_is_refused_by_its_size_before_it_is_read(
    api, dpo, project, revoked, settings
):
    """A file over WAYPOINT_RECOVERY_MAX_BYTES is answered ``recovery.too_large`` (413) from
    its size alone: the worker never reads it into memory."""
    settings.WAYPOINT_RECOVERY_MAX_BYTES = 1000
    _items, data = three(project, revoked)
    response = upload(api, dpo, project, data)
    assert (response.status_code, response.json()["code"]) == (413, "recovery.too_large")

    class Unreadable:
        size, name = 10**9, "huge.json"

        def read(self, *args):
            raise AssertionError("read before its size was checked")

    with pytest.raises(Problem) as refused:
        recovery_views._read(Unreadable())
    assert refused.value.code == "recovery.too_large"
