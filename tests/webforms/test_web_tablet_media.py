"""A web tablet in Arabic, with photos and encrypted forms. Protects: the page turns right to
left, photos arrive byte for byte even when they must be split over several POSTs, and a form
with a public key is encrypted in the browser so that only the DPO's private key opens it."""

import base64

import pytest

from accounts.models import Device
from accounts.provisioning import device_create
from forms.services import form_upload
from sync import quarantine
from sync.models import Submission
from tests.factories import ServicePointFactory
from tests.live import wait_for
from tests.plugins.encryption import private_pem
from tests.webforms.tablet import PHOTOS_FORM, counts, jpeg, open_ready, raw
from tests.xlsform import xlsx

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]


def test_arabic_right_to_left_with_photos_split_over_posts(
    openrosa_servers, live, project, tablet_context, tmp_path
):
    small = openrosa_servers(WAYPOINT_SUBMISSION_MAX_BYTES="60000")
    form_upload(project=project, filename="photos.xlsx", data=xlsx(PHOTOS_FORM))
    point = ServicePointFactory(project=project)
    device, token = device_create(
        project=project, service_point=point, name="Phone", kind=Device.Kind.WEB
    )
    device.token = token
    photos = {name: jpeg(tmp_path / name, n) for n, name in enumerate(("face.jpg", "doc.jpg"))}
    assert all(30_000 < len(p) < 50_000 for p in photos.values()), "two do not fit one POST"

    page = open_ready(tablet_context, small, device)
    page.locator(".wp-start[data-form=photos]").click()
    form = page.locator(".odk-form")
    form.locator("input").first.wait_for()
    form.locator(".language-changer:visible").click()
    page.get_by_role("option", name="العربية (ar)").click()
    page.get_by_text("الاسم").wait_for()
    assert wait_for(lambda: page.evaluate("document.documentElement.dir") == "rtl", 10)
    form.locator("input[type=text]").first.fill("سلمى")
    files = form.locator("input[type=file]")
    files.nth(0).set_input_files(str(tmp_path / "face.jpg"))
    files.nth(1).set_input_files(str(tmp_path / "doc.jpg"))
    page.get_by_role("button", name="Send", exact=True).click()
    assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)

    # The server takes at most 60 kB per POST (a single POST would be refused with a 413):
    # complete means the outbox split the photos over two POSTs as Collect does.
    submission = Submission.objects.get()
    assert submission.complete
    stored = {a.name: quarantine.read_attachment(a.file.name) for a in submission.attachments.all()}
    assert sorted(stored.values()) == sorted(photos.values()), "photos intact, byte for byte"
    assert "سلمى".encode() in raw(submission)


def test_dpo_decrypts_a_submission_encrypted_in_the_browser_as_collect_does(
    live, project, encrypted_form, rsa_key, api, dpo, tablet_context, tmp_path
):
    point = ServicePointFactory(project=project)
    device, token = device_create(
        project=project, service_point=point, name="Phone", kind=Device.Kind.WEB
    )
    device.token = token
    photo = jpeg(tmp_path / "pic.jpg", 7)

    page = open_ready(tablet_context, live, device)
    page.locator(".wp-start[data-form=secret]").click()
    form = page.locator(".odk-form")
    form.locator("input[type=text]").first.fill("Hidden from the server")
    form.locator("input[type=file]").first.set_input_files(str(tmp_path / "pic.jpg"))
    page.get_by_role("button", name="Send", exact=True).click()
    assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)

    submission = Submission.objects.get()
    assert b"Hidden from the server" not in raw(submission), "the server holds ciphertext"
    opened = api.as_user(dpo).post(
        f"/api/v1/projects/{project.pk}/forms/secret/submissions/{submission.instance_id}/decrypt",
        {"private_key": private_pem(rsa_key), "reason": "Checking the web tablet"},
        format="json",
    )
    assert opened.status_code == 200, opened.json()
    assert "<secret>Hidden from the server</secret>" in opened.json()["xml"]
    assert opened.json()["signature"] == "verified", "the browser signs as Collect does"
    assert submission.instance_id in opened.json()["xml"]
    ((_name, data),) = opened.json()["attachments"].items()
    assert base64.b64decode(data) == photo
