"""The DPO's "Recover a revoked tablet's submissions" page on a 390 px phone and a 1280 px
screen, in English and in Arabic: blank, with a report of what was stored, and with a refused
file. Protects: right to left in Arabic, nothing wider than the screen, touch-sized controls and
no serious axe violation (the checks every page passes, tests/pages)."""

import pytest

from accounts.models import Device
from accounts.provisioning import device_create, device_revoke
from forms.services import form_upload
from tests.factories import ServicePointFactory
from tests.pages import test_responsive_pages as pages
from tests.pages.conftest import axe_source as axe_fixture
from tests.samples import PHOTO_FORM, instance_xml
from tests.webforms.recovery_file import encode, recovery_document
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db(transaction=True)
axe_source = axe_fixture  # the fixture every page test uses (tests/pages/conftest.py)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_recovery_page_fits_a_phone_in_arabic_and_english(
    browser, live_server, project, dpo, axe_source, language, settings, tmp_path
):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM))
    device, _ = device_create(
        project=project, service_point=ServicePointFactory(project=project),
        name="Tablette de Lampedusa", kind=Device.Kind.WEB,
    )  # fmt: skip
    device_revoke(device=device)
    good = tmp_path / "recovery.json"
    items = [(f"uuid:p{n}", instance_xml(instance_id=f"uuid:p{n}"), {}) for n in range(3)]
    items.append(("uuid:x", instance_xml(instance_id="uuid:x", form_id="gone"), {}))
    good.write_bytes(encode(recovery_document(project.pk, device.pk, items)))
    cut = tmp_path / "cut.json"
    cut.write_bytes(good.read_bytes()[:300])
    problems: list[str] = []
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", dpo.username)
        page.fill("#id_password", pages.PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/projects/{project.pk}/recovery/")
        pages._check(page, "recovery", language, width, axe_source, problems)
        for upload, shown in ((good, "#recovery-report"), (cut, "#problem")):
            page.set_input_files("#recovery-file", str(upload))
            page.click("#recovery-form input[type=submit]")
            page.locator(shown).wait_for()
            pages._check(page, f"recovery {shown}", language, width, axe_source, problems)
        context.close()
    assert problems == []
