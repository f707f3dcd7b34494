"""What the web tablet tests share: the forms, the PIN, and the steps a volunteer takes."""

import random
from pathlib import Path

from PIL import Image

from sync import quarantine
from sync.models import Submission

VISIT_FORM = {
    "survey": [
        ["type", "name", "label::English (en)", "label::العربية (ar)", "privacy", "required"],
        ["text", "full_name", "Name", "الاسم", "direct", ""],
        ["integer", "age", "Age", "العمر", "quasi band:10", "yes"],
    ],
    "settings": [["form_id", "version"], ["visit", "1"]],
}

PHOTOS_FORM = {
    "survey": [
        ["type", "name", "label::English (en)", "label::العربية (ar)", "privacy"],
        ["text", "full_name", "Name", "الاسم", "direct"],
        ["image", "face", "Photo", "صورة", "direct"],
        ["image", "document", "Document", "وثيقة", "direct"],
    ],
    "settings": [["form_id", "version"], ["photos", "1"]],
}

PIN = "482913"

# What the outbox holds in IndexedDB, decrypted here independently of the app (PBKDF2-SHA-256,
# the iterations stored with the PIN, AES-GCM): instanceID -> the XML the engine produced.
# ``raw`` is every stored byte as text, to show that nothing is readable without the PIN.
READ_OUTBOX = (Path(__file__).parent / "read_outbox.js").read_text()


def app_url(live, device) -> str:
    return f"{live.url}/key/{device.token}/projects/{device.project_id}/web/"


def raw(submission: Submission) -> bytes:
    return quarantine.unseal_xml(
        submission.xml_sealed, form_pk=submission.form_id, identity=submission.instance_id
    )


def counts(page) -> str:
    return page.locator("#wp-outbox").inner_text()


def fill_visit(page, name: str, age: str, *, send: bool = True, send_label: str = "Send") -> None:
    page.locator(".wp-start[data-form=visit]").click()
    form = page.locator(".odk-form")
    form.locator("input").first.wait_for()
    form.locator("input").nth(0).fill(name)
    # typed key by key, as a volunteer does: the engine's number field (PrimeVue) does not take
    # a value set at once (Playwright's fill), so the form would go with no age
    form.locator("input").nth(1).press_sequentially(age)
    form.locator("input").nth(1).blur()
    if send:
        page.get_by_role("button", name=send_label, exact=True).click()
        page.locator(".wp-notice").wait_for()


def unlock(page, pin: str = PIN) -> None:
    """The PIN screen: chosen on the tablet's first visit, entered on every later one."""
    page.locator("#wp-pin").fill(pin)
    if page.locator("#wp-pin-confirm").count():
        page.locator("#wp-pin-confirm").fill(pin)
    page.locator("#wp-unlock").click()
    # The PIN screen has a .wp-muted paragraph too: wait for it to go (PBKDF2 takes a moment).
    page.locator("#wp-lock").wait_for(state="detached")
    page.locator("#wp-forms, .wp-main .wp-muted").first.wait_for()


def outbox_xml(page, device) -> dict[str, str]:
    return page.evaluate(READ_OUTBOX, [str(device.pk), PIN])["xml"]


def open_ready(context, live, device):
    page = context.new_page()
    page.goto(app_url(live, device))
    unlock(page)
    page.get_by_text("Ready to work offline").wait_for()
    return page


def jpeg(path, seed: int) -> bytes:
    """A real photo-like JPEG of about 37 KB (noise compresses badly)."""

    rng = random.Random(seed)
    image = Image.new("RGB", (200, 200))
    image.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(200 * 200)]
    )
    image.save(path, "JPEG", quality=90)
    return path.read_bytes()
