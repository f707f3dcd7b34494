"""Records left out under replaced rules, in a real browser on a 390 px phone in Arabic and on a
1280 px screen in English: after a rules change, the rules page and the release candidate page
tell the DPO how many records cannot be anonymised again and why (their raw data was purged on
schedule); nothing wider than the screen, no serious accessibility violation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy import retention, review
from tests.pages.test_responsive_pages import _check
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def candidate(submit, privacy_form, dpo):
    """Six records released and purged a month later, six more since; then the stories are
    dropped: the six purged are left out of the candidate."""
    for batch in ("old", "new"):
        for n in range(6):
            assert (
                submit(privacy_instance(f"uuid:lo{batch}{n}", age=str(30 + n))).status_code == 201
            )
        if batch == "old":
            first = review.release_open(form=privacy_form.form, user=dpo)
            review.release_approve(release=first, user=dpo, approved_hash=first.content_hash)
    retention.raw_purge_due(now=timezone.now() + timedelta(days=31))
    change = {"path": "/data/story", "classification": "drop", "generalisers": []}
    review.rules_change(version=privacy_form, user=dpo, changes=[change], reason="stories out")
    return review.release_open(form=privacy_form.form, user=dpo)


@pytest.mark.parametrize(("language", "width"), [("ar", 390), ("en", 1280)])
def test_the_rules_and_candidate_pages_say_what_is_left_out(
    signed_in_tab, live_server, project, dpo, privacy_form, candidate, axe_source, language, width
):
    page = signed_in_tab(dpo, language, width)
    problems: list[str] = []
    base = f"{live_server.url}/projects/{project.pk}/privacy/privacy_test"

    page.goto(f"{base}/rules/{privacy_form.version}")
    page.locator("#left-out").wait_for()
    _check(page, "rules-left-out", language, width, axe_source, problems)
    on_rules = page.inner_text("#left-out")
    page.goto(f"{base}/releases/{candidate.pk}")
    page.locator("#left-out").wait_for()
    _check(page, "release-left-out", language, width, axe_source, problems)
    on_candidate = page.inner_text("#left-out")

    assert problems == []
    assert "6" in on_rules
    assert "6" in on_candidate
    if language == "en":
        assert "raw data purged on schedule" in on_rules
        assert "cannot be anonymised again" in on_candidate
