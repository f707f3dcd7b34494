"""A data protection officer, in a real browser, approves what only a DPO may: the privacy rules a
form manager proposed (no release opens before), then, after releasing, a row-level records
file with its own risk report. The analyst's download follows the decision."""

import pytest

from forms.models import PrivacyRuleSet
from privacy.models import Release, ReleasedRecord
from tests.pages.test_dpo_pages import sign_in
from tests.plugins.browser import screenshot
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def proposed(submit, privacy_form, settings):
    """Ten people in their thirties at one service point, under the rules as uploaded."""
    PrivacyRuleSet.objects.filter(version=privacy_form).update(approved_at=None, approved_by=None)
    for n in range(10):
        sex = ("male", "female")[n % 2]
        assert submit(privacy_instance(f"uuid:pa{n}", age="34", sex=sex)).status_code == 201
    return privacy_form


def test_dpo_approves_the_rules_then_a_records_file(page, live_server, project, dpo, proposed):
    url = live_server.url
    form_url = f"{url}/projects/{project.pk}/privacy/privacy_test"
    sign_in(page, url, dpo)

    page.goto(f"{form_url}/releases")
    page.click("text=Open a release candidate")
    assert "has not approved the privacy rules" in page.inner_text("main")
    assert not Release.objects.exists()

    page.goto(f"{form_url}/rules/1")
    page.locator("#rules-approval.warning").wait_for()
    page.fill("#approve-reason", "Reviewed with the National Society")
    page.click("text=Approve rule set #1")
    page.locator("#rules-approval.success").wait_for()
    screenshot(page, "dpo-7-rules-approved")
    assert PrivacyRuleSet.objects.get(version=proposed).approved_by == dpo

    page.goto(f"{form_url}/releases")
    page.click("text=Open a release candidate")
    page.click("#approve input[type=submit]")
    page.wait_for_url("**/signoff")
    assert "not approved (tables only)" in page.inner_text("#signoff-microdata")
    release = Release.objects.get(state="approved")
    # Two legal statuses in each group, as real answers would give (the sample has one).
    seen: dict[str, int] = {}
    for row in ReleasedRecord.objects.filter(release=release).order_by("id"):
        index = seen[row.data["sex"]] = seen.get(row.data["sex"], -1) + 1
        row.data["legal_status"] = ("asylum", "refugee")[index % 2]
        row.save(update_fields=["data"])

    page.click("#signoff-microdata >> text=review")
    page.locator("#microdata-report").wait_for()
    assert "Not approved" in page.inner_text("#microdata-status")
    page.fill("#reason", "Age-by-status analysis for the strategy annex")
    page.click("#microdata-approve input[type=submit]")
    page.locator("#microdata-status.success").wait_for()
    screenshot(page, "dpo-8-microdata-approved")
    release.refresh_from_db()
    assert release.microdata_approved_by == dpo
    assert release.microdata_risk["in_file"] == 10
