"""A web tablet's forms that can no longer be sent reach Waypoint through the DPO: Debian's
Chromium against a real server on PostgreSQL. Protects: a revoked tablet offers "Export for the
data protection officer", whose file shows nothing readable and, uploaded by the DPO, stores
each submission once, byte for byte the engine's XML, attributed to the tablet; a tablet whose
PIN is forgotten still exports its finished forms; a weak PIN cannot be chosen, and the PIN's
key costs this device at least 600,000 PBKDF2 iterations."""

import base64
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Device
from accounts.provisioning import device_create, device_revoke
from sync.models import Submission
from tests.factories import ServicePointFactory
from tests.live import wait_for
from tests.plugins.encryption import private_pem
from tests.webforms.tablet import (
    PIN,
    app_url,
    counts,
    fill_visit,
    jpeg,
    open_ready,
    outbox_xml,
    raw,
    unlock,
)

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]


def export(page, button: str) -> bytes:
    with page.expect_download() as download:
        page.locator(button).click()
    return Path(download.value.path()).read_bytes()


def recover(api, dpo, project, data: bytes) -> dict:
    response = api.as_user(dpo).post(
        f"/api/v1/projects/{project.pk}/recovery",
        {"file": SimpleUploadedFile("recovery.json", data, "application/json")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_revoked_tablet_exports_what_it_kept_and_the_dpo_recovers_it_once(
    live, project, dpo, api, tablet, tablet_context
):
    page = open_ready(tablet_context, live, tablet)
    tablet_context.set_offline(True)
    fill_visit(page, "Kept person", "33")
    fill_visit(page, "سلمى", "41")
    device_revoke(device=Device.objects.get(pk=tablet.pk))
    tablet_context.set_offline(False)
    page.locator("#wp-send-now").click()
    page.locator("#wp-revoked").wait_for()
    engine_xml = outbox_xml(page, tablet)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the banner and its export button fit a 390 px phone"
    assert page.locator("#wp-export").bounding_box()["height"] >= 44, "a finger-sized button"

    data = export(page, "#wp-export")

    assert b"Kept person" not in data
    assert "سلمى".encode() not in data, "only Waypoint can read the file"
    assert "Waiting: 2" in counts(page), "the forms stay on the tablet after the export"
    body = recover(api, dpo, project, data)
    assert (body["stored"], body["duplicates"], body["refused"]) == (2, 0, 0)
    stored = {s.instance_id: raw(s) for s in Submission.objects.all()}
    assert stored == {key: xml.encode() for key, xml in engine_xml.items()}
    assert all(s.device_id == tablet.pk for s in Submission.objects.all())
    assert recover(api, dpo, project, data)["duplicates"] == 2
    assert Submission.objects.count() == 2


def test_an_encrypted_form_recovered_is_opened_by_the_dpo_with_its_signature_checked(
    live, project, dpo, api, encrypted_form, rsa_key, tablet_context, tmp_path
):
    """The recovery seal wraps what the outbox would send: for a form with a public key, the
    Collect-style encrypted files, so the server never sees the answers even through recovery."""
    device, token = device_create(
        project=project, service_point=ServicePointFactory(project=project), name="Phone",
        kind=Device.Kind.WEB,
    )  # fmt: skip
    device.token = token
    photo = jpeg(tmp_path / "pic.jpg", 3)
    page = open_ready(tablet_context, live, device)
    tablet_context.set_offline(True)
    page.locator(".wp-start[data-form=secret]").click()
    page.locator(".odk-form input[type=text]").first.fill("Hidden even from recovery")
    page.locator(".odk-form input[type=file]").first.set_input_files(str(tmp_path / "pic.jpg"))
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".wp-notice").wait_for()
    device_revoke(device=Device.objects.get(pk=device.pk))
    tablet_context.set_offline(False)
    page.locator("#wp-send-now").click()

    body = recover(api, dpo, project, export(page, "#wp-export"))

    assert body["stored"] == 1
    submission = Submission.objects.get()
    assert submission.device_encrypted
    assert b"Hidden even from recovery" not in raw(submission)
    opened = (
        api.as_user(dpo)
        .post(
            f"/api/v1/projects/{project.pk}/forms/secret/submissions/{submission.instance_id}/decrypt",
            {"private_key": private_pem(rsa_key), "reason": "Recovered from a revoked tablet"},
            format="json",
        )
        .json()
    )
    assert "<secret>Hidden even from recovery</secret>" in opened["xml"]
    assert opened["signature"] == "verified"
    assert photo in [base64.b64decode(v) for v in opened["attachments"].values()]


def test_a_forgotten_pin_still_lets_the_dpo_recover_finished_forms(
    live, project, dpo, api, tablet, tablet_context
):
    page = open_ready(tablet_context, live, tablet)
    tablet_context.set_offline(True)
    fill_visit(page, "Finished before the PIN was lost", "52")
    page.reload()
    page.locator("#wp-pin").wait_for()

    page.locator("#wp-forgot summary").click()
    data = export(page, "#wp-export-forgot")

    body = recover(api, dpo, project, data)
    assert body["stored"] == 1
    assert b"Finished before the PIN was lost" in raw(Submission.objects.get())


def test_a_weak_pin_is_refused_and_the_key_costs_at_least_600000_iterations(
    live, tablet, tablet_context
):
    page = tablet_context.new_page()
    page.goto(app_url(live, tablet))
    for weak, message in [
        ("4821", "at least 6 digits"),
        ("123456", "too easy"),
        ("000000", "too easy"),
        ("909090", "too easy"),
        ("abc", "at least 8 characters"),
    ]:
        page.locator("#wp-pin").fill(weak)
        page.locator("#wp-pin-confirm").fill(weak)
        page.locator("#wp-unlock").click()
        page.locator("#wp-pin-error", has_text=message).wait_for()
    unlock(page, PIN)
    iterations = page.evaluate(
        """async (id) => {
            const db = await new Promise((ok) => {
                const r = indexedDB.open(`waypoint-webforms-${id}`);
                r.onsuccess = () => ok(r.result);
            });
            const pin = await new Promise((ok) => {
                const r = db.transaction('meta').objectStore('meta').get('pin');
                r.onsuccess = () => ok(r.result);
            });
            db.close();
            return pin.iterations;
        }""",
        str(tablet.pk),
    )
    assert iterations >= 600_000
    page.reload()
    unlock(page, PIN)
    assert wait_for(lambda: page.locator("#wp-forms").count() == 1, 10)
