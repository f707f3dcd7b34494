"""The world hostile requests aim at, built through the same services and HTTP endpoints as
real use (see conftest.py for how it is shared), and how a device submits into it."""

import base64
from dataclasses import dataclass
from pathlib import Path

from django.test import Client, TestCase

from accounts.models import Role
from accounts.tokens import token_issue
from forms.services import form_upload
from privacy.models import AnonymisedRecord
from privacy.review import release_approve, release_open
from sync.models import Submission
from tests.factories import (
    DeviceFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    microdata_approve,
    rules_approve,
)
from tests.samples import MEDIA_FORM, PRIVACY_FORM, privacy_instance
from tests.xlsform import xlsx

PASSWORD = "correct horse battery staple"
# Fixed so that the Schemathesis schema, built when tests are collected, can carry it.
FUZZ_TOKEN = "hostile0fuzz0token0000000000000000000000"
WORLD_SETTINGS = {
    "WAYPOINT_ODK_VALIDATE": "false",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@dataclass
class World:
    media_root: Path
    project_id: int
    form_id: str
    version: str
    media_form_id: str
    username: str
    token: str  # the API token of the user holding every role
    device_token: str
    device_id: int
    service_point_id: int
    instance_id: str  # a raw submission with an attachment and a conflicting copy
    attachment: str
    copy_id: int
    release_id: int
    record_id: str
    other_project_id: int
    other_username: str  # a form manager, DPO and analyst, but of the other project
    other_device_token: str
    other_user_token: str

    @property
    def basic(self) -> str:
        return _basic(self.username)

    @property
    def other_basic(self) -> str:
        return _basic(self.other_username)

    def openrosa_url(self, via: str, path: str = "submission") -> str:
        """An OpenRosa URL as a device (token in the URL) or an account (Basic) uses it."""
        if via == "token":
            return f"/key/{self.device_token}/projects/{self.project_id}/{path}"
        return f"/projects/{self.project_id}/{path}"

    def submission_url(self, via: str) -> str:
        return self.openrosa_url(via)

    def api(self, path: str = "") -> str:
        return f"/api/v1/projects/{self.project_id}{path}"


def _basic(username: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()


def submit_as_device(client: Client, url: str, xml: bytes, files: dict[str, bytes] | None = None):
    """POST a submission the way ODK Collect shapes it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
    for index, (name, data) in enumerate((files or {}).items()):
        body[f"file{index}"] = SimpleUploadedFile(name, data, "image/jpeg")
    return client.post(url, body, HTTP_X_OPENROSA_VERSION="1.0")


def _everyone(project, username: str):
    user = UserFactory(username=username, password=PASSWORD)
    for role in Role.values:
        MembershipFactory(user=user, project=project, role=role)
    return user


def build_world(media_root: Path) -> World:
    """Through the same services and HTTP endpoints as real use: uploads, device submissions,
    anonymisation (run in-process when each submission commits) and a DPO's release."""
    project = ProjectFactory()
    everyone = _everyone(project, f"everyone-{project.pk}")
    token_issue(user=everyone, key=FUZZ_TOKEN)
    device = DeviceFactory(project=project)
    privacy = form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version
    form_upload(project=project, filename="m.xlsx", data=xlsx(MEDIA_FORM))
    client = Client()
    url = f"/key/{device.token}/projects/{project.pk}/submission"
    people = [("34", "male")] * 6 + [("35", "female")] * 5 + [("71", "female")]
    for n, (age, sex) in enumerate(people):
        with TestCase.captureOnCommitCallbacks(execute=True):
            submit_as_device(client, url, privacy_instance(f"uuid:w{n}", age=age, sex=sex))
    rules_approve(privacy.form, everyone)
    release = release_open(form=privacy.form, user=everyone)
    release_approve(release=release, user=everyone, approved_hash=release.content_hash)
    microdata_approve(release, everyone)  # records.csv too is open to attack
    with TestCase.captureOnCommitCallbacks(execute=True):
        for n in range(2):
            submit_as_device(client, url, privacy_instance(f"uuid:unreleased{n}", age="50"))
        raw_copies = [
            (privacy_instance("uuid:raw", photo="face.jpg"), {"face.jpg": b"\xff\xd8JPEG"}),
            (privacy_instance("uuid:raw", age="40"), None),  # kept as a conflicting copy
        ]
        for xml, files in raw_copies:
            assert submit_as_device(client, url, xml, files).status_code == 201
    raw = Submission.objects.get(form=privacy.form, instance_id="uuid:raw")
    other = ProjectFactory()
    outsider = _everyone(other, f"outsider-{other.pk}")
    return World(
        media_root=media_root,
        project_id=project.pk,
        form_id=privacy.form.form_id,
        version=privacy.version,
        media_form_id=MEDIA_FORM["settings"][1][0],
        username=everyone.username,
        token=FUZZ_TOKEN,
        device_token=device.token,
        device_id=device.pk,
        service_point_id=device.service_point_id,
        instance_id=raw.instance_id,
        attachment="face.jpg",
        copy_id=raw.conflicting_copies.get().pk,
        release_id=release.pk,
        record_id=str(AnonymisedRecord.objects.filter(form=privacy.form).first().pk),
        other_project_id=other.pk,
        other_username=outsider.username,
        other_device_token=DeviceFactory(project=other).token,
        other_user_token=token_issue(user=outsider)[1],
    )
