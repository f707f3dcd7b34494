"""A form manager, in a real browser: signs in, publishes the library questionnaire, sees a
broken form's problems cell by cell, creates a tablet and gets a QR code that ODK Collect reads."""

import base64
import io

import pytest
import zxingcpp
from PIL import Image

from accounts.provisioning import decode_collect_qr_payload
from forms.library import LIBRARY_DIR
from forms.models import Form
from tests.factories import ServicePointFactory
from tests.plugins.browser import screenshot
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db(transaction=True)

BROKEN = {
    "survey": [
        ["type", "name", "label", "relevant", "privacy"],
        ["integer", "age", "Age", None, "quasi band:10"],
        ["text", "school", "School", "${agee} < 18", "free_text"],
    ]
}


@pytest.fixture
def signed_in(page, live_server, project, form_manager):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", form_manager.username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_form_manager_publishes_the_library_questionnaire(signed_in, live_server, project, java):
    page = signed_in
    page.click(f"a[href='/projects/{project.pk}/forms/']")
    page.set_input_files("input[name=file]", str(LIBRARY_DIR / "migrant_experience.xlsx"))
    page.click("text=Upload and publish")

    page.wait_for_selector("h1:has-text('lived experience')")
    screenshot(page, "forms-01-published-version")
    assert "Published" in page.inner_text(".messages")
    assert page.locator("td", has_text="/data/legal_status").count() == 1
    assert Form.objects.filter(project=project, form_id="migrant_experience").exists()


def test_broken_form_shows_each_problem_with_its_cell(signed_in, live_server, project, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx(BROKEN))
    page = signed_in
    page.goto(f"{live_server.url}/projects/{project.pk}/forms/")
    page.set_input_files("input[name=file]", str(broken))
    page.click("text=Upload and publish")

    problems = page.locator("#upload-problems")
    problems.wait_for()
    screenshot(page, "forms-02-broken-form")
    row = problems.locator("tr", has_text="agee")
    assert row.locator("td").nth(0).inner_text() == "survey"
    assert row.locator("td").nth(1).inner_text() == "3"
    assert row.locator("td").nth(2).inner_text() == "relevant"
    assert "Nothing was changed" in problems.inner_text()
    assert not Form.objects.exists()


def test_form_manager_creates_a_tablet_and_gets_a_qr_code(signed_in, live_server, project):
    ServicePointFactory(project=project, name="Lampedusa")
    page = signed_in
    page.goto(f"{live_server.url}/projects/{project.pk}/forms/")
    page.fill("input[name=name]", "Tablet 1")
    page.click("text=Create device and QR code")

    page.locator("#new-device").wait_for()
    screenshot(page, "forms-03-new-device")
    src = page.get_attribute("#new-device img", "src")
    image = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    collect = decode_collect_qr_payload(zxingcpp.read_barcodes(image)[0].text)
    assert collect["general"]["server_url"].startswith(f"{live_server.url}/key/")
    assert collect["general"]["server_url"] in page.inner_text("#new-device")


def test_swagger_ui_uploads_a_form(signed_in, live_server, project, java):
    page = signed_in
    page.goto(f"{live_server.url}/api/docs/")
    operation = page.locator(".opblock-post", has_text="/api/v1/projects/{project_id}/forms").first
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("input[placeholder='project_id']").fill(str(project.pk))
    operation.locator("input[type=file]").set_input_files(
        str(LIBRARY_DIR / "staff_volunteer_experience.xlsx")
    )
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    screenshot(page, "forms-04-swagger-upload")
    assert status.inner_text().strip().startswith("201")
    assert Form.objects.filter(form_id="staff_volunteer_experience").exists()
