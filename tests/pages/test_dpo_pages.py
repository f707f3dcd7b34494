"""A data protection officer, in a real browser, signs off a release: reads the risk report,
compares raw with anonymised (right-to-left text included), changes a rule and waits for the
re-run, opens a candidate and approves it, prints the sign-off. An analyst is refused.

The screenshots go to docs/screenshots/, where the issue notes point."""

import pytest

from privacy.models import AnonymisedRecord, Release
from tests.plugins.browser import DOCS_SCREENSHOTS, screenshot
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"
# The name is answered in Arabic; the story also writes it in Latin letters (cross-script) and
# names a brother nobody asked about (after a naming cue).
ARABIC_STORY = (
    "وصلت مع أطفالي بعد رحلة طويلة. اسمي أحمد كريمي ورقمي 0933 111 222."
    " في جواز السفر مكتوب Ahmad Karimi. اسم أخي محمود."
)


@pytest.fixture
def collected(submit, privacy_form, settings):
    for n in range(7):
        story = ARABIC_STORY if n == 0 else None
        answers = {"story": story} if story else {}
        answers["name"] = "أحمد كريمي" if n == 0 else "Ahmad Karimi"
        assert (
            submit(privacy_instance(f"uuid:b{n}", age=str(25 + 3 * n), **answers)).status_code
            == 201
        )
    assert AnonymisedRecord.objects.count() == 7
    return privacy_form


def sign_in(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/")


def test_dpo_signs_off_a_release(page, live_server, project, dpo, collected):
    url = live_server.url
    sign_in(page, url, dpo)
    page.click("text=Privacy review")
    page.click("text=Risk report")

    page.locator("#risk-summary").wait_for()
    screenshot(page, "dpo-1-risk-report", DOCS_SCREENSHOTS)
    assert "k = 5" in page.inner_text("main")
    assert page.locator("text=Questions only the defaults classified").count() == 1

    page.click("main >> text=Compare")
    page.fill("#reason", "Checking redaction before the first release")
    page.click("text=Continue")
    page.goto(page.url + "?size=7")  # every record, so the Arabic one is among them
    page.locator("table.compare").first.wait_for()
    screenshot(page, "dpo-2-compare", DOCS_SCREENSHOTS)
    assert page.locator("mark", has_text="[NAME]").count() >= 1
    assert page.locator("td[dir=auto]", has_text="وصلت").count() >= 1
    # the cross-script and the cue redactions are highlighted beside the raw story
    row = page.locator("table.compare tr", has_text="Ahmad Karimi").filter(has_text="وصلت")
    anonymised = row.locator("td").nth(3)
    assert anonymised.locator("mark", has_text="[NAME]").count() == 4  # as answered, 2 Latin, cue
    assert anonymised.locator("mark", has_text="[PHONE]").count() == 1
    for leaked in ("Ahmad", "Karimi", "محمود", "أحمد"):
        assert leaked not in anonymised.inner_text()

    page.click("main >> text=Rules")
    page.fill("input[aria-label='generalisers of age']", "band:5 top:80")
    page.fill("#reason", "Five-year age bands agreed with the strategy team")
    page.click("text=Save as a new rule set and re-run")
    page.locator("#progress.success").wait_for()
    screenshot(page, "dpo-3-rules", DOCS_SCREENSHOTS)
    assert "Rule set #2" in page.inner_text("#progress")
    assert AnonymisedRecord.objects.filter(rule_set__number=2).count() == 7

    page.click("main >> text=Releases")
    page.click("text=Open a release candidate")
    page.locator("#candidate").wait_for()
    screenshot(page, "dpo-4-release-candidate", DOCS_SCREENSHOTS)
    page.click("#approve input[type=submit]")
    page.wait_for_url("**/signoff")
    screenshot(page, "dpo-5-signoff", DOCS_SCREENSHOTS)
    assert "Release sign-off" in page.inner_text("h1")
    page.evaluate("window.print = () => { window.printed = true; }")  # no print dialog headless
    page.click("text=Print")
    assert page.evaluate("window.printed") is True
    release = Release.objects.get()
    assert release.state == "approved"
    assert release.approved_by == dpo
    assert AnonymisedRecord.objects.released().count() == release.frozen.count()


def test_analyst_is_refused(page, live_server, project, analyst, collected):
    sign_in(page, live_server.url, analyst)

    response = page.goto(f"{live_server.url}/projects/{project.pk}/privacy/privacy_test/")

    assert response.status == 403
    screenshot(page, "dpo-6-analyst-refused", DOCS_SCREENSHOTS)
