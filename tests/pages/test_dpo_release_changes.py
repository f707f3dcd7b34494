"""A data protection officer, in a real browser, releases a change: after a rules change the
releases page still says analysts read the approved release, the new candidate shows what
would change for them (added, changed, removed), and only the DPO's approval makes analysts
read it; the sign-off page repeats the changes."""

import pytest

from privacy import review
from privacy.models import Release
from results.released import released_records
from tests.factories import rules_approve
from tests.pages.test_dpo_pages import sign_in
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def approved(submit, privacy_form, dpo, settings):
    """Six people in their thirties, the rules approved and a first release approved; then the
    DPO decided the stories should not be published at all (rules change, re-run)."""
    for n in range(6):
        assert submit(privacy_instance(f"uuid:rc{n}", age=str(30 + n))).status_code == 201
    form = privacy_form.form
    rules_approve(form, dpo)
    first = review.release_open(form=form, user=dpo)
    review.release_approve(release=first, user=dpo, approved_hash=first.content_hash)
    change = {"path": "/data/story", "classification": "drop", "generalisers": []}
    review.rules_change(version=privacy_form, user=dpo, changes=[change], reason="stories out")
    return first


def test_dpo_sees_what_changes_for_analysts_and_approves_it(
    page, live_server, project, dpo, approved
):
    form = approved.form
    assert all("story" in r.data for r in released_records(form))  # analysts: as approved
    url = live_server.url
    sign_in(page, url, dpo)

    page.goto(f"{url}/projects/{project.pk}/privacy/privacy_test/releases")
    assert f"Analysts read release #{approved.pk}" in page.inner_text("#current-release")
    page.click("text=Open a release candidate")
    page.locator("#candidate").wait_for()
    since = page.inner_text("#since")
    assert f"release #{approved.pk}" in since
    assert "0 added, 6 changed" in since.replace("\n", " ")
    assert f"keep reading release #{approved.pk}" in page.inner_text("main")

    page.click("#approve input[type=submit]")
    page.wait_for_url("**/signoff")
    assert "6 changed" in page.inner_text("#signoff-since")
    latest = Release.objects.filter(state="approved").latest("approved_at")
    assert latest.pk != approved.pk
    assert latest.approved_by == dpo
    assert not any("story" in r.data for r in released_records(form))
